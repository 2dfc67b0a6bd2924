/*
 * ERR001 exception-swallowed (Python)
 *
 * Heuristic: an `except` clause that catches everything (bare `except:`,
 * `BaseException`, `Exception`, or a tuple holding one of them) and whose
 * body does nothing with the failure -- only `pass`, `...`, `continue`,
 * `break`, `return`/`return None`/`return <constant>` or a constant
 * fallback assignment -- around a try body that performs an effect the
 * rest of the program relies on: network, file, database or process I/O,
 * a change to shared state, or a callback supplied by someone else (API
 * table: src/lang/python/api.c).
 *
 * Confidence: `pass`/`...`/`continue` high; bare `return`/`return None`/
 * `break` medium; `return <constant>` and fallback assignments low (often
 * a sentinel the caller tests).  Low as well when the only effect is a
 * change to a container on self, when a comment in the handler explains
 * the choice (`pass  # best effort: the peer may be gone`), and in test
 * files (path_is_test).
 *
 * Deliberately not reported (each is an exemption below):
 * - narrow exceptions (`except KeyError:`, `except OSError:`): expected
 *   failures used for control flow;
 * - handlers whose body does anything else: a call (logging, reporting,
 *   cleanup), a raise, a return of a computed value;
 * - best-effort cleanup: every effect in the try body is a cleanup call
 *   (close, shutdown, kill, unlink...), or the try sits in a finally
 *   clause or another handler, or in a finaliser / close() / __repr__;
 * - try bodies with no effect at all (parsing, probing, imports).
 *
 * Also reported (any exception type, high confidence): a silent `pass`
 * handler after which the code reads a name bound only inside the try
 * body -- the control-flow graph has a path from the except clause to the
 * read with no binding in between, so the read raises UnboundLocalError
 * exactly when the try failed.
 *
 * False-positive policy: on the standard library, peers' "except: pass"
 * rules are right about 1 time in 25 (PEERS.md); every exemption above is
 * one of the shapes those wrong reports had.
 */
#include "../../core/cfg.h"
#include "../../lang/python/api.h"

#include <string.h>

enum silence {
	S_NOT_SILENT = 0,
	S_PASS,      /* pass / ... / docstring */
	S_CONTINUE,
	S_BREAK,
	S_RETURN_NONE,
	S_RETURN_CONST,
	S_FALLBACK,  /* x = <constant> */
};

static bool is_constant(struct fl_file *f, TSNode n)
{
	n = fl_unparen(f, n);
	switch (fl_kind(f, n)) {
	case PK_none:
	case PK_true:
	case PK_false:
	case PK_integer:
	case PK_float:
		return true;
	case PK_string:
		return py_string_value(f, n) != NULL;
	case PK_unary_operator:
		return ts_node_named_child_count(n) == 1 &&
		       is_constant(f, ts_node_named_child(n, 0));
	case PK_list:
	case PK_dictionary:
	case PK_tuple:
	case PK_set:
		return ts_node_named_child_count(n) == 0;
	case PK_call: {
		/* dict(), list(), set() */
		TSNode fn = fl_child(f, n, F_function);
		TSNode args = fl_child(f, n, F_arguments);
		return (fl_text_eq(f, fn, "dict") || fl_text_eq(f, fn, "list") ||
			fl_text_eq(f, fn, "set") || fl_text_eq(f, fn, "tuple")) &&
		       !ts_node_is_null(args) &&
		       ts_node_named_child_count(args) == 0;
	}
	default:
		return false;
	}
}

/* Classify the handler body; *stmt gets the statement to point at. */
static enum silence handler_silence(struct fl_file *f, TSNode body,
				    TSNode *stmt)
{
	if (ts_node_is_null(body))
		return S_NOT_SILENT;
	enum silence worst = S_NOT_SILENT;
	uint32_t n = ts_node_named_child_count(body);
	bool any = false;
	for (uint32_t i = 0; i < n; i++) {
		TSNode s = ts_node_named_child(body, i);
		enum silence here;
		switch (fl_kind(f, s)) {
		case PK_comment:
			continue;
		case PK_pass_statement:
			here = S_PASS;
			break;
		case PK_continue_statement:
			here = S_CONTINUE;
			break;
		case PK_break_statement:
			here = S_BREAK;
			break;
		case PK_return_statement: {
			if (ts_node_named_child_count(s) == 0) {
				here = S_RETURN_NONE;
				break;
			}
			TSNode v = ts_node_named_child(s, 0);
			if (fl_kind(f, fl_unparen(f, v)) == PK_none)
				here = S_RETURN_NONE;
			else if (is_constant(f, v))
				here = S_RETURN_CONST;
			else
				return S_NOT_SILENT;
			break;
		}
		case PK_expression_statement: {
			TSNode e = ts_node_named_child(s, 0);
			unsigned k = fl_kind(f, e);
			if (k == PK_ellipsis || k == PK_string) {
				here = S_PASS;
				break;
			}
			if (k == PK_assignment &&
			    fl_kind(f, fl_child(f, e, F_left)) == PK_identifier &&
			    !ts_node_is_null(fl_child(f, e, F_right)) &&
			    is_constant(f, fl_child(f, e, F_right))) {
				here = S_FALLBACK;
				break;
			}
			return S_NOT_SILENT;
		}
		default:
			return S_NOT_SILENT;
		}
		/* Remember the statement that decides (the last one). */
		*stmt = s;
		worst = here;
		any = true;
	}
	return any ? worst : S_NOT_SILENT;
}

