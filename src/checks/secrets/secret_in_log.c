/*
 * SEC001 secret-in-log (Python, C)
 *
 * Heuristic: a value that is a credential by its name (password,
 * db_password, client_secret, api_key, access_token, a config or
 * environment key of that name, getpass(), get_token()...), or that is
 * built from one in the same function (`dsn = f"...{password}@"`,
 * `headers = {"Authorization": f"Bearer {token}"}`), in a method of the
 * same class (`self.dsn` set from it in __init__), or -- by a
 * whole-program fact -- in a property or attribute of a specific name in
 * another file (`settings.archive_dsn`), reaches a place people read:
 *   - a logging call (`logger.info`, `logging.debug`, `log.x`...): its
 *     message, %-arguments, `extra=` and structlog-style keywords;
 *   - `print`, `sys.stdout.write`/`sys.stderr.write`, `sys.exit(msg)`,
 *     `warnings.warn`;
 *   - the message of the exception a `raise` builds: its first argument,
 *     or any argument that builds text;
 *   - the value `__repr__` / `__str__` returns (`self.__dict__` and
 *     `vars(self)` count when the class keeps a credential);
 *   - the repr that @dataclass, attrs, pydantic and NamedTuple generate
 *     from a field named as a credential.
 * Names and derivations are in secret.c; the trace walks from the
 * credential through each assignment to the sink.
 *
 * C (check_c): a credential by name, or a local buffer or string that
 * snprintf/strcpy/g_strdup_printf filled with one, reaching syslog, GLib
 * logging, a log_*() function after its format, stderr (medium) or
 * stdout (low: a program's output).  In both languages a function that
 * tests an opt-in flag (debug_passwords) is not reported.
 *
 * Confidence: high for strong names reaching a log, an exception or a
 * repr; medium for print and friends in a module that also logs (in one
 * that does not, a command prints the credential on purpose: low), for
 * generated reprs (they leak only if someone shows the object) and for
 * attributes matched across files by name.  Weak names (bare token,
 * secret, auth, pwd) are one step lower where the class or function shows
 * authentication and low elsewhere, never reported in lexers; names that
 * only may hold one (credentials, dsn) are low; test code is low.
 *
 * Not reported: masked values (mask(), redact(), sanitize(), hash,
 * digest...), len(), bool(), comparisons, slices (`token[:4]`), literals
 * and constants bound to literals ("invalid password" mentions the word,
 * it is no secret), names whose credential word only qualifies another
 * (password_policy, token_count, secret_name, key_file, auth_method),
 * predicates (has_password, is_token_valid, token_expired), types, calls
 * faultline does not know to pass the value through, sinks that run only
 * when the value is empty (`if not token: raise Missing(token)`), and
 * `raise ndb.Return(token)` (a coroutine's result, not an error).
 */
#include "secret.h"
#include "../../lang/python/api.h"

#include <string.h>

enum sink {
	SINK_LOG,
	SINK_PRINT,
	SINK_STREAM,
	SINK_EXIT,
	SINK_WARN,
	SINK_RAISE,
	SINK_REPR,
};

/* Does the module log through a logging library? */
static bool uses_logging(struct fl_file *f)
{
	static const char *const libs[] = {"logging", "structlog", "loguru"};
	return sec_file_imports(f, libs, ARRAY_SIZE(libs));
}

/*
 * Logs, exception messages and reprs reach people who should not see
 * credentials: high.  The console is where a command-line tool shows its
 * output -- `aws ecr get-login-password` prints a password on purpose --
 * so print and friends are medium where the module also logs (the print
 * is then debugging output left behind), low elsewhere.
 */
static enum fl_confidence sink_confidence(struct fl_file *f,
					  enum sink s)
{
	switch (s) {
	case SINK_LOG:
	case SINK_RAISE:
	case SINK_REPR:
		return CONF_HIGH;
	default:
		/* a C daemon's stderr goes to the journal; its stdout is
		 * the program's output */
		if (f->lang == LANG_C)
			return s == SINK_PRINT ? CONF_LOW : CONF_MEDIUM;
		return uses_logging(f) ? CONF_MEDIUM : CONF_LOW;
	}
}

