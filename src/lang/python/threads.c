/*
 * threads.c - which functions of a file run on threads the file starts.
 *
 * A thread starts at `threading.Thread(target=f)`, `threading.Timer(t, f)`,
 * `_thread.start_new_thread(f, ...)`, `executor.submit(f, ...)`,
 * `executor.map(f, ...)`, `loop.run_in_executor(ex, f, ...)`, and at the
 * `run` method of a threading.Thread subclass.  f is resolved in the file
 * (`self.m`, a module function, a nested function, a lambda,
 * `functools.partial(f, ...)`), and the context spreads to the functions
 * of the file those call (`self.helper()`, `helper()`), to a fixpoint.
 * Targets handed to a pool, or threads started in a loop, run on several
 * threads at once (PYCTX_MANY).
 */
#include "api.h"

#include <string.h>

/* The n-th positional argument, or the keyword argument kw; null. */
static TSNode arg_of(struct fl_file *f, TSNode call, int pos, const char *kw)
{
	TSNode none = {{0}, NULL, NULL};
	TSNode args = fl_child(f, call, F_arguments);
	if (fl_kind(f, args) != PK_argument_list)
		return none;
	uint32_t n = ts_node_named_child_count(args);
	int at = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		unsigned k = fl_kind(f, a);
		if (k == PK_comment)
			continue;
		if (k == PK_keyword_argument) {
			if (kw && fl_text_eq(f, fl_child(f, a, F_name), kw))
				return fl_child(f, a, F_value);
			continue;
		}
		if (k == PK_list_splat || k == PK_dictionary_splat)
			return none;
		if (at++ == pos)
			return a;
	}
	return none;
}

/* The function of the file an expression names (self.m, f, lambda,
 * partial(f, ...)), or -1. */
static int target_func(struct fl_file *f, int from, TSNode e)
{
	e = fl_unparen(f, e);
	switch (fl_kind(f, e)) {
	case PK_lambda:
		for (size_t i = 0; i < f->m.funcs.n; i++)
			if (ts_node_eq(f->m.funcs.v[i].node, e))
				return (int)i;
		return -1;
	case PK_identifier:
	case PK_attribute:
		return py_local_func(f, from, fl_text(f, e));
	case PK_call: {
		const char *q = model_resolve(
			f, fl_text(f, fl_child(f, e, F_function)));
		if (q && (!strcmp(q, "functools.partial") ||
			  !strcmp(q, "partial")))
			return target_func(f, from, arg_of(f, e, 0, NULL));
		return -1;
	}
	default:
		return -1;
	}
}

static bool receiver_is_pool(const char *callee, const char *method)
{
	/* executor.submit / self._pool.map / ex.map: the receiver names a
	 * pool or an executor */
	if (strlen(callee) <= strlen(method))
		return false;
	size_t len = strlen(callee) - strlen(method) - 1;
	char recv[128];
	if (len >= sizeof(recv))
		return false;
	memcpy(recv, callee, len);
	recv[len] = '\0';
	const char *last = strrchr(recv, '.');
	char w[8][24];
	size_t n = py_name_words(last ? last + 1 : recv, w, 8);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w[i], "executor") || !strcmp(w[i], "pool") ||
		    !strcmp(w[i], "ex") || !strcmp(w[i], "workers") ||
		    !strcmp(w[i], "threadpool"))
			return true;
	return false;
}

/* Does call c start a thread running some function?  Returns the target
 * expression (null if none) and sets *many. */
static TSNode started_target(struct fl_file *f, const struct fl_call *c,
			     bool *many)
{
	TSNode none = {{0}, NULL, NULL};
	*many = (c->flags & CALL_IN_LOOP) != 0;
	const char *q = c->qname;
	if (q && !strcmp(q, "threading.Thread"))
		return arg_of(f, c->node, 1, "target");
	if (q && !strcmp(q, "threading.Timer"))
		return arg_of(f, c->node, 1, "function");
	if (q && (!strcmp(q, "_thread.start_new_thread") ||
		  !strcmp(q, "_thread.start_new")))
		return arg_of(f, c->node, 0, "function");
	if (q && !strcmp(q, "asyncio.to_thread")) {
		/* the loop's default executor: a pool */
		*many = true;
		return arg_of(f, c->node, 0, "func");
	}
	if (!c->callee || !c->method)
		return none;
	if (!strcmp(c->method, "run_in_executor")) {
		*many = true;
		return arg_of(f, c->node, 1, NULL);
	}
	if ((!strcmp(c->method, "submit") || !strcmp(c->method, "map") ||
	     !strcmp(c->method, "apply_async")) &&
	    receiver_is_pool(c->callee, c->method)) {
		*many = true;
		return arg_of(f, c->node, 0, "fn");
	}
	return none;
}

