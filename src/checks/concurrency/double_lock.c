/*
 * CON012 double-lock (C)
 *
 * Heuristic: a lock call of the C lock table (c_locks.h) -- a statement of
 * its own -- from which the function's control-flow graph reaches another
 * lock call of the same lock expression (the text of the first argument
 * without `&`) with no unlock of it in between: an early `continue` in a
 * retry loop that skips the unlock at the bottom of the body, a
 * `goto retry` back above the lock.  A non-recursive mutex locked again by
 * the thread that holds it blocks forever (or, with error checking,
 * fails and is then "unlocked" by code that never got it).
 *
 * Not reported (recursive or shared locks): g_rec_mutex_*, Windows
 * critical sections and SQLite mutexes (either may be recursive);
 * a pthread_mutex / mtx / uv_mutex the file makes recursive (see
 * find_recursive: by the last component of its name; every one of the
 * file's when it cannot tell which, and a mutex that is a parameter);
 * a read lock taken again for reading.
 *
 * False-positive policy: the path is ended by an unlock of the same lock,
 * by a call that may unlock it (its name says unlock/release/leave, or
 * the lock itself is passed to it -- a condition wait is not), and by an
 * assignment to a variable the lock expression is built from (`p =
 * p->next`, `i++`: a different lock on the next round).  The graph does
 * not know that two tests of one flag agree, so the test of an `if` that
 * unlocks without jumping away (`if (locked) unlock(m);`) ends the path
 * too.  Not judged: a lock with no unlock in the function, a lock in a
 * loop every unlock of which is outside the loop (lock-all loops), two
 * locks in different branches of an `#if`.  High confidence; low in test
 * code.
 */
#include "../../core/cfg.h"
#include "../../lang/c/api.h"
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"
#include "c_locks.h"

#include <string.h>
#include <strings.h>

/* DL_RELOCK: a read lock taken again for reading -- no double lock, but
 * it is held again (the double-unlock search stops there) */
enum { DL_NONE = 0, DL_LOCK, DL_UNLOCK, DL_KILL, DL_RELOCK };
enum { S_FREE = 0, S_HELD = 1 };

/* Which table entries CON012 judges: not the ones that may be recursive. */
static bool dl_judged(const struct c_lock_api *api)
{
	return strcmp(api->lock, "g_rec_mutex_lock") &&
	       strcmp(api->lock, "EnterCriticalSection") &&
	       strcmp(api->lock, "sqlite3_mutex_enter");
}

static bool dl_read(const struct c_lock_api *api)
{
	return strstr(api->lock, "rdlock") || strstr(api->lock, "reader");
}

/* Do a and b lock the same kind of object (rwlock read and write)? */
static bool dl_same_family(const struct c_lock_api *a,
			   const struct c_lock_api *b)
{
	return !strcmp(a->unlock, b->unlock) ||
	       (!strncmp(a->unlock, "g_rw_lock_", 10) &&
		!strncmp(b->unlock, "g_rw_lock_", 10));
}

static const struct c_lock_api *dl_api(const char *callee)
{
	for (size_t k = 0; k < c_lock_napis; k++)
		if (!strcmp(callee, c_lock_apis[k].lock))
			return &c_lock_apis[k];
	return NULL;
}

static bool mentions(struct fl_file *f, const char *word)
{
	size_t wl = strlen(word);
	for (uint32_t i = 0; i + wl <= f->len; i++)
		if (f->src[i] == word[0] && !memcmp(f->src + i, word, wl))
			return true;
	return false;
}

/* Does a function name say it unlocks (my_unlock, UNLOCK, release_all)? */
static bool unlocking_name(const char *name)
{
	static const char *const words[] = {"unlock", "release", "leave"};
	for (const char *p = name; *p; p++)
		for (size_t k = 0; k < ARRAY_SIZE(words); k++)
			if (!strncasecmp(p, words[k], strlen(words[k])))
				return true;
	return false;
}