static struct fl_finding *report(struct fl_file *f, enum sink s, TSNode sink,
				 const char *who, const struct sec_origin *o)
{
	const char *what = sec_describe(f, o);
	struct fl_finding *fd;
	enum fl_confidence conf = sec_confidence(f, o, sink_confidence(f, s));
	/* matched by name across files: one step less sure */
	if (o->via_fact && conf > CONF_LOW)
		conf--;
	const struct fl_check *ck = &check_secret_in_log;
	switch (s) {
	case SINK_LOG:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is written to the log by '%s'", what, who);
		break;
	case SINK_PRINT:
		fd = fl_report(f, ck, o->carrier, conf, "%s is printed by '%s'",
			       what, who);
		break;
	case SINK_STREAM:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is written to the console by '%s'", what,
			       who);
		break;
	case SINK_EXIT:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is printed to standard error by '%s'", what,
			       who);
		break;
	case SINK_WARN:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is shown in a warning by '%s'", what, who);
		break;
	case SINK_RAISE:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is put in the message of '%s', which "
			       "tracebacks and error logs show",
			       what, who);
		break;
	default:
		fd = fl_report(f, ck, o->carrier, conf,
			       "%s is part of what '%s' returns, so every log "
			       "line, traceback or debugger that shows the "
			       "object shows it",
			       what, who);
		break;
	}
	sec_trace(f, fd, o);
	switch (s) {
	case SINK_LOG:
		fl_trace(f, fd, sink, "'%s' writes it to the log", who);
		fl_set_hint(fd, "log what identifies the credential without "
				"revealing it (the user, the host, a key id), "
				"or mask it first");
		break;
	case SINK_PRINT:
	case SINK_STREAM:
	case SINK_EXIT:
	case SINK_WARN:
		fl_trace(f, fd, sink, "'%s' shows it on the console", who);
		fl_set_hint(fd, "show what identifies the credential without "
				"revealing it, or mask it first");
		break;
	case SINK_RAISE:
		fl_trace(f, fd, sink,
			 "the error carries it in its message: every "
			 "traceback, error log and error report repeats it");
		fl_set_hint(fd, "name the user, host or key id in the "
				"message, not the credential");
		break;
	default:
		fl_trace(f, fd, sink, "'%s' returns it", who);
		fl_set_hint(fd, "leave the credential out of the repr, or show "
				"it masked ('***')");
		break;
	}
	return fd;
}

/* Keywords of logging calls that are not shown (exc_info=...). */
static bool quiet_keyword(struct fl_file *f, TSNode kw)
{
	static const char *const quiet[] = {
		"exc_info", "stack_info", "stacklevel", "file", "sep", "end",
		"flush", "category",
	};
	TSNode name = fl_child(f, kw, F_name);
	for (size_t i = 0; i < ARRAY_SIZE(quiet); i++)
		if (fl_text_eq(f, name, quiet[i]))
			return true;
	return false;
}

/* A keyword whose name says the value is not the secret itself:
 * cred_var=, secret_name=, token_type=, key_id=. */
static bool plain_keyword(struct fl_file *f, TSNode kw)
{
	static const char *const heads[] = {
		"name", "names", "var", "variable", "env", "id", "ids", "arn",
		"path", "file", "field", "type", "kind", "length", "len",
		"count", "provider", "method", "source", "location", "url",
	};
	const char *name = sec_text(f, fl_child(f, kw, F_name));
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	if (!n || sec_classify(name).strength)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(heads); i++)
		if (!strcmp(w[n - 1], heads[i]))
			return true;
	return false;
}

/* Does the argument build text (f-string, %, +, format, str())? */
static bool builds_text(struct fl_file *f, TSNode a)
{
	a = fl_unparen(f, a);
	switch (fl_kind(f, a)) {
	case PK_string:
	case PK_concatenated_string:
	case PK_binary_operator:
		return true;
	case PK_call: {
		TSNode fn = fl_child(f, a, F_function);
		if (fl_kind(f, fn) == PK_attribute)
			fn = fl_child(f, fn, F_attribute);
		return fl_text_eq(f, fn, "format") || fl_text_eq(f, fn, "str") ||
		       fl_text_eq(f, fn, "join") || fl_text_eq(f, fn, "repr");
	}
	default:
		return false;
	}
}

/*
 * The first argument of the call that carries a credential.  An
 * exception's message is its first argument or text built from the
 * value (`AuthError(f"bad token {t}")`); other raw arguments are
 * structured fields an exception class may well keep out of its message
 * (`CommandFailedError(err, token)` uses the token to mask the output).
 */
static bool sink_args(struct sec_ctx *c, struct fl_file *f, TSNode call,
		      enum sink s, struct sec_origin *o)
{
	TSNode args = fl_child(f, call, F_arguments);
	uint32_t n = sec_nchild(args), pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		unsigned k = fl_kind(f, a);
		if (k == PK_comment)
			continue;
		if (k == PK_keyword_argument) {
			if (s == SINK_PRINT || quiet_keyword(f, a) ||
			    plain_keyword(f, a))
				continue;
			TSNode v = fl_child(f, a, F_value);
			if (s == SINK_RAISE && !builds_text(f, v))
				continue;
			/* log.info("login", password=pw): the keyword names it */
			if (sec_carries_keyword(c, sec_text(f, fl_child(f, a, F_name)),
						v, o))
				return true;
			continue;
		}
		bool first = pos++ == 0;
		if (!sec_carries(c, a, o))
			continue;
		if (s == SINK_RAISE && !first && !builds_text(f, a) && !o->nstep)
			continue;
		return true;
	}
	return false;
}