/* Does the except clause catch everything?  *what gets its spelling. */
static bool catches_all(struct fl_file *f, const struct fl_handler *h,
			const char **what)
{
	if (ts_node_is_null(h->type)) {
		*what = "except:";
		return true;
	}
	TSNode t = fl_unparen(f, h->type);
	unsigned k = fl_kind(f, t);
	if (k == PK_tuple) {
		uint32_t n = ts_node_named_child_count(t);
		for (uint32_t i = 0; i < n; i++) {
			TSNode e = ts_node_named_child(t, i);
			const char *name = model_resolve(f, fl_text(f, e));
			if (py_is_broad_exception(name)) {
				*what = arena_printf(f->a, "except %s",
						     fl_text(f, t));
				return true;
			}
		}
		return false;
	}
	if (k != PK_identifier && k != PK_attribute)
		return false;
	const char *name = model_resolve(f, fl_text(f, t));
	if (!py_is_broad_exception(name))
		return false;
	*what = arena_printf(f->a, "except %s", fl_text(f, t));
	return true;
}

/* Is the try inside a function whose job is cleanup or formatting? */
static bool in_cleanup_function(struct fl_file *f, int func)
{
	for (int i = func; i >= 0; i = f->m.funcs.v[i].parent)
		if (py_is_cleanup_func(f->m.funcs.v[i].name))
			return true;
	return false;
}

static const char *silence_text(enum silence s, struct fl_file *f, TSNode stmt)
{
	switch (s) {
	case S_PASS:
		return "the failure is dropped: it is not logged, re-raised "
		       "or returned";
	case S_CONTINUE:
		return "the loop moves on: this item's failure leaves no "
		       "trace";
	case S_BREAK:
		return "the loop stops as if it had finished normally";
	case S_RETURN_NONE:
		return "the caller gets None and cannot tell a failure from "
		       "an empty result";
	case S_RETURN_CONST:
		return arena_printf(f->a,
				    "the caller gets '%s' and no reason why",
				    fl_text(f, ts_node_named_child(stmt, 0)));
	case S_FALLBACK:
		return "a default value replaces the result: the failure "
		       "leaves no trace";
	default:
		return "";
	}
}

/* A comment in the handler's body (not on the `except` line itself, where
 * linter pragmas live). */
static bool handler_has_comment(struct fl_file *f, const struct fl_handler *h)
{
	uint32_t s = ts_node_start_byte(h->node), e = ts_node_end_byte(h->node);
	uint32_t except_line = fl_line_of(f, s);
	for (size_t i = 0; i < f->m.comments.n; i++) {
		const struct fl_comment *c = &f->m.comments.v[i];
		if (c->start >= s && c->start < e && c->line > except_line)
			return true;
		if (c->start >= e)
			break;
	}
	return false;
}

/* The deciding statement, on one line ("pass", "return None"). */
static const char *statement_text(struct fl_file *f, TSNode stmt)
{
	const char *t = fl_text(f, stmt);
	size_t n = strcspn(t, "\n#");
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n > 60)
		n = 60;
	return arena_strndup(f->a, t, n);
}

/* ---- the handler falls through to code that assumes success ---------- */

struct unbound {
	struct fl_file *f;
	const char *name;
	int handler;     /* the except clause's CFG node */
};

static uint8_t ub_transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			   bool exc)
{
	struct unbound *u = ud;
	(void)exc;
	if (n == u->handler)
		return 1; /* the failure was swallowed: the name is unbound */
	if (s == 1 && py_name_event(u->f, cfg_node_code(g, n), u->name,
				    NULL) == EV_REBIND)
		return PS_STOP; /* bound again before any use */
	return s;
}

static bool ub_read(void *ud, const struct cfg *g, int n, uint8_t s)
{
	struct unbound *u = ud;
	if (s != 1)
		return false;
	enum py_event ev = py_name_event(u->f, cfg_node_code(g, n), u->name,
					 NULL);
	return ev != EV_NONE && ev != EV_REBIND;
}

