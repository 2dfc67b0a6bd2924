/*
 * RES005 freed-while-thread-running (C)
 *
 * A function starts a thread with a context pointer as its argument
 * (pthread_create(&t, attr, fn, ctx), g_thread_new(name, fn, ctx),
 * g_thread_try_new(...), thrd_create(&t, fn, ctx)) and then, on some
 * path, frees that context (free, g_free, or a release by name:
 * *_free, *_destroy, *_unref) before joining the thread.  The thread
 * may still be reading the block: a use after free that shows up only
 * under load.  Detaching does not help: a detached thread still uses it.
 *
 * The search runs on the C control-flow graph from the create: the
 * failure side of its result (`if (pthread_create(...) != 0)`, `if (rc)`,
 * `if (!th)` after g_thread_try_new) is pruned -- no thread runs there.
 * A path ends at a join of the thread, at a call the handle (or, when the
 * handle lives in the context, the context) is handed to -- a helper may
 * join it --, at a wait (a condition, semaphore, barrier, queue pop, poll
 * or read: a handshake may tell the thread is done with the context), and
 * where the context variable is rebound.
 *
 * Paths that agreeing tests rule out are dropped by shape: a path that
 * passes the test guarding a join of the thread, or the loop around one
 * (`if (started) pthread_join(t, NULL);`, `for (i...) pthread_join(t[i],
 * NULL);`), without joining.
 */
#include "../../core/cfg.h"
#include "../../lang/c/api.h"
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"

#include <string.h>

enum thr_api { API_PTHREAD, API_GTHREAD, API_GTHREAD_TRY, API_C11 };

struct thr_create {
	const char *fn;
	enum thr_api api;
	int handle_arg;   /* -1: the handle is the call's result */
	int ctx_arg;
	const char *join;
};

static const struct thr_create creates[] = {
	{"pthread_create", API_PTHREAD, 0, 3, "pthread_join"},
	{"thrd_create", API_C11, 0, 2, "thrd_join"},
	{"g_thread_new", API_GTHREAD, -1, 2, "g_thread_join"},
	{"g_thread_try_new", API_GTHREAD_TRY, -1, 2, "g_thread_join"},
};

/* States: the thread runs (bit 0, always set while tracked); the
 * create's status (or try_new's handle) is still in its variable, so a
 * test of it is the create's failure test (bit 1); it was detached
 * (bit 2). */
enum { S_RUN = 1, S_STATUS = 2, S_DETACHED = 4 };

enum thr_ev {
	TE_NONE = 0,
	TE_FREE,      /* the context is freed */
	TE_JOIN,      /* the thread is joined: it has finished */
	TE_DETACH,    /* detached: it runs on, unjoinable */
	TE_STOP,      /* handed to a helper, a wait, the context rebound */
};

struct thr {
	struct fl_file *f;
	const struct cfg *g;
	const struct thr_create *api;
	TSNode create;        /* the create call */
	int start;            /* its node */
	const char *ctx;      /* the context variable */
	const char *handle;   /* the handle's base variable */
	const char *status;   /* the variable holding the create's result
			       * (pthread/C11 status, try_new handle), or NULL */
	uint8_t *ev;          /* per node: enum thr_ev */
	uint8_t *status_set;  /* per node: the status variable is assigned */
	int free_node;        /* the free the path reaches */
};

/* The argument `i` of a call, or a null node. */
static TSNode c_arg(struct fl_file *f, TSNode call, uint32_t i)
{
	TSNode args = fl_child(f, call, F_arguments);
	if (ts_node_is_null(args) || ts_node_named_child_count(args) <= i)
		return (TSNode){{0}, NULL, NULL};
	return ts_node_named_child(args, i);
}

static bool is_name(struct fl_file *f, TSNode e, const char *name)
{
	e = c_plain(f, e);
	return !ts_node_is_null(e) && fl_kind(f, e) == CK_identifier &&
	       fl_text_eq(f, e, name);
}

/* The base variable of expression e is `name` (`&t`, `w->tid`, `t[i]`). */
static bool rooted_at(struct fl_file *f, TSNode e, const char *name)
{
	TSNode b = c_base_var(f, e);
	return !ts_node_is_null(b) && fl_text_eq(f, b, name);
}