/* Is `cond` true only when `name` holds no credential: `not name`,
 * `name is None`, `name == ""`, `"error" in name`, or one operand of an
 * `and` saying so? */
static bool says_empty(struct fl_file *f, TSNode cond, const char *name)
{
	cond = fl_unparen(f, cond);
	switch (fl_kind(f, cond)) {
	case PK_not_operator:
		return fl_text_eq(f, fl_unparen(f, fl_child(f, cond, F_argument)),
				  name);
	case PK_boolean_operator:
		return fl_text_eq(f, fl_child(f, cond, F_operator), "and") &&
		       (says_empty(f, fl_child(f, cond, F_left), name) ||
			says_empty(f, fl_child(f, cond, F_right), name));
	case PK_comparison_operator: {
		if (sec_nchild(cond) != 2)
			return false;
		TSNode l = ts_node_named_child(cond, 0);
		TSNode r = ts_node_named_child(cond, 1);
		const char *op = fl_text(f, ts_node_child(cond, 1));
		/* `if "Code" in credentials`: an error response, by its
		 * shape, not credentials */
		if (!strcmp(op, "in") && fl_text_eq(f, r, name)) {
			const char *key = py_string_value(f, l);
			return key && !sec_classify_key(key).strength;
		}
		if (strcmp(op, "is") && strcmp(op, "=="))
			return false;
		if (!fl_text_eq(f, l, name)) {
			TSNode t = l;
			l = r;
			r = t;
		}
		if (!fl_text_eq(f, l, name))
			return false;
		unsigned rk = fl_kind(f, r);
		return rk == PK_none || fl_text_eq(f, r, "\"\"") ||
		       fl_text_eq(f, r, "''") || fl_text_eq(f, r, "0");
	}
	default:
		return false;
	}
}

/* `if not token: raise MissingToken(token)`: the value shown is empty
 * (the sink runs only when the test says so); `if "Code" in creds:
 * log(creds)` shows an error response. */
static bool empty_here(struct fl_file *f, TSNode sink, const char *name)
{
	TSNode child = sink;
	for (TSNode p = ts_node_parent(sink); !ts_node_is_null(p);
	     child = p, p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		if (k == PK_function_definition || k == PK_class_definition ||
		    k == PK_lambda)
			return false;
		if (k == PK_if_statement &&
		    ts_node_eq(child, fl_child(f, p, F_consequence)) &&
		    says_empty(f, fl_child(f, p, F_condition), name))
			return true;
	}
	return false;
}

/*
 * Report o at a sink -- on the first pass; on the revisit (facts known)
 * only what the facts add.  A first-pass finding through a weak
 * attribute name that a fact would strengthen (settings.archive_dsn) is
 * kept only if no such fact exists: the revisit reports it instead.
 */
static void found(struct fl_file *f, struct sec_ctx *c, enum sink s,
		  TSNode sink, const char *who, struct sec_origin *o,
		  bool revisit)
{
	if (sec_optin_gated(f, sink))
		return;
	if (!revisit) {
		struct fl_finding *fd = report(f, s, sink, who, o);
		if (o->fact_name)
			fl_require_no_fact(fd, FACT_SECRET_ATTR, o->fact_name,
					   "no property or attribute of that "
					   "name is built from a credential");
		return;
	}
	(void)c;
	if (o->via_fact)
		report(f, s, sink, who, o);
}

static void check_calls(struct fl_file *f, struct sec_ctx *c, bool revisit)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *call = &f->m.calls.v[i];
		enum sink s;
		const char *q = call->qname ? call->qname : "";
		if (py_is_logging_call(f, call->node)) {
			s = SINK_LOG;
		} else if (!strcmp(q, "print")) {
			s = SINK_PRINT;
		} else if (!strcmp(q, "sys.stdout.write") ||
			   !strcmp(q, "sys.stderr.write")) {
			s = SINK_STREAM;
		} else if (!strcmp(q, "sys.exit")) {
			s = SINK_EXIT;
		} else if (!strcmp(q, "warnings.warn")) {
			s = SINK_WARN;
		} else if (call->method && call->method[0] >= 'A' &&
			   call->method[0] <= 'Z' &&
			   /* raise ndb.Return(token): a coroutine's result */
			   strcmp(call->method, "Return") &&
			   strcmp(call->method, "StopIteration") &&
			   fl_kind(f, ts_node_parent(call->node)) ==
				   PK_raise_statement) {
			/* raise AuthError(...): exception classes are
			 * CamelCase (asking every call for its parent
			 * would cost a tree walk each) */
			s = SINK_RAISE;
		} else {
			continue;
		}
		struct sec_origin o;
		if (revisit) {
			/* only sinks the facts change */
			sec_use_facts(c, false);
			bool before = sink_args(c, f, call->node, s, &o) &&
				      !o.fact_name;
			sec_use_facts(c, true);
			if (before)
				continue;
		}
		if (!sink_args(c, f, call->node, s, &o) ||
		    empty_here(f, call->node, o.carrier_text))
			continue;
		const char *who = call->callee ? call->callee
					       : py_one_line(f, call->node);
		if (s == SINK_RAISE) {
			TSNode fn = fl_child(f, call->node, F_function);
			who = sec_text(f, fn);
		}
		found(f, c, s, call->node, who, &o, revisit);
	}
}

