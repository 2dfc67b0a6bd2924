/*
 * CON002 lock-not-released (Python, C)
 *
 * C (check_c): pthread/GLib/C11/SQLite lock calls followed in the same
 * function by the matching unlock of the same lock expression; the C
 * control-flow graph is searched for a return reached with the lock held.
 * See c_check_lock() for what is left out.
 *
 * Heuristic: `X.acquire()` (a statement, awaited, or the test of an if)
 * followed in the same function by `X.release()`, where the control-flow
 * graph has a path from the acquire through a raising call to the
 * function's exit that skips every release: the release is not in a
 * finally clause (nor in the except clause handling the failure).  Locks
 * are told from semaphores by name (sem, slot, limit, permit...); those go
 * to CON003.
 *
 * Not reported: `with lock:`; release in finally; an acquire with no
 * release in the same function (handed over, released elsewhere); a lock
 * passed to another call between acquire and release.
 *
 * False-positive policy: the path must exist in the graph and the raise
 * must happen while the code still meant to release; only `acquire` and
 * `release` on the same expression text are paired.  High confidence when
 * a call raises, medium when only a subscript can.
 */
#include "../../core/hold.h"
#include "../../lang/python/pairs.h"
#include "c_locks.h"

#include <string.h>

/* if lock.acquire(timeout=1): -> 0;  if not lock.acquire(False): -> 1 */
static int held_branch(struct fl_file *f, const struct cfg *g, int n,
		       const struct fl_call *c)
{
	if (g->nodes.v[n].kind != N_COND)
		return -1;
	TSNode cond = fl_unparen(f, g->nodes.v[n].node);
	if (ts_node_eq(cond, c->node))
		return 0;
	if (fl_kind(f, cond) == PK_not_operator &&
	    ts_node_eq(fl_unparen(f, fl_child(f, cond, F_argument)), c->node))
		return 1;
	return -2; /* part of a larger test: not judged */
}

/* Shared with CON003: report an acquire/release pair. */
void report_acquire(struct fl_file *f, const struct fl_call *c,
		    const struct fl_check *ck, bool semaphore);
void report_acquire(struct fl_file *f, const struct fl_call *c,
		    const struct fl_check *ck, bool semaphore)
{
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0)
		return;
	int branch = held_branch(f, g, start, c);
	if (branch == -2)
		return;
	if (g->nodes.v[start].kind != N_STMT && branch < 0)
		return;
	/* assert not sem.acquire(False): a test, not a take */
	if (c->use == USE_COND && branch < 0)
		return;
	size_t tl = strlen(c->callee) - strlen(".acquire");
	const char *target = arena_strndup(f->a, c->callee, tl);
	struct py_pair p = {f, g, target, OP_RELEASE};
	struct hold_found found;
	if (!py_pair_leak(&p, start, branch, &found))
		return;
	const char *raiser = py_raising_call(f, &p, &found);
	enum fl_confidence conf = found.by_call ? CONF_HIGH : CONF_MEDIUM;
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd;
	if (semaphore) {
		fd = fl_report(f, ck, c->node, conf,
			       "'%s' is acquired here but not released when "
			       "'%s' raises: a slot is lost for good, and "
			       "once all are lost every acquire blocks",
			       target, raiser);
		fl_trace(f, fd, c->node, "a slot of '%s' is taken here", target);
	} else {
		fd = fl_report(f, ck, c->node, conf,
			       "'%s' is acquired here but not released when "
			       "'%s' raises: every later acquire blocks "
			       "forever",
			       target, raiser);
		fl_trace(f, fd, c->node, "'%s' is acquired here", target);
	}
	py_pair_trace(f, fd, &p, &found,
		      arena_printf(f->a, "'%s' is held", target),
		      arena_printf(f->a, "'%s' is released", target));
	fl_set_hint(fd,
		    "use 'with %s:' (or 'async with'), or release it in a "
		    "finally clause",
		    target);
}

/* ------------------------------------------------------------------ */
/* C: pthread, GLib, C11 and Windows locks                              */