static bool recursive_text(struct fl_file *f, TSNode n)
{
	static const char *const words[] = {
		"MUTEX_RECURSIVE", "RECURSIVE_MUTEX_INITIALIZER",
		"mtx_recursive", "uv_mutex_init_recursive",
	};
	uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
	for (size_t k = 0; k < ARRAY_SIZE(words); k++) {
		size_t wl = strlen(words[k]);
		for (uint32_t i = b; i + wl <= e; i++)
			if (f->src[i] == words[k][0] &&
			    !memcmp(f->src + i, words[k], wl))
				return true;
	}
	return false;
}

/* Does f->src[b, e) contain "RECURSIVE"? */
static bool has_recursive_word(struct fl_file *f, uint32_t b, uint32_t e)
{
	for (uint32_t i = b; i + 9 <= e; i++)
		if (!memcmp(f->src + i, "RECURSIVE", 9))
			return true;
	return false;
}

struct recursive {
	bool any;            /* the file makes some mutex recursive */
	bool all;            /* could not tell which: judge none */
	const char *names[32];
	size_t n;
};

/* Which mutexes of the file are recursive, by the last component of
 * their name: those a function that mentions a recursive kind
 * initialises (pthread_mutex_init(&c->mu, &attr) after
 * pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE)), and those
 * declared with a recursive initializer.  A mutex initialised through a
 * parameter (a helper that makes any mutex recursive) makes every mutex
 * of the file suspect. */
static void find_recursive(struct fl_file *f, struct recursive *rec)
{
	rec->any = rec->all = false;
	rec->n = 0;
	if (!mentions(f, "RECURSIVE") && !mentions(f, "recursive"))
		return;
	rec->any = true;
	bool found = false;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->callee)
			continue;
		bool init = !strcmp(c->callee, "pthread_mutex_init") ||
			    !strcmp(c->callee, "mtx_init") ||
			    !strncmp(c->callee, "uv_mutex_init", 13);
		if (!init)
			continue;
		TSNode scope = c->func >= 0 ? f->m.funcs.v[c->func].node
					    : c->node;
		if (!recursive_text(f, scope))
			continue;
		found = true;
		TSNode k = c_lock_arg(f, c->node);
		if (ts_node_is_null(k))
			continue;
		const char *name = py_one_line(f, k);
		if (c->func >= 0 && fl_kind(f, k) == CK_identifier &&
		    c_is_param(f, f->m.funcs.v[c->func].node, name))
			rec->all = true;
		if (rec->n < ARRAY_SIZE(rec->names))
			rec->names[rec->n++] = c_lock_field(name);
		else
			rec->all = true;
	}
	/* pthread_mutex_t m = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP; */
	for (uint32_t i = 0; i + 11 <= f->len; i++) {
		if (memcmp(f->src + i, "INITIALIZER", 11))
			continue;
		/* the declared name: the identifier before '=' */
		uint32_t e = i;
		while (e > 0 && f->src[e] != '=' && f->src[e] != ';')
			e--;
		uint32_t line = e;
		while (line > 0 && f->src[line - 1] != '\n')
			line--;
		if (f->src[e] != '=' || !has_recursive_word(f, line, i + 11))
			continue;
		found = true;
		uint32_t ne = e;
		while (ne > line && (f->src[ne - 1] == ' ' ||
				     f->src[ne - 1] == '\t'))
			ne--;
		uint32_t nb = ne;
		while (nb > line && (f->src[nb - 1] == '_' ||
				     (f->src[nb - 1] >= 'a' &&
				      f->src[nb - 1] <= 'z') ||
				     (f->src[nb - 1] >= 'A' &&
				      f->src[nb - 1] <= 'Z') ||
				     (f->src[nb - 1] >= '0' &&
				      f->src[nb - 1] <= '9')))
			nb--;
		if (nb < ne && rec->n < ARRAY_SIZE(rec->names))
			rec->names[rec->n++] = arena_strndup(
				f->a, f->src + nb, ne - nb);
		else
			rec->all = true;
	}
	/* mentioned, but not seen where: judge none */
	if (!found)
		rec->all = true;
}