struct returns {
	struct fl_file *f;
	struct sec_ctx *c;
	const struct fl_func *fn;
	bool revisit;
	bool report;       /* report (a repr), or only find (a property) */
	bool found;
};

static enum fl_visit on_return(void *ud, TSNode n)
{
	struct returns *r = ud;
	unsigned k = fl_kind(r->f, n);
	if (k == PK_function_definition || k == PK_lambda ||
	    k == PK_class_definition)
		return FL_SKIP;
	if (k != PK_return_statement)
		return FL_DESCEND;
	TSNode v = ts_node_named_child(n, 0);
	struct sec_origin o;
	if (ts_node_is_null(v) || !sec_carries(r->c, v, &o))
		return FL_SKIP;
	if (!r->report) {
		if (o.strength != SEC_STRONG || o.via_fact)
			return FL_SKIP;
		r->found = true;
		return FL_STOP;
	}
	found(r->f, r->c, SINK_REPR, n, r->fn->qualname, &o, r->revisit);
	return FL_STOP;
}

static void check_reprs(struct fl_file *f, struct sec_ctx *c, bool revisit)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->cls < 0 || (strcmp(fn->name, "__repr__") &&
				    strcmp(fn->name, "__str__")))
			continue;
		struct returns r = {f, c, fn, revisit, true, false};
		TSNode body = fl_child(f, fn->node, F_body);
		if (!ts_node_is_null(body))
			fl_preorder(body, on_return, &r);
	}
}

/* The last component of a dotted name's text ("dataclasses.dataclass"
 * -> "dataclass"), for a decorator or base class expression. */
static const char *last_name(struct fl_file *f, TSNode n)
{
	if (fl_kind(f, n) == PK_call)
		n = fl_child(f, n, F_function);
	if (fl_kind(f, n) == PK_attribute)
		n = fl_child(f, n, F_attribute);
	return fl_kind(f, n) == PK_identifier ? fl_text(f, n) : "";
}

/* The first decorator of def (a function or class) whose last name is
 * one of names: its expression (a name or a call), or a null node. */
static TSNode decorator(struct fl_file *f, TSNode def,
			const char *const *names, size_t n)
{
	TSNode none = {{0}, NULL, NULL};
	TSNode dd = ts_node_parent(def);
	if (fl_kind(f, dd) != PK_decorated_definition)
		return none;
	uint32_t cnt = sec_nchild(dd);
	for (uint32_t i = 0; i < cnt; i++) {
		TSNode d = ts_node_named_child(dd, i);
		if (fl_kind(f, d) != PK_decorator)
			continue;
		TSNode e = ts_node_named_child(d, 0);
		const char *name = last_name(f, e);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(name, names[k]))
				return e;
	}
	return none;
}

static bool is_property(struct fl_file *f, TSNode def)
{
	static const char *const props[] = {"property", "cached_property"};
	return !ts_node_is_null(decorator(f, def, props, ARRAY_SIZE(props)));
}

/*
 * Facts for other files: a property whose value is built from a
 * credential (`def archive_dsn(self): return f"...{self.password}@..."`)
 * and `self.x = <built from a credential>`, for names specific enough
 * to match by (sec_fact_name).
 */
static void record_facts(struct fl_file *f, struct sec_ctx *c)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->cls < 0 || !sec_fact_name(fn->name) ||
		    !is_property(f, fn->node))
			continue;
		struct returns r = {f, c, fn, false, false, false};
		TSNode body = fl_child(f, fn->node, F_body);
		if (!ts_node_is_null(body))
			fl_preorder(body, on_return, &r);
		if (r.found)
			fl_fact(f, FACT_SECRET_ATTR, fn->name, fn->node);
	}
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->kind != ACC_STORE || !sec_fact_name(a->name))
			continue;
		TSNode asg = py_access_assignment(f, a);
		struct sec_origin o;
		if (!ts_node_is_null(asg) &&
		    sec_carries(c, fl_child(f, asg, F_right), &o) &&
		    o.strength == SEC_STRONG && !o.via_fact)
			fl_fact(f, FACT_SECRET_ATTR, a->name, a->node);
	}
}

