/*
 * RES003 cleanup-not-in-finally (Python)
 *
 * Heuristic: a function whose body ends with two or more cleanup
 * statements on different objects -- `x.close()`, `.stop()`, `.join()`,
 * `.shutdown()`, `.terminate()`, `.cancel()`, `.disconnect()`, `.quit()`,
 * `stop_event.set()`, or such a call wrapped in its own try/except --
 * outside any finally or with, while the work before them can raise: the
 * control-flow graph has a path from the function's entry through an
 * exception edge to its exit that never reaches the cleanup.  The trace
 * names the call that raises and the cleanup it skips.
 *
 * Not reported: cleanup inside finally or with blocks; functions whose job
 * is cleanup (close, stop, shutdown, __exit__, teardown...), where one
 * failing close skipping the next is a different matter; a single cleanup
 * call (RES001 judges single resources).
 *
 * False-positive policy: the raise must be able to leave the function
 * (an enclosing except that swallows it, or a handler, stops the path).
 * High confidence when a call raises.
 */
#include "../../core/cfg.h"
#include "../../lang/python/api.h"

#include <string.h>

static const char *const cleanup_methods[] = {
	"close",  "stop",    "join",	"shutdown", "terminate", "cancel",
	"disconnect", "quit", "kill",	"aclose",   "wait_closed", "cleanup",
	"unlink", "release",
};

/* The cleanup call of statement s (`x.close()`, `stop.set()`, a
 * try/except wrapping one), or a null node. */
static TSNode cleanup_call(struct fl_file *f, TSNode s)
{
	TSNode none = {{0}, NULL, NULL};
	if (fl_kind(f, s) == PK_try_statement) {
		/* try: self.tx.close()  except OSError: pass */
		if (!ts_node_is_null(fl_child_of_kind(f, s, PK_finally_clause)))
			return none;
		TSNode body = fl_child(f, s, F_body);
		if (ts_node_named_child_count(body) != 1)
			return none;
		return cleanup_call(f, ts_node_named_child(body, 0));
	}
	if (fl_kind(f, s) != PK_expression_statement)
		return none;
	TSNode e = ts_node_named_child(s, 0);
	if (fl_kind(f, e) == PK_await)
		e = ts_node_named_child(e, 0);
	if (fl_kind(f, e) != PK_call)
		return none;
	TSNode fn = fl_child(f, e, F_function);
	if (fl_kind(f, fn) != PK_attribute)
		return none;
	TSNode m = fl_child(f, fn, F_attribute);
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_methods); i++)
		if (fl_text_eq(f, m, cleanup_methods[i]))
			return e;
	/* stop_event.set() / self._stopping.set() */
	if (fl_text_eq(f, m, "set")) {
		const char *recv = fl_text(f, fl_child(f, fn, F_object));
		if (strstr(recv, "stop") || strstr(recv, "shutdown") ||
		    strstr(recv, "quit") || strstr(recv, "exit"))
			return e;
	}
	return none;
}

struct tail {
	struct fl_file *f;
	int first;            /* CFG node of the first cleanup statement */
	const char *locals[16]; /* receivers that are local names */
	int nlocals;
	bool likely_only;     /* follow only raises that happen in practice */
};

/* State 0: nothing to clean up yet (the local objects the cleanup acts on
 * do not exist); 1: something exists that the cleanup would close. */
static uint8_t transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			bool exc)
{
	struct tail *t = ud;
	if (n == t->first)
		return PS_STOP; /* the cleanup ran */
	if (exc && t->likely_only && !py_node_likely_raises(t->f, g, n))
		return PS_STOP;
	if (s == 0 && !exc)
		for (int i = 0; i < t->nlocals; i++)
			if (py_name_event(t->f, cfg_node_code(g, n),
					  t->locals[i], NULL) == EV_REBIND)
				return 1;
	return s;
}

static bool escapes(void *ud, const struct cfg *g, int n, uint8_t s)
{
	(void)ud;
	return s == 1 && n == g->raise;
}

static bool no_exc_copies(void *ud, const struct cfg *g, int n, uint32_t i,
			  uint8_t s)
{
	(void)ud;
	(void)s;
	/* an except clause catching the failure ends this question */
	const struct cfg_node *nd = &g->nodes.v[n];
	if (nd->kind == N_DISPATCH)
		return g->nodes.v[nd->succ[i]].kind == N_HANDLER;
	return true;
}