static bool is_wait(const char *fn)
{
	static const char *const names[] = {
		"sem_wait",	      "sem_timedwait",	 "sem_clockwait",
		"pthread_barrier_wait", "g_async_queue_pop",
		"g_async_queue_timeout_pop", "g_async_queue_pop_unlocked",
		"g_main_loop_run",    "pthread_once",	 "g_once_init_enter",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return c_is_event_wait(fn);
}

/* Calls that use a thread handle without waiting for the thread. */
static bool handle_borrowed(const char *fn)
{
	static const char *const names[] = {
		"pthread_cancel",	"pthread_kill",
		"pthread_setname_np",	"pthread_getname_np",
		"pthread_setaffinity_np", "pthread_setschedparam",
		"pthread_getschedparam", "pthread_equal",
		"pthread_attr_destroy", "pthread_attr_init",
		"pthread_attr_setdetachstate",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return false;
}

static enum thr_ev call_event(struct thr *t, TSNode call)
{
	struct fl_file *f = t->f;
	const char *fn = c_callee(f, call);
	if (!fn)
		return TE_NONE;
	TSNode a0 = c_arg(f, call, 0);
	if (!strcmp(fn, t->api->join) ||
	    (!strcmp(fn, "pthread_timedjoin_np") && t->api->api == API_PTHREAD))
		return rooted_at(f, a0, t->handle) ? TE_JOIN : TE_NONE;
	if (!strcmp(fn, "pthread_detach") || !strcmp(fn, "thrd_detach") ||
	    !strcmp(fn, "g_thread_unref"))
		return rooted_at(f, a0, t->handle) ? TE_DETACH : TE_NONE;
	if (is_wait(fn))
		return TE_STOP;
	bool plain_free = !strcmp(fn, "free") || !strcmp(fn, "g_free") ||
			  !strcmp(fn, "fclose") || !strcmp(fn, "closedir") ||
			  !strncmp(fn, "g_slice_free", 12);
	bool frees = plain_free || c_frees_by_name(fn);
	TSNode args = fl_child(f, call, F_arguments);
	uint32_t n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
	enum thr_ev ev = TE_NONE;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		/* free(ctx), g_slice_free(T, ctx), ctx_unref(ctx) -- not
		 * g_io_stream_close(conn, ctx, &err): only a release whose
		 * first argument (or second, after a type) is it */
		if (frees && is_name(f, a, t->ctx) &&
		    (i == 0 || (i == 1 && !strncmp(fn, "g_slice_free", 12))) &&
		    (plain_free || !strstr(fn, "close"))) {
			/* worker_free(w) with the thread's handle in w may
			 * join it first */
			if (!plain_free && !strcmp(t->ctx, t->handle))
				return TE_STOP;
			ev = TE_FREE;
			continue;
		}
		if (rooted_at(f, a, t->handle) && !handle_borrowed(fn))
			return TE_STOP; /* a helper may join it */
	}
	return ev;
}

struct scan {
	struct thr *t;
	enum thr_ev ev;
	bool status_set;
};

static enum fl_visit scan_visit(void *ud, TSNode n)
{
	struct scan *sc = ud;
	struct thr *t = sc->t;
	struct fl_file *f = t->f;
	unsigned k = fl_kind(f, n);
	if (ts_node_eq(n, t->create))
		return FL_SKIP;
	if (k == CK_call_expression) {
		enum thr_ev ev = call_event(t, n);
		/* a stop or join wins over a free in the same statement */
		if (ev != TE_NONE && (sc->ev == TE_NONE || ev != TE_FREE))
			sc->ev = ev;
		return FL_DESCEND;
	}
	if (k == CK_assignment_expression) {
		TSNode l = fl_child(f, n, F_left);
		if (is_name(f, l, t->ctx))
			sc->ev = TE_STOP; /* rebound */
		if (t->status && is_name(f, l, t->status))
			sc->status_set = true;
	}
	if (k == CK_pointer_expression && f->src[ts_node_start_byte(n)] == '&' &&
	    is_name(f, fl_child(f, n, F_argument), t->ctx) &&
	    fl_kind(f, ts_node_parent(n)) == CK_argument_list)
		sc->ev = TE_STOP; /* g_clear_pointer(&ctx, g_free) */
	return FL_DESCEND;
}

/* The branch of test `cond` (0: true, 1: false) on which the create
 * failed, or -1: `pthread_create(...) != 0`, `rc`, `rc == 0`, `!th`,
 * `th == NULL`, `thrd_create(...) != thrd_success`. */
static int failed_test(struct thr *t, TSNode cond)
{
	struct fl_file *f = t->f;
	int neg;
	TSNode c = c_test_core(f, cond, &neg);
	/* a status is nonzero on failure, a handle zero */
	bool pointer = t->api->api == API_GTHREAD_TRY;
	TSNode a = c, b = {{0}, NULL, NULL};
	const char *op = NULL;
	if (fl_kind(f, c) == CK_binary_expression) {
		op = fl_text(f, fl_child(f, c, F_operator));
		a = c_plain(f, fl_child(f, c, F_left));
		b = c_plain(f, fl_child(f, c, F_right));
	}
	if (fl_kind(f, a) == CK_assignment_expression)
		a = c_plain(f, fl_child(f, a, F_right));
	bool ours = ts_node_eq(a, t->create) ||
		    (t->status && is_name(f, a, t->status));
	if (!ours)
		return -1;
	bool fails_when_true;
	if (!op) {
		fails_when_true = !pointer;
	} else {
		bool zero = fl_text_eq(f, b, "0") || fl_text_eq(f, b, "NULL") ||
			    fl_kind(f, b) == CK_null ||
			    fl_text_eq(f, b, "thrd_success");
		if (zero && !strcmp(op, "=="))
			fails_when_true = pointer;
		else if (zero && !strcmp(op, "!="))
			fails_when_true = !pointer;
		else if (!pointer && fl_text_eq(f, b, "0") &&
			 (!strcmp(op, "<") || !strcmp(op, ">")))
			fails_when_true = true;
		else
			return -1;
	}
	return (fails_when_true ^ neg) ? 0 : 1;
}

static uint8_t transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			bool exc)
{
	struct thr *t = ud;
	(void)g;
	(void)exc;
	if (s == 0)
		return S_RUN | (t->status ? S_STATUS : 0);
	if (t->status_set[n])
		s &= (uint8_t)~S_STATUS;
	switch (t->ev[n]) {
	case TE_JOIN:
	case TE_STOP:
		return PS_STOP;
	case TE_DETACH:
		return s | S_DETACHED;
	default:
		return s;
	}
}

