/*
 * CON008 coroutine-not-awaited (Python)
 *
 * Calling an `async def` function only creates a coroutine object; unless
 * someone awaits it (or wraps it in a task), its body never runs.  This
 * check finds calls of coroutine functions whose result is dropped (a
 * statement of its own) or used as a truth value (`if self.is_ready():`
 * -- a coroutine object is always true), resolving the callee:
 *
 *   - `self.m()` / `cls.m()`: a method of the same class in this file;
 *   - `f()`: a module-level function of this file;
 *   - `f()` or `mod.f()` imported from another module: through the
 *     global phase -- every file records its async functions as facts
 *     under each suffix of its module path ("relay.store.save", ...); the
 *     call is left as a mention (two hashes), and the file is revisited
 *     to report it only if the fact exists;
 *   - `obj.m()` on any other receiver: kept only if some class of the
 *     program defines `async def m` and no function or method named m
 *     anywhere is synchronous (medium confidence), and m is not the name
 *     of a common method of builtin or standard-library objects
 *     (`x.close()` on a file must not match `async def close`).
 *
 * This catches the method that became async while its callers were not
 * updated -- the job system audit's shape.
 *
 * Not reported: `await f()`, `create_task(f())`, `gather(f())`, a
 * coroutine returned, assigned, or passed to a call.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

/* Methods of builtin and standard-library objects that a receiver of
 * unknown type is likely to have (never matched by name alone). */
static const char *const common_methods[] = {
	"close",   "send",     "recv",	   "read",     "write",	  "get",
	"put",	   "run",      "start",	   "stop",     "join",	  "wait",
	"connect", "flush",    "update",   "pop",      "append",  "clear",
	"copy",	   "open",     "execute",  "fetch",    "commit",  "cancel",
	"result",  "set",      "reset",	   "shutdown", "acquire", "release",
	"sleep",   "call",     "submit",   "request",  "post",	  "delete",
	"items",   "keys",     "values",   "format",   "encode",  "decode",
	"split",   "strip",    "replace",  "lower",    "upper",	  "sort",
	"insert",  "remove",   "extend",   "add",      "discard", "count",
	"index",   "find",     "match",	   "search",   "sub",	  "load",
	"dump",	   "loads",    "dumps",	   "readline", "readlines", "seek",
	"tell",	   "setdefault", "done",   "drain",    "emit",	  "notify",
	"process", "handle",   "check",	   "exists",   "list",	  "create",
	"save",	   "login",    "logout",   "sendall",  "accept",  "listen",
	"bind",	   "fileno",   "kill",	   "terminate", "poll",	  "communicate",
	"__enter__", "__exit__", "__aenter__", "__aexit__", "__call__",
};

static bool common_method(const char *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(common_methods); i++)
		if (!strcmp(m, common_methods[i]))
			return true;
	return false;
}

/* Module path suffixes of a file: "examples/relay/store.py" ->
 * "examples.relay.store", "relay.store", "store". */
static size_t module_suffixes(struct fl_file *f, const char **out, size_t max)
{
	const char *p = f->path;
	size_t len = strlen(p);
	if (len > 3 && !strcmp(p + len - 3, ".py"))
		len -= 3;
	else if (len > 4 && !strcmp(p + len - 4, ".pyi"))
		len -= 4;
	char *mod = arena_strndup(f->a, p, len);
	for (char *c = mod; *c; c++)
		if (*c == '/')
			*c = '.';
	size_t ml = strlen(mod);
	if (ml > 9 && !strcmp(mod + ml - 9, ".__init__"))
		mod[ml - 9] = '\0';
	size_t n = 0;
	for (const char *s = mod; s && *s && n < max;) {
		out[n++] = s;
		const char *dot = strchr(s, '.');
		s = dot ? dot + 1 : NULL;
	}
	return n;
}

static void record_facts(struct fl_file *f)
{
	const char *mods[16];
	size_t nm = module_suffixes(f, mods, ARRAY_SIZE(mods));
	TSNode none = {{0}, NULL, NULL};
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->is_lambda)
			continue;
		TSNode at = fn->node;
		(void)none;
		if (!fn->is_async) {
			fl_fact(f, FACT_SYNC_DEF, fn->name, at);
			continue;
		}
		if (fn->cls >= 0)
			fl_fact(f, FACT_ASYNC_METHOD, fn->name, at);
		if (fn->parent >= 0)
			continue; /* nested: not reachable by a dotted name */
		for (size_t k = 0; k < nm; k++)
			fl_fact(f, FACT_ASYNC_DEF,
				arena_printf(f->a, "%s.%s", mods[k], fn->qualname),
				at);
	}
}

/* A function of this file the call names: `self.m` in the same class, or
 * a module-level `f`.  -1 when not found. */
static int local_callee(struct fl_file *f, const struct fl_call *c)
{
	const char *name = NULL;
	int cls = c->func >= 0 ? f->m.funcs.v[c->func].cls : -1;
	/* a nested function sees its enclosing method's class */
	for (int p = c->func; p >= 0 && cls < 0; p = f->m.funcs.v[p].parent)
		cls = f->m.funcs.v[p].cls;
	bool method = false;
	if ((!strncmp(c->callee, "self.", 5) || !strncmp(c->callee, "cls.", 4)) &&
	    !strchr(strchr(c->callee, '.') + 1, '.')) {
		name = strchr(c->callee, '.') + 1;
		method = true;
	} else if (!strchr(c->callee, '.') && !strcmp(c->callee, c->qname)) {
		name = c->callee;
	} else {
		return -1;
	}
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (strcmp(fn->name, name))
			continue;
		if (method ? (cls >= 0 && fn->cls == cls)
			   : (fn->parent < 0 && fn->cls < 0))
			return (int)i;
	}
	return -1;
}