/* Was `name` bound in the function before byte `before` (a parameter, an
 * earlier assignment, a loop variable, an import)? */
struct bound_before {
	uint32_t before;
	bool found;
};

static bool note_binding(void *ud, const TSNode *path, size_t n)
{
	struct bound_before *b = ud;
	if (ts_node_start_byte(path[n - 1]) < b->before) {
		b->found = true;
		return false;
	}
	return true;
}

/*
 *   try:
 *       data = sock.recv(4096)
 *   except Exception:
 *       pass
 *   process(data)        <- UnboundLocalError when recv failed
 *
 * A name bound only inside the try body, read after the try on a path
 * through the silent handler: the code assumes the try succeeded.  Any
 * exception type (a narrow one too): the read fails either way.
 */
/* Exceptions of failing operations (not of probes): the handler expects
 * the try body's work to fail for real. */
static bool io_failure_type(struct fl_file *f, const struct fl_handler *h)
{
	static const char *const names[] = {
		"OSError", "IOError", "EnvironmentError", "socket.error",
		"ConnectionError", "TimeoutError", "socket.timeout",
		"subprocess.CalledProcessError", "subprocess.SubprocessError",
		"requests.RequestException",
		"requests.exceptions.RequestException", "sqlite3.Error",
		"sqlite3.OperationalError", "psycopg2.Error", "ssl.SSLError",
		"BrokenPipeError", "ConnectionResetError",
	};
	const char *what;
	if (catches_all(f, h, &what))
		return true;
	TSNode t = fl_unparen(f, h->type);
	if (ts_node_is_null(t))
		return true;
	const char *q = model_resolve(f, fl_text(f, t));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(q, names[i]))
			return true;
	return false;
}

static bool falls_into_use(struct fl_file *f, const struct fl_try *t,
			   const struct fl_handler *h)
{
	if (t->func < 0 || t->in_loop)
		return false; /* in a loop, an earlier pass may have bound it */
	/* except KeyError / NameError / ImportError: a probe whose fallback
	 * is the author's design (`try: dc = DefaultContext except
	 * NameError: pass`); only failures of real work are judged */
	if (!io_failure_type(f, h))
		return false;
	const struct cfg *g = cfg_of(f, t->func);
	if (!g)
		return false;
	int hn = -1;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.v[i].kind == N_HANDLER &&
		    ts_node_eq(g->nodes.v[i].node, h->node))
			hn = (int)i;
	if (hn < 0)
		return false;
	/* names bound by the top-level statements of the try body */
	uint32_t n = ts_node_named_child_count(t->body);
	for (uint32_t i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(t->body, i);
		if (fl_kind(f, st) != PK_expression_statement)
			continue;
		TSNode a = ts_node_named_child(st, 0);
		if (fl_kind(f, a) != PK_assignment)
			continue;
		TSNode left = fl_child(f, a, F_left);
		if (fl_kind(f, left) != PK_identifier)
			continue;
		/* the binding itself must be able to fail: it calls */
		TSNode right = fl_child(f, a, F_right);
		if (fl_kind(f, fl_unparen(f, right)) != PK_call &&
		    fl_kind(f, right) != PK_await)
			continue;
		const char *name = fl_text(f, left);
		struct bound_before b = {ts_node_start_byte(t->node), false};
		fl_find_names(f, f->m.funcs.v[t->func].node, name, note_binding,
			      &b);
		if (b.found)
			continue; /* bound before the try: stale, not unbound */
		struct unbound u = {f, name, hn};
		struct path_rule rule = {ub_transfer, ub_read, &u, NULL};
		struct path_step path[64];
		size_t len = paths_find(g, hn, 0, &rule, false, path, 64);
		if (!len)
			continue;
		TSNode use = g->nodes.v[path[len - 1].node].node;
		TSNode stmt = h->body;
		handler_silence(f, h->body, &stmt);
		struct fl_finding *fd = fl_report(
			f, &check_exception_swallowed, h->node,
			f->is_test ? CONF_LOW : CONF_HIGH,
			"'%s' is bound only in the try body, but after the "
			"silent except clause the code reads it: when the try "
			"fails, '%s' is unbound",
			name, name);
		fd->severity = SEV_HIGH;
		fl_trace(f, fd, a, "'%s' is bound here, only if nothing "
				   "before it raised", name);
		fl_trace(f, fd, h->node,
			 "the except clause swallows the failure with '%s' and "
			 "falls through",
			 statement_text(f, stmt));
		fl_trace(f, fd, use,
			 "'%s' is read here as if the try had worked: "
			 "UnboundLocalError",
			 name);
		fl_set_hint(fd,
			    "handle the failure (return, raise, or give '%s' a "
			    "value in the except clause)",
			    name);
		return true;
	}
	return false;
}