static bool keyword_false(struct fl_file *f, TSNode call, const char *kw)
{
	if (fl_kind(f, call) != PK_call)
		return false;
	TSNode args = fl_child(f, call, F_arguments);
	uint32_t n = sec_nchild(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (fl_kind(f, a) == PK_keyword_argument &&
		    fl_text_eq(f, fl_child(f, a, F_name), kw))
			return fl_kind(f, fl_child(f, a, F_value)) == PK_false;
	}
	return false;
}

/* What generates the class's repr from its fields: "dataclass",
 * "attrs class", "pydantic model", "NamedTuple", or NULL. */
static const char *generated_repr(struct fl_file *f, TSNode cls)
{
	static const char *const decorators[] = {
		"dataclass", "define", "frozen", "mutable", "s", "attrs",
	};
	TSNode e = decorator(f, cls, decorators, ARRAY_SIZE(decorators));
	if (!ts_node_is_null(e)) {
		/* @dataclass(repr=False) writes no repr */
		if (keyword_false(f, e, "repr"))
			return NULL;
		if (!strcmp(last_name(f, e), "dataclass"))
			return "dataclass";
		/* @s / @define: attrs only by its module */
		const char *q = model_resolve(
			f, sec_text(f, fl_kind(f, e) == PK_call
					       ? fl_child(f, e, F_function)
					       : e));
		if (q && (!strncmp(q, "attr.", 5) || !strncmp(q, "attrs.", 6)))
			return "attrs class";
	}
	TSNode bases = fl_child(f, cls, F_superclasses);
	uint32_t n = sec_nchild(bases);
	for (uint32_t i = 0; i < n; i++) {
		const char *b = last_name(f, ts_node_named_child(bases, i));
		if (!strcmp(b, "BaseModel") || !strcmp(b, "BaseSettings"))
			return "pydantic model";
		if (!strcmp(b, "NamedTuple"))
			return "NamedTuple";
	}
	return NULL;
}

/* Does the class body define __repr__ (or __str__ for NamedTuples)? */
static bool defines_repr(struct fl_file *f, TSNode body)
{
	uint32_t n = sec_nchild(body);
	for (uint32_t i = 0; i < n; i++) {
		TSNode d = ts_node_named_child(body, i);
		if (fl_kind(f, d) == PK_decorated_definition)
			d = fl_child(f, d, F_definition);
		if (fl_kind(f, d) == PK_function_definition &&
		    fl_text_eq(f, fl_child(f, d, F_name), "__repr__"))
			return true;
	}
	return false;
}

struct secret_type {
	struct fl_file *f;
	bool yes;
};