static struct fl_finding *report(struct fl_file *f, const struct fl_call *c,
				 enum fl_confidence conf, const char *where)
{
	if (f->is_test && conf > CONF_LOW)
		conf = CONF_LOW;
	struct fl_finding *fd;
	if (c->use == USE_COND)
		fd = fl_report(f, &check_coroutine_not_awaited, c->node, conf,
			       "'%s' is a coroutine function: '%s()' tests a "
			       "coroutine object, which is always true, and the "
			       "call never runs",
			       c->callee, c->callee);
	else
		fd = fl_report(f, &check_coroutine_not_awaited, c->node, conf,
			       "'%s' is a coroutine function (async def): this "
			       "call creates a coroutine and drops it, so its "
			       "body never runs",
			       c->callee);
	if (where)
		fl_trace(f, fd, c->node, "%s", where);
	const struct fl_func *caller =
		c->func >= 0 ? &f->m.funcs.v[c->func] : NULL;
	if (caller && !caller->is_async)
		fl_trace(f, fd, caller->node,
			 "'%s' is not async, so it cannot await the call: the "
			 "callee probably became async after this caller was "
			 "written",
			 caller->qualname);
	else
		fl_trace(f, fd, c->node,
			 "nothing awaits the coroutine or wraps it in a task");
	fl_set_hint(fd,
		    caller && !caller->is_async
			    ? "make the caller async and 'await %s(...)', or "
			      "schedule it with asyncio.create_task / "
			      "run_coroutine_threadsafe"
			    : "'await %s(...)' (or wrap it in asyncio.create_task "
			      "and keep the task)",
		    c->callee);
	return fd;
}

/*
 * The calls this check judges, with how far each is resolved here.  In
 * the first pass, calls that need the whole program become mentions (two
 * hashes each); the revisit, run only on files whose mentions the facts
 * answered, makes the findings.
 */
static void each_call(struct fl_file *f, bool revisit)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if ((c->flags & CALL_AWAITED) || !c->callee || !c->method ||
		    (c->use != USE_DISCARD && c->use != USE_COND))
			continue;
		int local = local_callee(f, c);
		if (local >= 0) {
			if (revisit || !f->m.funcs.v[local].is_async)
				continue;
			struct fl_finding *fd = report(f, c, CONF_HIGH, NULL);
			fl_trace(f, fd, f->m.funcs.v[local].node,
				 "'%s' is declared 'async def' here",
				 f->m.funcs.v[local].qualname);
			continue;
		}
		/* imported: from relay.store import save / store.save() */
		if (strcmp(c->qname, c->callee)) {
			const char *key = c->qname;
			while (*key == '.')
				key++;
			if (!strchr(key, '.'))
				continue;
			if (!revisit) {
				fl_mention(f, &check_coroutine_not_awaited,
					   FACT_ASYNC_DEF, key, FACT_NONE, NULL);
			} else if (fl_has_fact(f, FACT_ASYNC_DEF, key)) {
				struct fl_finding *fd =
					report(f, c, CONF_HIGH, NULL);
				fl_trace(f, fd, c->node,
					 "'%s' is declared 'async def' in the "
					 "scanned program",
					 key);
			}
			continue;
		}
		/* obj.m(), self.obj.m(): known only by the method's name
		 * (self.m() not found in the class is inherited from
		 * elsewhere: not judged) */
		const char *dot = strchr(c->callee, '.');
		bool own = (!strncmp(c->callee, "self.", 5) ||
			    !strncmp(c->callee, "cls.", 4)) &&
			   !strchr(dot + 1, '.');
		if (!dot || own || common_method(c->method))
			continue;
		if (!revisit) {
			fl_mention(f, &check_coroutine_not_awaited,
				   FACT_ASYNC_METHOD, c->method, FACT_SYNC_DEF,
				   c->method);
		} else if (fl_has_fact(f, FACT_ASYNC_METHOD, c->method) &&
			   !fl_has_fact(f, FACT_SYNC_DEF, c->method)) {
			struct fl_finding *fd = report(f, c, CONF_MEDIUM, NULL);
			fl_trace(f, fd, c->node,
				 "every '%s' defined in the scanned program is "
				 "'async def', and none is synchronous",
				 c->method);
		}
	}
}

static void check(struct fl_file *f)
{
	record_facts(f);
	each_call(f, false);
}

static void revisit(struct fl_file *f)
{
	each_call(f, true);
}

const struct fl_check check_coroutine_not_awaited = {
	.code = "CON008",
	.name = "coroutine-not-awaited",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_HIGH,
	.cwe = "CWE-670,CWE-252",
	.summary = "A coroutine function is called without await, so it only "
		   "creates a coroutine object and its body never runs.",
	.fix_hint = "await it, or schedule it as a task and keep the task",
	.file_end = check,
	.revisit = revisit,
};