static bool is_recursive(const struct recursive *rec, const char *lock)
{
	if (rec->all)
		return true;
	const char *field = c_lock_field(lock);
	for (size_t i = 0; i < rec->n; i++)
		if (!strcmp(rec->names[i], field))
			return true;
	return false;
}

static bool may_be_recursive(const struct c_lock_api *api)
{
	return !strncmp(api->lock, "pthread_mutex_", 14) ||
	       !strncmp(api->lock, "mtx_", 4) ||
	       !strncmp(api->lock, "uv_mutex_", 9);
}

/* Are a and b in different branches of one #if / #ifdef? */
static bool other_preproc_branch(struct fl_file *f, TSNode a, TSNode b)
{
	for (int pass = 0; pass < 2; pass++) {
		TSNode x = pass ? a : b, y = pass ? b : a;
		for (TSNode p = ts_node_parent(x); !ts_node_is_null(p);
		     p = ts_node_parent(p)) {
			unsigned k = fl_kind(f, p);
			if (k != CK_preproc_else && k != CK_preproc_elif)
				continue;
			TSNode up = ts_node_parent(p);
			if (!ts_node_is_null(up) && c_within(up, y) &&
			    !c_within(p, y))
				return true;
		}
	}
	return false;
}

/* Collect the identifiers of a lock expression ("ctx", "mu" for
 * ctx->mu[i]... and "i"). */
static void lock_names(struct fl_file *f, TSNode e, const char **out,
		       size_t *n, size_t max)
{
	if (ts_node_is_null(e) || *n >= max)
		return;
	unsigned k = fl_kind(f, e);
	if (k == CK_identifier) {
		out[(*n)++] = py_one_line(f, e);
		return;
	}
	uint32_t nc = ts_node_named_child_count(e);
	for (uint32_t i = 0; i < nc; i++)
		lock_names(f, ts_node_named_child(e, i), out, n, max);
}

struct dl_scan {
	const char **names;
	size_t nnames;
	const char *lock;
};

/* Does assigning lvalue v change which lock the expression names: v is
 * one of its identifiers (`p`, `i`), or a prefix of it (`c->conn` for
 * `c->conn->mu`)?  `c->count++` does not. */
static bool is_name(const struct dl_scan *s, struct fl_file *f, TSNode v)
{
	if (ts_node_is_null(v))
		return false;
	v = fl_unparen(f, v);
	const char *t = py_one_line(f, v);
	if (!t)
		return false;
	if (fl_kind(f, v) == CK_identifier) {
		for (size_t i = 0; i < s->nnames; i++)
			if (!strcmp(s->names[i], t))
				return true;
		return false;
	}
	size_t tl = strlen(t);
	return !strncmp(s->lock, t, tl) &&
	       (s->lock[tl] == '\0' || s->lock[tl] == '.' ||
		s->lock[tl] == '[' ||
		(s->lock[tl] == '-' && s->lock[tl + 1] == '>'));
}

/* Does the code of a node change the lock the expression names, or call
 * something that may unlock it? */
static bool kills(struct fl_file *f, const struct dl_scan *s, TSNode e)
{
	if (ts_node_is_null(e))
		return false;
	unsigned k = fl_kind(f, e);
	if (k == CK_assignment_expression &&
	    is_name(s, f, fl_child(f, e, F_left)))
		return true;
	if (k == CK_update_expression &&
	    is_name(s, f, fl_child(f, e, F_argument)))
		return true;
	if (k == CK_init_declarator &&
	    is_name(s, f, fl_child(f, e, F_declarator)))
		return true;
	if (k == CK_call_expression) {
		const char *name = c_callee(f, e);
		if (name && unlocking_name(name))
			return true;
		if (name && !dl_api(name) && !c_is_cond_wait(name)) {
			TSNode args = fl_child(f, e, F_arguments);
			uint32_t na = ts_node_is_null(args)
					      ? 0
					      : ts_node_named_child_count(args);
			for (uint32_t i = 0; i < na; i++) {
				TSNode a = ts_node_named_child(args, i);
				const char *t = py_one_line(f, a);
				if (t && strstr(t, s->lock))
					return true;
			}
		}
	}
	uint32_t nc = ts_node_named_child_count(e);
	for (uint32_t i = 0; i < nc; i++)
		if (kills(f, s, ts_node_named_child(e, i)))
			return true;
	return false;
}