static bool follow(void *ud, const struct cfg *g, int n, uint32_t i,
		   uint8_t s)
{
	struct thr *t = ud;
	const struct cfg_node *nd = &g->nodes.v[n];
	if (nd->kind != N_COND || nd->n != 2)
		return true;
	if (n != t->start && !(s & S_STATUS))
		return true;
	return failed_test(t, nd->node) != (int)i;
}

static bool bad(void *ud, const struct cfg *g, int n, uint8_t s)
{
	struct thr *t = ud;
	(void)g;
	if (!(s & S_RUN) || t->ev[n] != TE_FREE)
		return false;
	t->free_node = n;
	return true;
}

/* Does the path pass the test guarding a join, or the loop around one,
 * without joining?  The tests agree with the one that led to the create
 * in ways the graph does not know. */
static bool correlated(struct thr *t, const struct path_step *path,
		       size_t len)
{
	struct fl_file *f = t->f;
	const struct cfg *g = t->g;
	for (size_t n = 0; n < g->nodes.n; n++) {
		if (t->ev[n] != TE_JOIN)
			continue;
		TSNode code = cfg_node_code(g, (int)n);
		TSNode guard = c_enclosing(f, code, false);
		TSNode loop = c_enclosing(f, code, true);
		TSNode test = ts_node_is_null(guard) || c_within(guard, t->create)
				      ? (TSNode){{0}, NULL, NULL}
				      : fl_child(f, guard, F_condition);
		if (c_within(loop, t->create))
			loop = (TSNode){{0}, NULL, NULL};
		for (size_t i = 0; i < len; i++) {
			TSNode pn = g->nodes.v[path[i].node].node;
			if (ts_node_is_null(pn))
				continue;
			if (!ts_node_is_null(test) && ts_node_eq(pn, test))
				return true;
			if (!ts_node_is_null(loop) && c_within(loop, pn))
				return true;
		}
	}
	return false;
}

/* The variable the call's result is stored in: `th = g_thread_new(...)`,
 * `int rc = pthread_create(...)`, `self->th = ...` (its base), or NULL. */