const struct c_lock_api c_lock_apis[] = {
	{"pthread_mutex_lock", "pthread_mutex_unlock"},
	{"pthread_rwlock_rdlock", "pthread_rwlock_unlock"},
	{"pthread_rwlock_wrlock", "pthread_rwlock_unlock"},
	{"pthread_spin_lock", "pthread_spin_unlock"},
	{"g_mutex_lock", "g_mutex_unlock"},
	{"g_rec_mutex_lock", "g_rec_mutex_unlock"},
	{"g_rw_lock_writer_lock", "g_rw_lock_writer_unlock"},
	{"g_rw_lock_reader_lock", "g_rw_lock_reader_unlock"},
	{"mtx_lock", "mtx_unlock"},
	{"uv_mutex_lock", "uv_mutex_unlock"},
	{"EnterCriticalSection", "LeaveCriticalSection"},
	{"sqlite3_mutex_enter", "sqlite3_mutex_leave"},
};
const size_t c_lock_napis = ARRAY_SIZE(c_lock_apis);

TSNode c_lock_arg(struct fl_file *f, TSNode call)
{
	TSNode args = fl_child(f, call, F_arguments);
	TSNode a = ts_node_named_child_count(args)
			   ? ts_node_named_child(args, 0)
			   : (TSNode){{0}, NULL, NULL};
	for (int i = 0; i < 16 && !ts_node_is_null(a); i++) {
		unsigned k = fl_kind(f, a);
		if (k == CK_parenthesized_expression)
			a = ts_node_named_child(a, 0);
		else if (k == CK_cast_expression)
			a = fl_child(f, a, F_value);
		else if (k == CK_pointer_expression &&
			 f->src[ts_node_start_byte(a)] == '&')
			a = fl_child(f, a, F_argument);
		else
			break;
	}
	return a;
}

const char *c_lock_field(const char *lock)
{
	const char *r = lock;
	for (const char *p = lock; *p; p++)
		if (*p == '.' || (*p == '-' && p[1] == '>'))
			r = p + (*p == '.' ? 1 : 2);
	return r;
}

/* `if (winTempDirDefined()) { ...; sqlite3_mutex_leave(m); }`: a caller in
 * the file releases a lock of the same name after calling the function,
 * which hands its lock over on purpose. */
static bool c_caller_unlocks(struct fl_file *f, int func, const char *unlock,
			     const char *lock)
{
	const char *name = f->m.funcs.v[func].name;
	const char *field = c_lock_field(lock);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || c->func == func || !c->callee ||
		    strcmp(c->callee, name))
			continue;
		const struct fl_func *cf = &f->m.funcs.v[c->func];
		for (uint32_t k = cf->call_begin; k < cf->call_end; k++) {
			const struct fl_call *u = &f->m.calls.v[k];
			if (u->func != c->func || !u->callee ||
			    strcmp(u->callee, unlock))
				continue;
			TSNode uk = c_lock_arg(f, u->node);
			if (!ts_node_is_null(uk) &&
			    !strcmp(c_lock_field(py_one_line(f, uk)), field))
				return true;
		}
	}
	return false;
}

static enum hold_ev c_event(void *ud, int n)
{
	return ((uint8_t *)ud)[n] ? H_GIVE : H_NONE;
}

bool c_unlocks(struct fl_file *f, const struct fl_call *u, int func,
	       const struct c_lock_api *api, const char *lock)
{
	if (u->func != func || !u->callee || strcmp(u->callee, api->unlock))
		return false;
	TSNode uk = c_lock_arg(f, u->node);
	return !ts_node_is_null(uk) && !strcmp(py_one_line(f, uk), lock);
}

/* Does the function's own name say it takes a lock for its caller
 * (foo_lock, acquire_x, enter_critical)? */