struct dl_run {
	const struct cfg *g;
	int start;
	uint8_t *ev;
};

static uint8_t dl_transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			   bool exc)
{
	struct dl_run *r = ud;
	(void)g;
	if (exc)
		return PS_STOP;
	if (n == r->start && s == S_FREE)
		return S_HELD;
	if (r->ev[n] == DL_UNLOCK || r->ev[n] == DL_KILL)
		return PS_STOP;
	return s;
}

static bool dl_bad(void *ud, const struct cfg *g, int n, uint8_t s)
{
	struct dl_run *r = ud;
	(void)g;
	return s == S_HELD && r->ev[n] == DL_LOCK;
}

/* lock, unlock, unlock: S_HELD from the lock, S_GONE after its unlock, a
 * second unlock while gone is the bug */
enum { S_GONE = 2 };

static uint8_t du_transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			   bool exc)
{
	struct dl_run *r = ud;
	(void)g;
	if (exc)
		return PS_STOP;
	if (n == r->start && s == S_FREE)
		return S_HELD;
	if (r->ev[n] == DL_KILL)
		return PS_STOP;
	if (r->ev[n] == DL_LOCK || r->ev[n] == DL_RELOCK)
		return PS_STOP; /* taken again */
	if (r->ev[n] == DL_UNLOCK)
		return s == S_HELD ? S_GONE : PS_STOP;
	return s;
}

static bool du_bad(void *ud, const struct cfg *g, int n, uint8_t s)
{
	struct dl_run *r = ud;
	(void)g;
	return s == S_GONE && r->ev[n] == DL_UNLOCK;
}

typedef VEC(uint32_t) dl_offsets;

/* lock(m) ... unlock(m) ... unlock(m) on one path of the function: the
 * second unlock releases a mutex this thread no longer holds (undefined
 * for a default pthread mutex; with error checking it fails, and the
 * lock another thread holds may be released).  Only after this
 * function's own lock: an unlock of a lock the caller holds is a
 * protocol, not judged. */
static void report_double_unlock(struct fl_file *f, const struct fl_call *c,
				 const struct c_lock_api *api,
				 const char *lock, struct dl_run *r,
				 dl_offsets *reported)
{
	const struct cfg *g = r->g;
	struct path_rule rule = {du_transfer, du_bad, r, NULL};
	struct path_step path[64];
	size_t len = paths_find(g, r->start, S_FREE, &rule, false, path,
				ARRAY_SIZE(path));
	if (len < 2)
		return;
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	int second = path[len - 1].node, first = -1;
	size_t fi = 0;
	for (size_t i = 1; i + 1 < len && first < 0; i++)
		if (r->ev[path[i].node] == DL_UNLOCK) {
			first = path[i].node;
			fi = i;
		}
	if (first < 0)
		return;
	TSNode at = g->nodes.v[second].node;
	uint32_t ab = ts_node_start_byte(at);
	for (size_t i = 0; i < reported->n; i++)
		if (reported->v[i] == ab)
			return;
	*VEC_PUSH(reported) = ab;
	struct fl_finding *fd = fl_report(
		f, &check_double_lock, at, f->is_test ? CONF_LOW : CONF_HIGH,
		"'%s' is unlocked here a second time, after the unlock at line "
		"%u, with no '%s' in between: this thread no longer holds it",
		lock, fl_line_of(f, ts_node_start_byte(g->nodes.v[first].node)),
		api->lock);
	fl_trace(f, fd, c->node, "'%s' locks '%s'", api->lock, lock);
	c_trace_path(f, fd, g, path, fi + 1, NULL);
	fl_trace(f, fd, g->nodes.v[first].node, "'%s' releases it here",
		 api->unlock);
	c_trace_path(f, fd, g, path + fi, len - fi, NULL);
	fl_trace(f, fd, at, "'%s' releases it again in '%s'", api->unlock,
		 fn->name);
	fl_set_hint(fd, "unlock once on each path: drop this unlock, or "
			"lock again before it");
}