static const char *result_var(struct fl_file *f, TSNode call)
{
	TSNode b = c_base_var(f, c_stored_in(f, call, NULL));
	return ts_node_is_null(b) ? NULL : fl_text(f, b);
}

static void check_create(struct fl_file *f, const struct fl_call *c,
			 const struct thr_create *api)
{
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	TSNode ctxn = c_plain(f, c_arg(f, c->node, (uint32_t)api->ctx_arg));
	if (ts_node_is_null(ctxn) || fl_kind(f, ctxn) != CK_identifier)
		return; /* &local, NULL, a field, a call (g_object_ref(x)) */
	const char *ctx = fl_text(f, ctxn);
	if (!c_is_local(f, fn->node, ctx, NULL))
		return;
	const char *handle, *status = result_var(f, c->node);
	if (api->handle_arg >= 0) {
		TSNode h = c_base_var(f, c_arg(f, c->node,
					       (uint32_t)api->handle_arg));
		if (ts_node_is_null(h))
			return;
		handle = fl_text(f, h);
	} else {
		handle = status;
		if (!handle)
			return;
		if (api->api != API_GTHREAD_TRY)
			status = NULL;
	}
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || (g->nodes.v[start].kind != N_STMT &&
			  g->nodes.v[start].kind != N_COND))
		return;
	struct thr t = {f, g, api, c->node, start, ctx, handle, status,
			arena_alloc(f->a, g->nodes.n),
			arena_alloc(f->a, g->nodes.n), -1};
	bool any_free = false, any_join = false;
	for (size_t n = 0; n < g->nodes.n; n++) {
		TSNode code = cfg_node_code(g, (int)n);
		if (ts_node_is_null(code) || (int)n == start)
			continue;
		struct scan sc = {&t, TE_NONE, false};
		fl_preorder(code, scan_visit, &sc);
		t.ev[n] = (uint8_t)sc.ev;
		t.status_set[n] = sc.status_set;
		any_free |= sc.ev == TE_FREE;
		any_join |= sc.ev == TE_JOIN;
	}
	if (!any_free)
		return;
	if (g->nodes.v[start].kind == N_COND &&
	    failed_test(&t, g->nodes.v[start].node) < 0)
		return; /* part of a test we cannot read */
	struct path_rule rule = {transfer, bad, &t, follow};
	struct path_step path[64];
	size_t len = paths_find(g, start, 0, &rule, false, path,
				ARRAY_SIZE(path));
	if (!len || t.free_node < 0 || correlated(&t, path, len))
		return;
	/* the state the free is reached in: detached? */
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		if (t.ev[path[i].node] == TE_DETACH)
			s |= S_DETACHED;
	TSNode freen = cfg_node_code(g, t.free_node);
	const char *freecall = py_one_line(f, freen);
	enum fl_confidence conf = any_join || (s & S_DETACHED) ? CONF_HIGH
							       : CONF_MEDIUM;
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_freed_while_thread_running, freen, conf,
		"'%s' is freed here while the thread started by '%s' at line %u "
		"with it may still be running: %s",
		ctx, c->callee, fl_line_of(f, ts_node_start_byte(c->node)),
		(s & S_DETACHED)
			? "the thread was detached, and nothing waits for it "
			  "to finish with it"
			: "on this path it is not joined first, so the thread "
			  "can read freed memory");
	fl_trace(f, fd, c->node, "'%s' starts a thread that uses '%s'",
		 c->callee, ctx);
	c_trace_path(f, fd, g, path, len, "the join");
	fl_trace(f, fd, freen, "'%s' frees '%s' while the thread runs",
		 freecall, ctx);
	fl_set_hint(fd, "join the thread ('%s') before freeing '%s', or let "
			"the thread own and free it",
		    api->join, ctx);
}

static void check(struct fl_file *f)
{
	if (f->lang != LANG_C)
		return;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(creates); k++)
			if (!strcmp(c->callee, creates[k].fn)) {
				check_create(f, c, &creates[k]);
				break;
			}
	}
}

const struct fl_check check_freed_while_thread_running = {
	.code = "RES005",
	.name = "freed-while-thread-running",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-416,CWE-362",
	.summary = "A context passed to a new thread is freed by the "
		   "creator on a path where the thread has not been joined, "
		   "so the thread may read freed memory.",
	.fix_hint = "join the thread before freeing its context, or let the "
		    "thread own and free it",
	.file_end = check,
};
