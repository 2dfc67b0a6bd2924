/*
 * CON001 lock-created-per-call (Python, C)
 *
 * A lock only excludes threads that acquire the *same* lock object.  This
 * check finds locks that are new on every call, so each caller holds its
 * own and nothing is protected:
 *
 *   1. `with threading.Lock():` -- the lock is created by the with itself;
 *   2. `lock = threading.Lock()` inside a function, then `with lock:` or
 *      `lock.acquire()` in the same function, where the lock is never
 *      stored, passed, returned or captured by a nested function;
 *   3. `d.get("lock", threading.Lock())` / `getattr(o, "_lock", Lock())`
 *      where nothing in the whole program stores key "lock" in a mapping
 *      or assigns an attribute "_lock": the default is all callers ever
 *      get.  Decided in the global phase from facts of every file.
 *
 *   4. C: a mutex (pthread_mutex_t, GMutex, mtx_t...) declared as a local,
 *      non-static variable and locked in the same function, whose address
 *      is only ever passed to lock, unlock, init and destroy calls.
 *
 * Lock types come from the API table (src/lang/python/api.c): threading,
 * asyncio and multiprocessing locks, semaphores and conditions, resolved
 * through imports (`from threading import Lock as L`).
 *
 * Not reported: locks created at module level, in a class body or stored
 * on an object (`self._lock = Lock()`); a local lock handed to threads,
 * to a helper or captured by a closure; `.get(key, Lock())` when some code
 * stores that key.  Not caught yet (known-fn): a lock stored on `self` and
 * re-created by the same per-call method before use.
 *
 * False-positive policy: every shape above is a lock that cannot be shared;
 * all are reported at high confidence, except C locals in test files
 * (tests of a mutex implementation lock a mutex on their own stack).
 */
#include "../../core/file.h"
#include "../../lang/c/api.h"
#include "../../lang/python/api.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Facts: which keys and attributes the program stores anywhere.       */

static void fact_string_key(struct fl_file *f, TSNode n)
{
	const char *key = py_string_value(f, fl_unparen(f, n));
	if (key && strlen(key) <= 128)
		fl_fact(f, FACT_KEY_STORED, key, n);
}

static void store_target(struct fl_file *f, TSNode left)
{
	switch (fl_kind(f, left)) {
	case PK_attribute: {
		TSNode a = fl_child(f, left, F_attribute);
		if (!ts_node_is_null(a))
			fl_fact(f, FACT_ATTR_STORED, fl_text(f, a), left);
		break;
	}
	case PK_subscript:
		fact_string_key(f, fl_child(f, left, F_subscript));
		break;
	case PK_pattern_list:
	case PK_tuple_pattern:
	case PK_list_pattern:
	case PK_tuple: {
		uint32_t n = ts_node_named_child_count(left);
		for (uint32_t i = 0; i < n; i++)
			store_target(f, ts_node_named_child(left, i));
		break;
	}
	default:
		break;
	}
}

static void on_assignment(struct fl_file *f, TSNode n)
{
	TSNode left = fl_child(f, n, F_left);
	if (!ts_node_is_null(left))
		store_target(f, left);
}

static void on_pair(struct fl_file *f, TSNode n)
{
	fact_string_key(f, fl_child(f, n, F_key));
}

/* dict(lock=...), d.update(lock=...), SimpleNamespace(_lock=...) */
static void on_keyword(struct fl_file *f, TSNode n)
{
	TSNode name = fl_child(f, n, F_name);
	if (ts_node_is_null(name))
		return;
	const char *s = fl_text(f, name);
	fl_fact(f, FACT_KEY_STORED, s, n);
	fl_fact(f, FACT_ATTR_STORED, s, n);
}

/* The positional arguments of a call, up to max. */
static uint32_t positional_args(struct fl_file *f, TSNode call, TSNode *out,
				uint32_t max)
{
	TSNode args = fl_child(f, call, F_arguments);
	if (ts_node_is_null(args) || fl_kind(f, args) != PK_argument_list)
		return 0;
	uint32_t n = ts_node_named_child_count(args), k = 0;
	for (uint32_t i = 0; i < n && k < max; i++) {
		TSNode a = ts_node_named_child(args, i);
		unsigned ak = fl_kind(f, a);
		if (ak == PK_comment)
			continue;
		if (ak == PK_keyword_argument || ak == PK_list_splat ||
		    ak == PK_dictionary_splat)
			break;
		out[k++] = a;
	}
	return k;
}