static bool c_locking_function(const char *name)
{
	static const char *const words[] = {
		"lock", "locked", "acquire", "enter", "grab", "take", "hold",
		"begin", "start", "get", "trylock",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

static void c_check_lock(struct fl_file *f, const struct fl_call *c,
			 const struct c_lock_api *api)
{
	TSNode key = c_lock_arg(f, c->node);
	if (ts_node_is_null(key) ||
	    c_locking_function(f->m.funcs.v[c->func].name))
		return;
	const char *lock = py_one_line(f, key);
	/* the unlocks of the same lock in the function */
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	/* An unlock that runs whenever the lock was taken: under no if, or
	 * under one that also holds the lock.  When every unlock is under
	 * a test of its own (`if (!keeplock) unlock(m)`, `if (data != NULL)
	 * unlock(&data->mu)`), the tests agree with the one that led to the
	 * lock in ways the graph does not know: no finding. */
	size_t nun = 0;
	TSNode loop = c_enclosing(f, c->node, true);
	bool in_loop = false;
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *u = &f->m.calls.v[i];
		if (!c_unlocks(f, u, c->func, api, lock))
			continue;
		TSNode ug = c_enclosing(f, u->node, false);
		if (ts_node_is_null(ug) || c_within(ug, c->node))
			nun++;
		if (!ts_node_is_null(loop) && c_within(loop, u->node))
			in_loop = true;
	}
	/* locked in one loop and unlocked in another (`for (i...)
	 * lock(&m[i]); ... for (i...) unlock(&m[i])`): which iterations
	 * run is beyond the graph */
	if (!nun || (!ts_node_is_null(loop) && !in_loop))
		return; /* handed to the caller, or released elsewhere */
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	uint8_t *unlocks = arena_alloc(f->a, g->nodes.n);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *u = &f->m.calls.v[i];
		if (!c_unlocks(f, u, c->func, api, lock))
			continue;
		int un = cfg_node_at(g, ts_node_start_byte(u->node));
		if (un >= 0)
			unlocks[un] = 1;
	}
	if (unlocks[start])
		return;
	struct hold h = {.g = g, .start = start, .start_branch = -1,
			 .event = c_event, .ud = unlocks};
	struct hold_found found;
	int leak;
	bool shared;
	if (!hold_find_return_leak(&h, c_last_statement(f, fn->node), &found,
				   &leak, &shared) ||
	    (!shared && c_caller_unlocks(f, c->func, api->unlock, lock)))
		return;
	const struct path_step *path = found.path;
	size_t len = found.len;
	TSNode ret = g->nodes.v[leak].node;
	/* a return that other paths reach unlocked is surely wrong; an
	 * early return may be a function that hands the lock over on
	 * success (its callers in other files would show it) */
	struct fl_finding *fd = fl_report(
		f, &check_lock_not_released, c->node,
		f->is_test ? CONF_LOW : shared ? CONF_HIGH : CONF_MEDIUM,
		"'%s' is locked here, but the return at line %u leaves "
		"'%s' with it still held: the next '%s' of it blocks forever",
		lock, fl_line_of(f, ts_node_start_byte(ret)), fn->name,
		api->lock);
	fl_trace(f, fd, c->node, "'%s' locks '%s'", api->lock, lock);
	c_trace_path(f, fd, g, path, len, "the unlock");
	fl_trace(f, fd, ret, "'%s' returns here without '%s(%s)'%s",
		 fn->name, api->unlock, lock,
		 shared ? "; other paths reach this return with it unlocked"
			: "");
	fl_set_hint(fd, "call '%s' before this return, or jump to a cleanup "
			"label that does",
		    api->unlock);
}

static void check_c(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee || c->use != USE_DISCARD)
			continue;
		for (size_t k = 0; k < c_lock_napis; k++)
			if (!strcmp(c->callee, c_lock_apis[k].lock)) {
				c_check_lock(f, c, &c_lock_apis[k]);
				break;
			}
	}
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->method || strcmp(c->method, "acquire") ||
		    !c->callee || !strchr(c->callee, '.'))
			continue;
		if (c->use != USE_DISCARD && c->use != USE_COND)
			continue;
		size_t tl = strlen(c->callee) - strlen(".acquire");
		char target[256];
		if (tl >= sizeof(target))
			continue;
		memcpy(target, c->callee, tl);
		target[tl] = '\0';
		if (!py_is_semaphore_name(target))
			report_acquire(f, c, &check_lock_not_released, false);
	}
}

const struct fl_check check_lock_not_released = {
	.code = "CON002",
	.name = "lock-not-released",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-667,CWE-833",
	.summary = "A lock is acquired and released by hand, and an "
		   "exception (Python) or an early return (C) between the two "
		   "leaves it held, so every later acquire blocks.",
	.fix_hint = "use a with statement, or release in a finally clause",
	.file_end = check,
};