static void check_handler(struct fl_file *f, const struct fl_try *t,
			  const struct fl_handler *h)
{
	const char *what;
	TSNode stmt = h->body;
	enum silence s = handler_silence(f, h->body, &stmt);
	if (s == S_PASS && falls_into_use(f, t, h))
		return;
	if (!catches_all(f, h, &what))
		return;
	if (s == S_NOT_SILENT)
		return;
	/* Cleanup during error handling or in a finally clause:
	 *   finally:
	 *       try: conn.close()
	 *       except Exception: pass */
	if (t->in_finally || t->in_handler)
		return;
	/* def close(self): / def __del__(self): / def __repr__(self): */
	if (t->func >= 0 && in_cleanup_function(f, t->func))
		return;

	const struct fl_call *first = NULL;
	enum py_effect eff = EFF_NONE;
	bool all_cleanup = true;
	unsigned neffects = 0;
	for (uint32_t i = t->body_call_begin; i < t->body_call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func != t->func)
			continue; /* in a nested def or lambda */
		enum py_effect e = py_call_effect(f, c);
		if (e == EFF_NONE)
			continue;
		neffects++;
		if (!py_is_cleanup_call(c)) {
			all_cleanup = false;
			/* the first action, preferring real I/O over a
			 * change to an attribute's container */
			if (!first || (eff == EFF_STATE && e != EFF_STATE)) {
				first = c;
				eff = e;
			}
		}
	}
	/* try: value = int(text) / import x / getattr(...): no effect */
	if (!neffects)
		return;
	/* try: sock.close()  except Exception: pass  -- best effort */
	if (all_cleanup)
		return;

	enum fl_confidence conf;
	switch (s) {
	case S_PASS:
	case S_CONTINUE:
		conf = CONF_HIGH;
		break;
	case S_RETURN_NONE:
	case S_BREAK:
		conf = CONF_MEDIUM;
		break;
	default:
		conf = CONF_LOW;
		break;
	}
	/* try: self.items.append(parse(x))  except Exception: pass
	 * Only a container on self changes: weaker evidence. */
	if (eff == EFF_STATE)
		conf = CONF_LOW;
	/* except Exception:
	 *     pass  # the peer may be gone already; nothing to do
	 * A comment in the handler says the drop is a decision. */
	if (handler_has_comment(f, h))
		conf = CONF_LOW;
	/* Test code provokes failures and drops them on purpose. */
	if (f->is_test)
		conf = CONF_LOW;
	const char *callee = first->callee ? first->callee : first->method;
	TSNode at = ts_node_is_null(h->type) ? ts_node_child(h->node, 0)
					     : h->type;
	struct fl_finding *fd = fl_report(
		f, &check_exception_swallowed, at, conf,
		"'%s' drops every failure of '%s' (%s) with '%s'", what, callee,
		py_effect_name(eff), statement_text(f, stmt));
	bool bare = ts_node_is_null(h->type) ||
		    strstr(what, "BaseException") != NULL;
	fd->severity = bare ? SEV_HIGH : SEV_MEDIUM;
	fl_trace(f, fd, first->node, "'%s' can fail (%s)", callee,
		 py_effect_name(eff));
	if (neffects > 1)
		fl_trace(f, fd, t->body,
			 "the try body makes %u such calls; any of them may "
			 "fail",
			 neffects);
	fl_trace(f, fd, at,
		 bare ? "'%s' catches everything, even KeyboardInterrupt "
			"and SystemExit"
		      : "'%s' catches every error, programming errors "
			"included",
		 what);
	fl_trace(f, fd, stmt, "%s", silence_text(s, f, stmt));
	fl_set_hint(fd,
		    "catch only the exceptions '%s' is expected to raise, and "
		    "log, re-raise or return the failure (logger.exception "
		    "keeps the traceback)",
		    callee);
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.tries.n; i++) {
		const struct fl_try *t = &f->m.tries.v[i];
		for (int h = t->first_handler; h >= 0;
		     h = f->m.handlers.v[h].next)
			check_handler(f, t, &f->m.handlers.v[h]);
	}
}

const struct fl_check check_exception_swallowed = {
	.code = "ERR001",
	.name = "exception-swallowed",
	.family = FAM_ERR,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-390,CWE-703",
	.summary = "A catch-all except clause silently drops the failure of "
		   "an operation the rest of the program relies on.",
	.fix_hint = "catch the exceptions you expect, and log, re-raise or "
		    "return the failure",
	.file_end = check,
};