/* setattr(o, "x", v), d.setdefault("k", v), d.__setitem__("k", v) */
static void on_call(struct fl_file *f, TSNode n)
{
	TSNode fn = fl_child(f, n, F_function);
	TSNode a[2];
	if (fl_text_eq(f, fn, "setattr")) {
		if (positional_args(f, n, a, 2) == 2) {
			const char *s = py_string_value(f, a[1]);
			if (s)
				fl_fact(f, FACT_ATTR_STORED, s, n);
		}
		return;
	}
	if (fl_kind(f, fn) != PK_attribute)
		return;
	TSNode m = fl_child(f, fn, F_attribute);
	if ((fl_text_eq(f, m, "setdefault") || fl_text_eq(f, m, "__setitem__")) &&
	    positional_args(f, n, a, 1) == 1)
		fact_string_key(f, a[0]);
}

/* Class bodies define attributes: `_lock = None`, `def _lock(self)`. */
static void class_attribute_facts(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.classes.n; i++) {
		TSNode body = fl_child(f, f->m.classes.v[i].node, F_body);
		if (ts_node_is_null(body))
			continue;
		uint32_t n = ts_node_named_child_count(body);
		for (uint32_t k = 0; k < n; k++) {
			TSNode s = ts_node_named_child(body, k);
			unsigned sk = fl_kind(f, s);
			if (sk == PK_decorated_definition)
				s = fl_child(f, s, F_definition), sk = fl_kind(f, s);
			TSNode name = {{0}, NULL, NULL};
			if (sk == PK_function_definition ||
			    sk == PK_class_definition) {
				name = fl_child(f, s, F_name);
			} else if (sk == PK_expression_statement) {
				TSNode e = ts_node_named_child(s, 0);
				if (fl_kind(f, e) == PK_assignment)
					name = fl_child(f, e, F_left);
			}
			if (!ts_node_is_null(name) &&
			    fl_kind(f, name) == PK_identifier)
				fl_fact(f, FACT_ATTR_STORED, fl_text(f, name),
					name);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Shape 2: a local lock that never leaves its function                */

enum use { U_NONE, U_LOCK, U_ESCAPE };

/*
 * Only acquiring and releasing count as using the lock to protect
 * something.  Code that inspects a lock (`lock.locked()`, `cond.wait()`
 * without holding it) is exercising the lock itself -- a test of the lock
 * type, typically -- and is not reported.
 */
static bool is_acquire_method(struct fl_file *f, TSNode attr)
{
	static const char *const methods[] = {
		"acquire", "release", "__enter__", "__exit__",
	};
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (fl_text_eq(f, attr, methods[i]))
			return true;
	return false;
}

/* Is the call `lock.acquire()` a statement of its own (possibly awaited or
 * tested), rather than handed to someone (create_task(sem.acquire()))? */
static bool call_used_in_place(struct fl_file *f, TSNode call)
{
	TSNode p = ts_node_parent(call);
	if (!ts_node_is_null(p) && fl_kind(f, p) == PK_await)
		p = ts_node_parent(p);
	switch (fl_kind(f, p)) {
	case PK_expression_statement:
	case PK_if_statement:
	case PK_while_statement:
	case PK_not_operator:
	case PK_assignment:
		return true;
	default:
		return false;
	}
}

struct uses {
	struct fl_file *f;
	TSNode def;
	TSNode first_use;
	enum use result;
};

/*
 * One use of the local lock.  Acquiring or releasing it in place counts
 * as using it to protect something; any other use lets it leave the
 * function (or makes us unsure) and stops the search.
 */
static bool classify_use(void *ud, const TSNode *path, size_t n)
{
	struct uses *u = ud;
	struct fl_file *f = u->f;
	TSNode id = path[n - 1];
	if (ts_node_eq(id, u->def) || n < 2)
		return true;
	TSNode p = path[n - 2];
	unsigned pk = fl_kind(f, p);
	/* f(lock=...) names a parameter; other.lock is another object */
	if ((pk == PK_keyword_argument && ts_node_eq(fl_child(f, p, F_name), id)) ||
	    (pk == PK_attribute && ts_node_eq(fl_child(f, p, F_attribute), id)))
		return true;
	bool nested = false;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned ak = fl_kind(f, path[i]);
		if (ak == PK_function_definition || ak == PK_lambda ||
		    ak == PK_class_definition)
			nested = true;
	}
	bool lock_use = false;
	if (!nested && pk == PK_with_item &&
	    ts_node_eq(fl_child(f, p, F_value), id)) {
		lock_use = true;
	} else if (!nested && pk == PK_attribute && n >= 3 &&
		   ts_node_eq(fl_child(f, p, F_object), id)) {
		TSNode gp = path[n - 3];
		lock_use = fl_kind(f, gp) == PK_call &&
			   is_acquire_method(f, fl_child(f, p, F_attribute)) &&
			   call_used_in_place(f, gp);
	}
	if (!lock_use) {
		u->result = U_ESCAPE;
		return false;
	}
	if (u->result == U_NONE)
		u->first_use = p;
	u->result = U_LOCK;
	return true;
}

/*
 * Classify every use of local `name` inside function node `fn` other than
 * its definition `def`: U_ESCAPE as soon as one use lets the lock leave
 * the function, else U_LOCK if it is acquired at least once (*first_use
 * gets the first acquisition).
 */
static enum use local_lock_uses(struct fl_file *f, TSNode fn, const char *name,
				TSNode def, TSNode *first_use)
{
	struct uses u = {f, def, {{0}, NULL, NULL}, U_NONE};
	fl_find_names(f, fn, name, classify_use, &u);
	*first_use = u.first_use;
	return u.result;
}

static void report_local(struct fl_file *f, const struct fl_call *c)
{
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	/* the assignment's left side is the definition */
	TSNode asg = ts_node_parent(c->node);
	while (!ts_node_is_null(asg) && fl_kind(f, asg) != PK_assignment)
		asg = ts_node_parent(asg);
	if (ts_node_is_null(asg))
		return;
	TSNode def = fl_child(f, asg, F_left);
	TSNode use = {{0}, NULL, NULL};
	if (local_lock_uses(f, fn->node, c->assigned, def, &use) != U_LOCK)
		return;
	struct fl_finding *fd = fl_report(
		f, &check_lock_created_per_call, c->node, CONF_HIGH,
		"'%s' is a new '%s' on every call of '%s', so it excludes "
		"nothing: each call locks its own lock",
		c->assigned, c->qname, fn->qualname);
	fl_trace(f, fd, c->node, "'%s' is created here, each time '%s' runs",
		 c->assigned, fn->qualname);
	fl_trace(f, fd, use, "'%s' is acquired here", c->assigned);
	fl_trace(f, fd, fn->node,
		 "'%s' is never stored, passed on or shared with a nested "
		 "function: no other call can ever hold it",
		 c->assigned);
	fl_set_hint(fd,
		    "create the lock once (in __init__ or at module level), "
		    "keep it on the object or module, and acquire that one");
}

static void report_with(struct fl_file *f, const struct fl_call *c)
{
	const char *where = c->func >= 0 ? f->m.funcs.v[c->func].qualname
					 : "<module>";
	struct fl_finding *fd = fl_report(
		f, &check_lock_created_per_call, c->node, CONF_HIGH,
		"'with %s():' acquires a lock created on the spot: no other "
		"thread can hold the same lock, so it protects nothing",
		c->callee);
	fl_trace(f, fd, c->node,
		 "a new '%s' is created each time this line runs in '%s'",
		 c->qname, where);
	fl_trace(f, fd, c->node,
		 "the with block acquires it; the lock is dropped when the "
		 "block ends, unseen by any other thread");
	fl_set_hint(fd,
		    "create the lock once (in __init__ or at module level) "
		    "and use 'with self._lock:' or 'with _lock:'");
}

/* d.get("key", Lock()) / getattr(o, "attr", Lock()) */
static void check_default_lock(struct fl_file *f, const struct fl_call *c)
{
	bool is_get = c->method && !strcmp(c->method, "get") && c->callee &&
		      strchr(c->callee, '.');
	bool is_getattr = c->qname && !strcmp(c->qname, "getattr");
	if (!is_get && !is_getattr)
		return;
	TSNode a[3];
	uint32_t n = positional_args(f, c->node, a, 3);
	TSNode keyn, dflt;
	if (is_get && n == 2)
		keyn = a[0], dflt = a[1];
	else if (is_getattr && n == 3)
		keyn = a[1], dflt = a[2];
	else
		return;
	dflt = fl_unparen(f, dflt);
	if (fl_kind(f, dflt) != PK_call)
		return;
	const char *key = py_string_value(f, keyn);
	if (!key)
		return;
	const char *ctor = model_resolve(
		f, fl_text(f, fl_child(f, dflt, F_function)));
	if (!py_is_lock_ctor(ctor))
		return;
	const char *lookup = is_get ? "key" : "attribute";
	struct fl_finding *fd = fl_report(
		f, &check_lock_created_per_call, dflt, CONF_HIGH,
		"'%s' is the default of a lookup of %s '%s' that nothing in "
		"the program ever sets, so every call gets a new lock and "
		"nothing is protected",
		fl_text(f, dflt), lookup, key);
	fl_trace(f, fd, c->node, "'%s' looks up %s '%s'",
		 is_get ? c->callee : "getattr", lookup, key);
	fl_trace(f, fd, dflt,
		 "when it is missing, a new '%s' is made for this call only",
		 ctor);
	if (c->use == USE_WITH)
		fl_trace(f, fd, c->node,
			 "the with block acquires that private lock; other "
			 "threads acquire their own");
	fl_require_no_fact(
		fd, is_get ? FACT_KEY_STORED : FACT_ATTR_STORED, key,
		arena_printf(f->a,
			     "no code in the scanned program stores %s '%s', "
			     "so the lookup always falls back to the new lock",
			     lookup, key));
	fl_set_hint(fd,
		    "create the lock once and store it under '%s' (or keep it "
		    "on the object), then look it up without a default",
		    key);
}

/* ------------------------------------------------------------------ */
/* C: a mutex on the stack of the function that locks it               */

struct c_uses {
	struct fl_file *f;
	TSNode decl_id;     /* the declarator's identifier */
	TSNode decl;        /* the declaration */
	bool first;         /* next name seen is the first one */
	bool escape;
};

/* Is path[n-1] the identifier of `&name` passed first to a lock call? */
static bool is_lock_arg(struct fl_file *f, const TSNode *path, size_t n)
{
	if (n < 4)
		return false;
	TSNode amp = path[n - 2], args = path[n - 3], call = path[n - 4];
	if (fl_kind(f, amp) != CK_pointer_expression ||
	    !fl_text_eq(f, ts_node_child(amp, 0), "&") ||
	    fl_kind(f, args) != CK_argument_list ||
	    fl_kind(f, call) != CK_call_expression)
		return false;
	if (!ts_node_eq(ts_node_named_child(args, 0), amp))
		return false;
	TSNode fn = fl_child(f, call, F_function);
	return fl_kind(f, fn) == CK_identifier &&
	       c_lock_op(fl_text(f, fn)) != LOCK_NONE;
}

static bool c_classify(void *ud, const TSNode *path, size_t n)
{
	struct c_uses *u = ud;
	struct fl_file *f = u->f;
	TSNode id = path[n - 1];
	if (u->first) {
		/* The first mention must be a local declaration of a lock
		 * type: `pthread_mutex_t m;` / `GMutex m = {0};` */
		u->first = false;
		for (size_t i = n - 1; i-- > 1;) {
			unsigned k = fl_kind(f, path[i]);
			if (k == CK_declaration) {
				TSNode ty = fl_child(f, path[i], F_type);
				if (!c_is_lock_type(fl_text(f, ty)))
					break;
				uint32_t nc = ts_node_child_count(path[i]);
				for (uint32_t j = 0; j < nc; j++)
					if (fl_text_eq(f, ts_node_child(path[i], j),
						       "static") ||
					    fl_text_eq(f, ts_node_child(path[i], j),
						       "extern"))
						goto escape;
				u->decl = path[i];
				u->decl_id = id;
				return true;
			}
			if (k != CK_init_declarator && k != CK_identifier)
				break;
		}
		goto escape;
	}
	if (is_lock_arg(f, path, n))
		return true;
escape:
	u->escape = true;
	return false;
}

static void check_c(struct fl_file *f)
{
	VEC(uint32_t) done = {0};
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || c_lock_op(c->callee) != LOCK_ACQUIRE)
			continue;
		TSNode args = fl_child(f, c->node, F_arguments);
		TSNode a0 = ts_node_named_child(args, 0);
		if (fl_kind(f, a0) != CK_pointer_expression ||
		    !fl_text_eq(f, ts_node_child(a0, 0), "&"))
			continue;
		TSNode id = fl_child(f, a0, F_argument);
		if (fl_kind(f, id) != CK_identifier)
			continue;
		const struct fl_func *fn = &f->m.funcs.v[c->func];
		struct c_uses u = {f, {{0}, NULL, NULL}, {{0}, NULL, NULL},
				   true, false};
		fl_find_names(f, fn->node, fl_text(f, id), c_classify, &u);
		if (u.escape || ts_node_is_null(u.decl))
			continue;
		uint32_t at = ts_node_start_byte(u.decl_id);
		bool seen = false;
		for (size_t k = 0; k < done.n; k++)
			seen |= done.v[k] == at;
		if (seen)
			continue;
		*VEC_PUSH(&done) = at;
		const char *name = fl_text(f, id);
		const char *type = fl_text(f, fl_child(f, u.decl, F_type));
		/* tst-mutex1.c: tests exercise the lock type itself */
		struct fl_finding *fd = fl_report(
			f, &check_lock_created_per_call, u.decl_id,
			f->is_test ? CONF_LOW : CONF_HIGH,
			"'%s' is a '%s' on the stack of '%s': every call locks "
			"its own copy, so it excludes nothing",
			name, type, fn->qualname);
		fl_trace(f, fd, u.decl_id,
			 "'%s' is a local variable: each call of '%s' gets a "
			 "new one",
			 name, fn->qualname);
		fl_trace(f, fd, c->node, "'%s' locks it here", c->callee);
		fl_trace(f, fd, fn->node,
			 "its address never leaves '%s' (only lock calls see "
			 "it): no other thread can contend for it",
			 fn->qualname);
		fl_set_hint(fd,
			    "make the mutex shared: a static or global, or a "
			    "field of the structure the threads share");
	}
	VEC_FREE(&done);
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
	class_attribute_facts(f);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (py_is_lock_ctor(c->qname)) {
			/* asyncio.Condition(lock): wraps a lock made
			 * elsewhere, which may well be shared */
			TSNode a[1];
			if (c->method && !strcmp(c->method, "Condition") &&
			    positional_args(f, c->node, a, 1) == 1)
				continue;
			if (c->use == USE_WITH)
				report_with(f, c);
			else if (c->use == USE_ASSIGN && c->func >= 0 &&
				 !f->m.funcs.v[c->func].is_lambda &&
				 !(c->flags & CALL_IN_CLASS_BODY))
				report_local(f, c);
			continue;
		}
		check_default_lock(f, c);
	}
}

static const struct fl_hook hooks[] = {
	{LANG_PYTHON, PK_assignment, on_assignment},
	{LANG_PYTHON, PK_augmented_assignment, on_assignment},
	{LANG_PYTHON, PK_pair, on_pair},
	{LANG_PYTHON, PK_keyword_argument, on_keyword},
	{LANG_PYTHON, PK_call, on_call},
	{0, 0, NULL},
};

const struct fl_check check_lock_created_per_call = {
	.code = "CON001",
	.name = "lock-created-per-call",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-667,CWE-362",
	.summary = "A lock is created anew each time the code that acquires "
		   "it runs, so every caller holds a different lock and the "
		   "section it guards is not protected.",
	.fix_hint = "create the lock once and share it",
	.hooks = hooks,
	.file_end = check,
};