static enum fl_visit on_type_name(void *ud, TSNode n)
{
	struct secret_type *st = ud;
	if (fl_kind(st->f, n) == PK_identifier &&
	    !strncmp(fl_text(st->f, n), "Secret", 6)) {
		st->yes = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

/* A type that hides its value: SecretStr, SecretBytes, Secret[str]. */
static bool secret_type(struct fl_file *f, TSNode type)
{
	struct secret_type st = {f, false};
	fl_preorder(type, on_type_name, &st);
	return st.yes;
}

/*
 * @dataclass class DbConfig: password: str -- the generated __repr__
 * shows every field, so logging the object logs the password.  Fields
 * declared with field(repr=False) / attr.ib(repr=False) /
 * Field(repr=False) or typed SecretStr are hidden.
 */
static void check_generated_reprs(struct fl_file *f)
{
	/* a stub (.pyi) declares types; no object is ever shown */
	size_t plen = strlen(f->path);
	if (plen > 4 && !strcmp(f->path + plen - 4, ".pyi"))
		return;
	for (size_t ci = 0; ci < f->m.classes.n; ci++) {
		TSNode cls = f->m.classes.v[ci].node;
		const char *kind = generated_repr(f, cls);
		TSNode body = fl_child(f, cls, F_body);
		if (!kind || ts_node_is_null(body) || defines_repr(f, body))
			continue;
		uint32_t n = sec_nchild(body);
		for (uint32_t i = 0; i < n; i++) {
			TSNode st = ts_node_named_child(body, i);
			if (fl_kind(f, st) != PK_expression_statement)
				continue;
			TSNode asg = ts_node_named_child(st, 0);
			TSNode type = fl_child(f, asg, F_type);
			TSNode name = fl_child(f, asg, F_left);
			TSNode val = fl_child(f, asg, F_right);
			/* attrs: `secret = attr.ib()` needs no annotation */
			bool attrib = !strcmp(kind, "attrs class") &&
				      fl_kind(f, val) == PK_call &&
				      (!strcmp(last_name(f, val), "ib") ||
				       !strcmp(last_name(f, val), "attrib") ||
				       !strcmp(last_name(f, val), "field"));
			if (fl_kind(f, asg) != PK_assignment ||
			    (ts_node_is_null(type) && !attrib) ||
			    fl_kind(f, name) != PK_identifier)
				continue;
			const char *fname = fl_text(f, name);
			struct sec_name nm = sec_classify(fname);
			/* ApiKeys: a schema's property name, not a value */
			bool camel = fname[0] >= 'A' && fname[0] <= 'Z' &&
				     strpbrk(fname, "abcdefghijklmnopqrstuvwxyz");
			if (nm.strength != SEC_STRONG || camel ||
			    (!ts_node_is_null(type) && secret_type(f, type)) ||
			    keyword_false(f, val, "repr"))
				continue;
			const char *cname = f->m.classes.v[ci].name;
			struct fl_finding *fd = fl_report(
				f, &check_secret_in_log, name,
				f->is_test ? CONF_LOW : CONF_MEDIUM,
				"'%s' (%s %s) is a field of %s '%s', whose "
				"generated __repr__ shows every field: logging "
				"or printing a '%s' shows the %s",
				fl_text(f, name),
				strchr("aeiouAEIU", nm.noun[0]) ? "an" : "a",
				nm.noun, kind, cname, cname, nm.noun);
			fl_trace(f, fd, cls,
				 "'%s' is a %s: its __repr__ is generated from "
				 "its fields",
				 cname, kind);
			fl_trace(f, fd, name, "'%s' is one of them, shown as is",
				 fl_text(f, name));
			fl_set_hint(fd, "declare it with field(repr=False) (attrs: "
					"attr.ib(repr=False); pydantic: SecretStr), "
					"or write a __repr__ that masks it");
		}
	}
}

/* ------------------------------------------------------------------ */
/* C: printf, syslog, GLib and log_* calls                              */

/*
 * Where each C sink writes: stdout is a program's output (an askpass
 * helper prints the passphrase for ssh to read: low, as print is in a
 * Python command), stderr usually ends in a daemon's journal (medium), a
 * logger is a log (high).  For fprintf/fputs/dprintf the stream decides.
 */
struct c_sink {
	const char *name;
	int skip;          /* leading arguments not shown (stream, level) */
	int stream;        /* argument naming the stream, -1: none, -2: last */
	enum sink kind;
};

static const struct c_sink c_sinks[] = {
	{"printf", 0, -1, SINK_PRINT},    {"puts", 0, -1, SINK_PRINT},
	{"g_print", 0, -1, SINK_PRINT},   {"fprintf", 1, 0, SINK_PRINT},
	{"dprintf", 1, 0, SINK_PRINT},    {"fputs", 0, -2, SINK_PRINT},
	{"perror", 0, -1, SINK_EXIT},     {"warn", 0, -1, SINK_EXIT},
	{"warnx", 0, -1, SINK_EXIT},      {"err", 1, -1, SINK_EXIT},
	{"errx", 1, -1, SINK_EXIT},       {"g_printerr", 0, -1, SINK_EXIT},
	{"syslog", 1, -1, SINK_LOG},      {"g_log", 2, -1, SINK_LOG},
	{"g_message", 0, -1, SINK_LOG},   {"g_debug", 0, -1, SINK_LOG},
	{"g_info", 0, -1, SINK_LOG},      {"g_warning", 0, -1, SINK_LOG},
	{"g_critical", 0, -1, SINK_LOG},  {"g_error", 0, -1, SINK_LOG},
	{"g_set_error", 3, -1, SINK_RAISE},
};

/* log_info(), ngx_log_error(), LOG_ERR(): a logging function by its name
 * (not log(), log10(), login(), catalog_*()). */
static bool c_log_name(const char *name)
{
	static const char *const math[] = {
		"log", "logf", "logl", "log2", "log2f", "log2l", "log10",
		"log10f", "log10l", "log1p", "log1pf", "log1pl", "logb",
		"logbf", "logbl",
	};
	for (size_t i = 0; i < ARRAY_SIZE(math); i++)
		if (!strcmp(name, math[i]))
			return false;
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w[i], "log") || !strcmp(w[i], "logger") ||
		    !strcmp(w[i], "logf"))
			return true;
	return false;
}

static TSNode c_strip(struct fl_file *f, TSNode e)
{
	for (int i = 0; i < 64; i++) {
		unsigned k = fl_kind(f, e);
		if (k == CK_parenthesized_expression)
			e = ts_node_named_child(e, 0);
		else if (k == CK_cast_expression)
			e = fl_child(f, e, F_value);
		else if (k == CK_pointer_expression)
			e = fl_child(f, e, F_argument);
		else
			break;
	}
	return e;
}