/* Does class ci derive (directly) from a class named in `bases`? */
static bool derives_from(struct fl_file *f, int ci, const char *const *bases,
			 size_t nb)
{
	TSNode sup = fl_child(f, f->m.classes.v[ci].node, F_superclasses);
	uint32_t n = ts_node_is_null(sup) ? 0 : ts_node_named_child_count(sup);
	for (uint32_t i = 0; i < n; i++) {
		TSNode b = ts_node_named_child(sup, i);
		if (fl_kind(f, b) != PK_identifier && fl_kind(f, b) != PK_attribute)
			continue;
		const char *q = model_resolve(f, fl_text(f, b));
		for (size_t k = 0; q && k < nb; k++)
			if (!strcmp(q, bases[k]))
				return true;
	}
	return false;
}

/* Request handlers of socketserver and http.server: a threading server
 * runs handle() / do_GET() on a thread per request. */
static bool handler_entry(struct fl_file *f, const struct fl_func *fn)
{
	static const char *const bases[] = {
		"socketserver.BaseRequestHandler",
		"socketserver.StreamRequestHandler",
		"socketserver.DatagramRequestHandler",
		"http.server.BaseHTTPRequestHandler",
		"http.server.SimpleHTTPRequestHandler",
		"http.server.CGIHTTPRequestHandler",
	};
	if (fn->cls < 0 || fn->is_async ||
	    (strcmp(fn->name, "handle") && strncmp(fn->name, "do_", 3)))
		return false;
	return derives_from(f, fn->cls, bases, ARRAY_SIZE(bases));
}

/* Is class ci a threading.Thread subclass? */
static bool thread_subclass(struct fl_file *f, int ci)
{
	static const char *const bases[] = {"threading.Thread"};
	return derives_from(f, ci, bases, 1);
}

/* Spread thread contexts through calls within the file, to a fixpoint. */
static void spread(struct fl_file *f)
{
	size_t nf = f->m.funcs.n;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < nf; i++) {
			uint8_t cx = f->m.ctx[i] &
				     (PYCTX_THREAD | PYCTX_MANY | PYCTX_OWN_SELF);
			if (!cx)
				continue;
			const struct fl_func *fn = &f->m.funcs.v[i];
			for (uint32_t k = fn->call_begin; k < fn->call_end; k++) {
				const struct fl_call *c = &f->m.calls.v[k];
				if (c->func != (int)i)
					continue;
				int t = py_local_func(f, (int)i, c->callee);
				if (t < 0 || f->m.funcs.v[t].is_async ||
				    (f->m.ctx[t] | cx) == f->m.ctx[t])
					continue;
				f->m.ctx[t] |= cx;
				if (f->m.ctx_start[t] < 0)
					f->m.ctx_start[t] = f->m.ctx_start[i];
				changed = true;
			}
		}
	}
}

static void compute(struct fl_file *f)
{
	size_t nf = f->m.funcs.n;
	f->m.ctx = arena_alloc(f->a, nf ? nf : 1);
	f->m.ctx_start = arena_alloc(f->a, (nf ? nf : 1) * sizeof(int));
	for (size_t i = 0; i < nf; i++)
		f->m.ctx_start[i] = -1;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		bool many = false;
		TSNode t = started_target(f, c, &many);
		if (ts_node_is_null(t))
			continue;
		int fi = target_func(f, c->func, t);
		if (fi < 0 || f->m.funcs.v[fi].is_async)
			continue;
		f->m.ctx[fi] |= PYCTX_THREAD | PYCTX_ENTRY |
				(many ? PYCTX_MANY : 0);
		if (f->m.ctx_start[fi] < 0)
			f->m.ctx_start[fi] = (int)i;
	}
	for (size_t i = 0; i < nf; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->cls >= 0 && !strcmp(fn->name, "run") &&
		    thread_subclass(f, fn->cls))
			f->m.ctx[i] |= PYCTX_THREAD | PYCTX_ENTRY;
		else if (handler_entry(f, fn))
			f->m.ctx[i] |= PYCTX_THREAD | PYCTX_MANY | PYCTX_ENTRY |
				       PYCTX_OWN_SELF;
	}
	spread(f);
}

/* Is the first component of a dotted name an import of this file? */
static bool imported_name(struct fl_file *f, const char *text)
{
	size_t n = strcspn(text, ".");
	for (size_t i = 0; i < f->m.imports.n; i++) {
		const char *a = f->m.imports.v[i].alias;
		if (a && strlen(a) == n && !strncmp(a, text, n))
			return true;
	}
	return false;
}

/* "pkg.telemetry.flush_loop" -> "telemetry.flush_loop" */
static const char *last_two(struct fl_file *f, const char *q)
{
	const char *last = strrchr(q, '.');
	if (!last)
		return NULL;
	const char *p = last;
	while (p > q && p[-1] != '.')
		p--;
	return arena_strndup(f->a, p, strlen(p));
}

void py_record_thread_facts(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		bool many = false;
		TSNode t = fl_unparen(f, started_target(f, c, &many));
		unsigned k = fl_kind(f, t);
		if (k != PK_identifier && k != PK_attribute)
			continue;
		const char *text = fl_text(f, t);
		if (py_local_func(f, c->func, text) >= 0 ||
		    !imported_name(f, text))
			continue;
		const char *q = model_resolve(f, text);
		while (q && *q == '.')
			q++;
		const char *key = q ? last_two(f, q) : NULL;
		if (key)
			fl_fact(f, FACT_THREAD_TARGET, key, c->node);
	}
}