static void check_func(struct fl_file *f, int fi)
{
	const struct fl_func *fn = &f->m.funcs.v[fi];
	if (fn->is_lambda || py_is_cleanup_func(fn->name))
		return;
	TSNode body = fl_child(f, fn->node, F_body);
	uint32_t n = ts_node_named_child_count(body);
	/* Collect the tail of cleanup statements (a final return allowed). */
	TSNode calls[16];
	TSNode stmts[16];
	int k = 0;
	uint32_t i = n;
	while (i > 0) {
		TSNode s = ts_node_named_child(body, i - 1);
		unsigned sk = fl_kind(f, s);
		if (sk == PK_comment ||
		    (sk == PK_return_statement && i == n)) {
			i--;
			continue;
		}
		TSNode c = cleanup_call(f, s);
		if (ts_node_is_null(c) || k == 16)
			break;
		calls[k] = c;
		stmts[k] = s;
		k++;
		i--;
	}
	if (k < 2 || i == 0)
		return; /* no work before the cleanup */
	/* two different objects */
	const char *r0 = fl_text(f, fl_child(f, fl_child(f, calls[0], F_function),
					     F_object));
	bool differ = false;
	for (int j = 1; j < k && !differ; j++)
		differ = strcmp(r0, fl_text(f, fl_child(f, fl_child(f, calls[j],
								  F_function),
						       F_object))) != 0;
	if (!differ)
		return;
	/* at least one call releases something (joins and releases of
	 * threads and locks alone are not "cleanup of resources") */
	bool closes = false;
	for (int j = 0; j < k && !closes; j++) {
		TSNode m = fl_child(f, fl_child(f, calls[j], F_function),
				    F_attribute);
		closes = !fl_text_eq(f, m, "join") &&
			 !fl_text_eq(f, m, "release") &&
			 !fl_text_eq(f, m, "set") &&
			 !fl_text_eq(f, m, "wait_closed");
	}
	if (!closes)
		return;
	const struct cfg *g = cfg_of(f, fi);
	if (!g)
		return;
	struct tail t = {f, cfg_node_at(g, ts_node_start_byte(calls[k - 1])),
			 {0}, 0, true};
	if (t.first < 0)
		return;
	/* Local receivers exist only once assigned; attributes and
	 * parameters exist from the start. */
	bool all_local = true, any_attr = false;
	for (int j = 0; j < k; j++) {
		TSNode recv = fl_child(f, fl_child(f, calls[j], F_function),
				       F_object);
		if (fl_kind(f, recv) == PK_identifier &&
		    !py_is_parameter(f, fi, fl_text(f, recv)))
			t.locals[t.nlocals++] = fl_text(f, recv);
		else
			all_local = false;
		any_attr |= fl_kind(f, recv) == PK_attribute;
	}
	/* Local resources closed at the end are RES001's question; this rule
	 * is about objects that outlive the call (self.events, self.tx). */
	if (!any_attr)
		return;
	struct path_rule rule = {transfer, escapes, &t, no_exc_copies};
	struct path_step path[64];
	/* Prefer a raise that happens in practice (I/O, an await). */
	t.likely_only = true;
	size_t len = paths_find(g, g->entry, all_local ? 0 : 1, &rule, true,
				path, 64);
	if (!len) {
		t.likely_only = false;
		len = paths_find(g, g->entry, all_local ? 0 : 1, &rule, true,
				 path, 64);
	}
	if (!len)
		return;
	int raiser = -1;
	for (size_t j = 0; j < len; j++)
		if (path[j].exc)
			raiser = path[j].node;
	if (raiser < 0)
		return;
	TSNode rn = g->nodes.v[raiser].node;
	struct strbuf list = STRBUF_INIT;
	for (int j = k - 1; j >= 0; j--) {
		const char *ct = fl_text(f, calls[j]);
		size_t cl = strcspn(ct, "\n");
		strbuf_addf(&list, "%s'%.*s'", j == k - 1 ? "" : ", ",
			    (int)(cl > 50 ? 50 : cl), ct);
	}
	enum fl_confidence conf =
		(g->nodes.v[raiser].flags & NF_RAISES_CALL) ? CONF_HIGH
							    : CONF_MEDIUM;
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_cleanup_not_in_finally, stmts[k - 1], conf,
		"the cleanup at the end of '%s' (%s) is skipped when '%s' "
		"raises: it is not in a finally clause",
		fn->qualname, list.buf, py_node_name(f, g, raiser));
	fl_trace(f, fd, rn, "'%s' can raise", py_one_line(f, rn));
	fl_trace(f, fd, stmts[k - 1],
		 "the cleanup starts here, reached only when nothing before "
		 "it raised");
	fl_trace(f, fd, fn->node,
		 "the exception leaves '%s' with %d objects not closed or "
		 "stopped",
		 fn->qualname, k);
	fl_set_hint(fd,
		    "move the cleanup into a finally clause (or use with "
		    "blocks / contextlib.ExitStack)");
	strbuf_release(&list);
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.funcs.n; i++)
		check_func(f, (int)i);
}

const struct fl_check check_cleanup_not_in_finally = {
	.code = "RES003",
	.name = "cleanup-not-in-finally",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-460,CWE-404",
	.summary = "A function ends with several close/stop/join calls that "
		   "are not in a finally clause, so any exception in the work "
		   "before them skips the whole cleanup.",
	.fix_hint = "move the cleanup into a finally clause",
	.file_end = check,
};