static bool c_is_parameter(struct fl_file *f, int fi, const char *name)
{
	TSNode decl = fl_child(f, f->m.funcs.v[fi].node, F_declarator);
	for (int i = 0; i < 16 && !ts_node_is_null(decl) &&
			fl_kind(f, decl) != CK_function_declarator;
	     i++)
		decl = fl_child(f, decl, F_declarator);
	TSNode params = fl_child(f, decl, F_parameters);
	uint32_t n = sec_nchild(params);
	for (uint32_t i = 0; i < n; i++) {
		TSNode d = fl_child(f, ts_node_named_child(params, i), F_declarator);
		for (int k = 0; k < 16 && !ts_node_is_null(d) &&
				fl_kind(f, d) != CK_identifier;
		     k++)
			d = fl_child(f, d, F_declarator);
		if (fl_text_eq(f, d, name))
			return true;
	}
	return false;
}

static void c_origin(struct fl_file *f, struct sec_origin *o, TSNode n,
		     struct sec_name nm, const char *desc)
{
	memset(o, 0, sizeof(*o));
	o->node = n;
	o->text = py_one_line(f, n);
	o->desc = desc;
	o->noun = nm.noun;
	o->strength = nm.strength;
}

/* A credential by its own name: an identifier or a field
 * (cfg->db_password). */
static bool c_named(struct fl_file *f, TSNode e, int fi, struct sec_origin *o)
{
	e = c_strip(f, e);
	unsigned k = fl_kind(f, e);
	TSNode name = k == CK_identifier	  ? e
		      : k == CK_field_expression ? fl_child(f, e, F_field)
						  : (TSNode){{0}, NULL, NULL};
	if (ts_node_is_null(name))
		return false;
	const char *t = fl_text(f, name);
	/* SYSLOG_FACILITY_AUTH, PAM_AUTHTOK: a macro or an enumerator is a
	 * constant, never the secret itself */
	bool lower = false;
	for (const char *p = t; *p && !lower; p++)
		lower = *p >= 'a' && *p <= 'z';
	if (!lower)
		return false;
	struct sec_name nm = sec_classify(t);
	if (nm.strength < SEC_WEAK)
		return false;
	const char *desc =
		k == CK_identifier && fi >= 0 && c_is_parameter(f, fi, t)
			? arena_printf(f->a, "the '%s' argument of '%s'", t,
				       f->m.funcs.v[fi].qualname)
			: arena_printf(f->a, "%s%s by its name",
				       sec_article(nm.noun), nm.noun);
	c_origin(f, o, e, nm, desc);
	return true;
}

/* Do the arguments of call c (from index `from`) name a credential? */
static bool c_args_named(struct fl_file *f, TSNode call, uint32_t from, int fi,
			 struct sec_origin *o)
{
	TSNode args = fl_child(f, call, F_arguments);
	uint32_t n = sec_nchild(args);
	for (uint32_t i = from; i < n; i++)
		if (c_named(f, ts_node_named_child(args, i), fi, o))
			return true;
	return false;
}

/* `snprintf(dsn, ..., password)` / `s = g_strdup_printf(..., password)`
 * before byte `at`: the buffer or string `name` holds the credential. */
static bool c_filled(struct fl_file *f, const char *name, int fi, uint32_t at,
		     struct sec_origin *o)
{
	static const char *const writers[] = {
		"sprintf", "snprintf", "g_snprintf", "strcpy", "strncpy",
		"strlcpy", "strcat", "strncat", "strlcat", "stpcpy",
		"asprintf", "vsnprintf",
	};
	static const char *const makers[] = {
		"g_strdup_printf", "g_strconcat", "strdup", "g_strdup",
		"strndup", "g_strndup", "g_strjoin",
	};
	bool found = false;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func != fi || !c->callee ||
		    ts_node_start_byte(c->node) >= at)
			continue;
		bool writer = false, maker = false;
		for (size_t k = 0; k < ARRAY_SIZE(writers); k++)
			writer |= !strcmp(c->callee, writers[k]);
		for (size_t k = 0; k < ARRAY_SIZE(makers); k++)
			maker |= !strcmp(c->callee, makers[k]);
		struct sec_origin tmp;
		if (writer) {
			TSNode dest = c_strip(
				f, ts_node_named_child(
					   fl_child(f, c->node, F_arguments), 0));
			if (!fl_text_eq(f, dest, name))
				continue;
			if (!c_args_named(f, c->node, 1, fi, &tmp)) {
				found = false; /* overwritten without one */
				continue;
			}
		} else if (maker && c->assigned && !strcmp(c->assigned, name) &&
			   (c->use == USE_ASSIGN || c->use == USE_DECL)) {
			if (!c_args_named(f, c->node, 0, fi, &tmp)) {
				found = false;
				continue;
			}
		} else {
			continue;
		}
		*o = tmp;
		o->step[0].at = c->node;
		o->step[0].msg = arena_printf(f->a, "'%s' is filled with it here "
						    "by '%s'",
					      name, c->callee);
		o->nstep = 1;
		found = true;
	}
	return found;
}