const char *py_module_key(struct fl_file *f, int func)
{
	const char *p = f->path;
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	size_t len = strcspn(base, ".");
	if (!strcmp(base, "__init__.py") && base > p + 1) {
		/* a package: its directory's name */
		const char *dir = base - 1;
		while (dir > p && dir[-1] != '/')
			dir--;
		base = dir;
		len = (size_t)(strchr(dir, '/') - dir);
	}
	return arena_printf(f->a, "%.*s.%s", (int)len, base,
			    f->m.funcs.v[func].name);
}

void py_ctx_add_entry(struct fl_file *f, int func)
{
	if (!f->m.ctx)
		compute(f);
	f->m.ctx[func] |= PYCTX_THREAD | PYCTX_ENTRY;
	spread(f);
}

uint8_t py_func_ctx(struct fl_file *f, int func)
{
	if (func < 0)
		return 0;
	if (!f->m.ctx)
		compute(f);
	return f->m.ctx[func];
}

int py_ctx_start(struct fl_file *f, int func)
{
	if (func < 0)
		return -1;
	if (!f->m.ctx)
		compute(f);
	return f->m.ctx_start[func];
}

/* ------------------------------------------------------------------ */
/* Locks                                                               */

bool py_lock_name(const char *name)
{
	/* the last word names it: state_lock, _cv, _mutex; not
	 * lock_timeout or _cv_tokens */
	static const char *const words[] = {
		"lock", "mutex", "rlock", "cond", "condition", "cv", "mtx",
	};
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	for (size_t k = 0; n && k < ARRAY_SIZE(words); k++)
		if (!strcmp(w[n - 1], words[k]))
			return true;
	return false;
}

/* The value stored by an ACC_STORE access, resolved to a qualified
 * callee when it is a call ("threading.Lock"), or NULL. */
static const char *stored_ctor(struct fl_file *f, const struct fl_access *a)
{
	TSNode asg = py_access_assignment(f, a);
	if (ts_node_is_null(asg))
		return NULL;
	TSNode v = fl_unparen(f, fl_child(f, asg, F_right));
	if (fl_kind(f, v) != PK_call)
		return NULL;
	return model_resolve(f, fl_text(f, fl_child(f, v, F_function)));
}

/* Is self.<name> set somewhere in class ci to a call of a constructor
 * pred accepts? */
static bool stored_from(struct fl_file *f, int ci, const char *name,
			bool (*pred)(const char *qname))
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->kind != ACC_STORE || a->func < 0 ||
		    f->m.funcs.v[a->func].cls != ci || strcmp(a->name, name))
			continue;
		const char *q = stored_ctor(f, a);
		if (q && pred(q))
			return true;
	}
	return false;
}

bool py_thread_safe_ctor(const char *q)
{
	return py_is_lock_ctor(q) || !strncmp(q, "queue.", 6) ||
	       !strncmp(q, "asyncio.", 8) || !strcmp(q, "threading.Event") ||
	       !strcmp(q, "threading.local") || !strcmp(q, "threading.Thread") ||
	       !strcmp(q, "threading.Barrier") ||
	       !strncmp(q, "concurrent.futures.", 19) ||
	       !strncmp(q, "multiprocessing.", 16);
}

static bool async_lock_ctor(const char *q)
{
	return !strncmp(q, "asyncio.", 8) || !strncmp(q, "trio.", 5) ||
	       !strncmp(q, "anyio.", 6);
}

/* Attributes of class ci that hold thread-safe objects: a lock, an event,
 * a queue, a thread-local... accessing them needs no lock. */
bool py_thread_safe_attr(struct fl_file *f, int ci, const char *name)
{
	return py_lock_name(name) ||
	       stored_from(f, ci, name, py_thread_safe_ctor);
}

/* Is self.<name> of class ci an asyncio lock (not a thread lock)? */
static bool asyncio_lock(struct fl_file *f, int ci, const char *name)
{
	return stored_from(f, ci, name, async_lock_ctor);
}

/* The lock a with-item value names: self.X -> "X" (a thread lock of the
 * class), a module-level name -> the name; NULL if it is no lock. */
const char *py_with_lock(struct fl_file *f, int ci, TSNode v)
{
	v = fl_unparen(f, v);
	const char *name = NULL;
	if (fl_kind(f, v) == PK_attribute) {
		TSNode obj = fl_child(f, v, F_object);
		if (!fl_text_eq(f, obj, "self") && !fl_text_eq(f, obj, "cls"))
			return NULL;
		name = fl_text(f, fl_child(f, v, F_attribute));
		if (asyncio_lock(f, ci, name))
			return NULL;
	} else if (fl_kind(f, v) == PK_identifier) {
		name = fl_text(f, v);
	} else {
		return NULL;
	}
	return py_lock_name(name) ? name : NULL;
}