static void check_lock(struct fl_file *f, const struct fl_call *c,
		       const struct c_lock_api *api,
		       const struct recursive *rec, dl_offsets *reported)
{
	TSNode key = c_lock_arg(f, c->node);
	if (ts_node_is_null(key))
		return;
	const char *lock = py_one_line(f, key);
	if (!lock || !*lock ||
	    (may_be_recursive(api) && is_recursive(rec, lock)))
		return;
	/* a mutex passed in, in a file that makes one recursive: it may be
	 * that one (glibc's htl/tests/test-9.c) */
	if (may_be_recursive(api) && rec->any &&
	    fl_kind(f, key) == CK_identifier &&
	    c_is_param(f, f->m.funcs.v[c->func].node, lock))
		return;
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	/* the other locks and the unlocks of the same lock */
	size_t nun = 0;
	bool in_loop = false;
	TSNode loop = c_enclosing(f, c->node, true);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *u = &f->m.calls.v[i];
		if (u->func != c->func || !u->callee)
			continue;
		for (size_t k = 0; k < c_lock_napis; k++) {
			if (!dl_same_family(api, &c_lock_apis[k]) ||
			    !c_unlocks(f, u, c->func, &c_lock_apis[k], lock))
				continue;
			nun++;
			if (!ts_node_is_null(loop) && c_within(loop, u->node))
				in_loop = true;
			break;
		}
	}
	if (!nun || (!ts_node_is_null(loop) && !in_loop))
		return;
	const struct cfg *g = cfg_of(f, c->func);
	if (!g || g->too_big)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	uint8_t *ev = arena_alloc(f->a, g->nodes.n);
	memset(ev, 0, g->nodes.n);
	const char *names[16];
	size_t nn = 0;
	lock_names(f, key, names, &nn, ARRAY_SIZE(names));
	struct dl_scan sc = {names, nn, lock};
	for (size_t i = 0; i < g->nodes.n; i++) {
		if ((int)i == start)
			continue;
		TSNode code = cfg_node_code(g, (int)i);
		if (ts_node_is_null(code))
			continue;
		unsigned k = fl_kind(f, code);
		/* `for (;;)`: the header is the whole loop */
		if (k == CK_for_statement || k == CK_while_statement ||
		    k == CK_do_statement || k == CK_compound_statement)
			continue;
		if (kills(f, &sc, code))
			ev[i] = DL_KILL;
	}
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *u = &f->m.calls.v[i];
		if (u->func != c->func || !u->callee)
			continue;
		int un = cfg_node_at(g, ts_node_start_byte(u->node));
		if (un < 0)
			continue;
		const struct c_lock_api *ua = dl_api(u->callee);
		if (ua && dl_same_family(api, ua) && dl_judged(ua)) {
			TSNode uk = c_lock_arg(f, u->node);
			if (!ts_node_is_null(uk) &&
			    !strcmp(py_one_line(f, uk), lock) &&
			    !other_preproc_branch(f, c->node, u->node) &&
			    ev[un] != DL_UNLOCK)
				ev[un] = dl_read(api) && dl_read(ua) ? DL_RELOCK
								     : DL_LOCK;
			continue;
		}
		for (size_t k = 0; k < c_lock_napis; k++) {
			if (!dl_same_family(api, &c_lock_apis[k]) ||
			    !c_unlocks(f, u, c->func, &c_lock_apis[k], lock))
				continue;
			ev[un] = DL_UNLOCK;
			/* `if (locked) unlock(m);`: the test agrees with
			 * the one that took the lock in ways the graph does
			 * not know; it ends the path */
			TSNode ug = c_enclosing(f, u->node, false);
			if (!ts_node_is_null(ug) && !c_within(ug, c->node) &&
			    !c_jumps(f, ug, true)) {
				int cn = cfg_node_at(
					g, ts_node_start_byte(
						   fl_child(f, ug, F_condition)));
				if (cn >= 0 && g->nodes.v[cn].kind == N_COND)
					ev[cn] = DL_KILL;
			}
			break;
		}
	}
	if (ev[start] == DL_UNLOCK)
		return;
	struct dl_run r = {g, start, ev};
	struct path_step path[64];
	/* a read lock may be held several times: counts, not states */
	if (!dl_read(api))
		report_double_unlock(f, c, api, lock, &r, reported);
	struct path_rule rule = {dl_transfer, dl_bad, &r, NULL};
	size_t len = paths_find(g, start, S_FREE, &rule, false, path,
				ARRAY_SIZE(path));
	if (!len)
		return;
	int second = path[len - 1].node;
	TSNode at = g->nodes.v[second].node;
	/* the lock call itself in the second node */
	const struct fl_call *sc2 = NULL;
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *u = &f->m.calls.v[i];
		if (u->func != c->func || !u->callee || !dl_api(u->callee) ||
		    cfg_node_at(g, ts_node_start_byte(u->node)) != second)
			continue;
		TSNode uk = c_lock_arg(f, u->node);
		if (!ts_node_is_null(uk) && !strcmp(py_one_line(f, uk), lock)) {
			sc2 = u;
			break;
		}
	}
	if (sc2)
		at = sc2->node;
	uint32_t ab = ts_node_start_byte(at);
	for (size_t i = 0; i < reported->n; i++)
		if (reported->v[i] == ab)
			return;
	*VEC_PUSH(reported) = ab;
	const char *second_api = sc2 ? sc2->callee : api->lock;
	struct fl_finding *fd = fl_report(
		f, &check_double_lock, at, f->is_test ? CONF_LOW : CONF_HIGH,
		"'%s' is locked here while this thread still holds it from "
		"the '%s' at line %u: a non-recursive lock taken twice by one "
		"thread blocks forever",
		lock, api->lock, fl_line_of(f, ts_node_start_byte(c->node)));
	fl_trace(f, fd, c->node, "'%s' locks '%s'", api->lock, lock);
	c_trace_path(f, fd, g, path, len, "the unlock");
	fl_trace(f, fd, at, "'%s' locks '%s' again, with no '%s' in between",
		 second_api, lock, api->unlock);
	TSNode args = fl_child(f, c->node, F_arguments);
	const char *arg = ts_node_named_child_count(args)
				  ? py_one_line(f, ts_node_named_child(args, 0))
				  : lock;
	fl_set_hint(fd,
		    "call '%s(%s)' on the path that comes back here (before "
		    "the continue or goto), or take the lock once outside "
		    "the loop",
		    api->unlock, arg);
}

static void check(struct fl_file *f)
{
	if (f->lang != LANG_C)
		return;
	struct recursive rec;
	find_recursive(f, &rec);
	dl_offsets reported = {0};
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee || c->use != USE_DISCARD)
			continue;
		const struct c_lock_api *api = dl_api(c->callee);
		if (api && dl_judged(api))
			check_lock(f, c, api, &rec, &reported);
	}
	VEC_FREE(&reported);
}

const struct fl_check check_double_lock = {
	.code = "CON012",
	.name = "double-lock",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-764,CWE-833",
	.summary = "A non-recursive mutex is locked again on a path where "
		   "the same function still holds it (a continue or goto "
		   "that skips the unlock), so the thread deadlocks on "
		   "itself; or unlocked twice after the function's own lock.",
	.fix_hint = "unlock before jumping back, or take the lock once",
	.file_end = check,
};