/* The stream of fprintf(stream, ...), fputs(s, stream), dprintf(fd, ...):
 * stdout (or fd 1) is program output, stderr (fd 2) the console a daemon
 * logs to, a stream named as a log (logfp, log_file) a log. */
static enum sink c_stream_kind(struct fl_file *f, const struct c_sink *sk,
			       TSNode args, uint32_t n)
{
	if (sk->stream == -1 || !n)
		return sk->kind;
	TSNode s = c_strip(f, ts_node_named_child(
				      args, sk->stream == -2 ? n - 1
							     : (uint32_t)sk->stream));
	const char *t = fl_text(f, s);
	if (!strcmp(t, "stderr") || !strcmp(t, "2") ||
	    !strcmp(t, "STDERR_FILENO"))
		return SINK_EXIT;
	if (!strcmp(t, "stdout") || !strcmp(t, "1") ||
	    !strcmp(t, "STDOUT_FILENO"))
		return SINK_PRINT;
	char w[8][24];
	size_t nw = py_name_words(t, w, 8);
	for (size_t i = 0; i < nw; i++)
		if (!strcmp(w[i], "log") || !strcmp(w[i], "logfile") ||
		    !strcmp(w[i], "logfp") || !strcmp(w[i], "logger"))
			return SINK_LOG;
	/* some other file: a report, a config written on purpose */
	return SINK_PRINT;
}

/* A printf-style format: a string literal with a conversion in it. */
static bool c_is_format(struct fl_file *f, TSNode e)
{
	e = c_strip(f, e);
	unsigned k = fl_kind(f, e);
	if (k != CK_string_literal && k != CK_concatenated_string)
		return false;
	return strchr(fl_text(f, e), '%') != NULL;
}

static void check_c(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->callee)
			continue;
		const struct c_sink *sk = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(c_sinks) && !sk; k++)
			if (!strcmp(c->callee, c_sinks[k].name))
				sk = &c_sinks[k];
		static const struct c_sink log_like = {"", 0, -1, SINK_LOG};
		if (!sk && c_log_name(c->method ? c->method : c->callee))
			sk = &log_like;
		if (!sk)
			continue;
		TSNode args = fl_child(f, c->node, F_arguments);
		uint32_t n = sec_nchild(args);
		enum sink kind = c_stream_kind(f, sk, args, n);
		/* a function logs by its name only with a format before the
		 * value: auth_request_log_error(req, "... %s", pw) does,
		 * password_verify_log(req, pw, ...) hands pw on to check it */
		bool need_fmt = sk == &log_like, fmt = false;
		struct sec_origin o;
		bool hit = false;
		for (uint32_t a = (uint32_t)sk->skip; a < n && !hit; a++) {
			TSNode arg = ts_node_named_child(args, a);
			if (need_fmt && !fmt) {
				fmt = c_is_format(f, arg);
				continue;
			}
			if (c_named(f, arg, c->func, &o)) {
				hit = true;
			} else {
				TSNode id = c_strip(f, arg);
				hit = fl_kind(f, id) == CK_identifier &&
				      c_filled(f, fl_text(f, id), c->func,
					       ts_node_start_byte(c->node), &o);
			}
			if (hit) {
				o.carrier = arg;
				o.carrier_text = py_one_line(f, arg);
			}
		}
		if (!hit || sec_optin_gated(f, c->node))
			continue;
		/* a weak name (pass, token) is low: no context in C */
		report(f, kind, c->node, c->callee, &o);
	}
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
	if (f->lang != LANG_PYTHON)
		return;
	struct sec_ctx *c = sec_ctx_new(f);
	record_facts(f, c);
	check_calls(f, c, false);
	check_reprs(f, c, false);
	check_generated_reprs(f);
	const char **names;
	size_t n = sec_candidates(c, &names);
	for (size_t i = 0; i < n; i++)
		fl_mention(f, &check_secret_in_log, FACT_SECRET_ATTR, names[i],
			   FACT_NONE, NULL);
}

/* Facts are known: follow attributes other files build from credentials. */
static void revisit(struct fl_file *f)
{
	struct sec_ctx *c = sec_ctx_new(f);
	sec_use_facts(c, true);
	check_calls(f, c, true);
	check_reprs(f, c, true);
}

const struct fl_check check_secret_in_log = {
	.code = "SEC001",
	.name = "secret-in-log",
	.family = FAM_SEC,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-532,CWE-209",
	.summary = "A password, token, key or other credential -- or a "
		   "connection string built from one -- is written to a log, "
		   "printed, put in an exception message or returned by "
		   "__repr__, where anyone who reads logs or tracebacks sees "
		   "it.",
	.fix_hint = "log what identifies the credential without revealing "
		    "it, or mask it",
	.file_end = check,
	.revisit = revisit,
};
