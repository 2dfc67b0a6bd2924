/*
 * CON006 condition-wait-without-loop (Python, C)
 *
 * Heuristic: `cond.wait()` / `cond.wait(timeout)` on a condition variable
 * -- a name assigned from threading/asyncio/multiprocessing Condition in
 * this file, or a receiver named like one (cond, cv, condition) -- that
 * sits inside an `if` and inside no loop of its function.  A woken waiter
 * must re-check its predicate: wake-ups can be spurious, and another
 * thread can take the item between the notify and the wake-up.
 *
 * Not reported: `while not pred: cond.wait()`; `cond.wait_for(pred)`;
 * Event.wait() (an event stays set: no predicate to re-check); a wait not
 * guarded by any test (it waits for "something happened", not a state).
 *
 * C: pthread_cond_wait / g_cond_wait / cnd_wait and their timed forms
 * (API table) under an if whose test reads shared state (c_shared_state:
 * a field through a pointer, a global, a call), outside any loop, or in a
 * loop where code runs after the wait before the loop tests again; and
 * the state is not tested again by a later if/while/for or by the loop's
 * condition.  A function forwarding a condition and a mutex it got as two
 * parameters is a wait primitive: its callers are judged instead.
 *
 * False-positive policy (C): guards testing only parameters and locals
 * choose a mode (`if (abstime)`) and are passed over; every shape
 * reported is high confidence, low in test code.
 */
#include "../../core/file.h"
#include "../../lang/c/api.h"
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"

#include <string.h>
#include <strings.h>

/* Is `recv` a condition variable: assigned from a Condition constructor
 * in this file, or named like one? */
static bool is_condition(struct fl_file *f, const char *recv)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->assigned && !strcmp(c->assigned, recv) && c->qname &&
		    strstr(c->qname, "Condition") && py_is_lock_ctor(c->qname))
			return true;
	}
	const char *last = strrchr(recv, '.');
	last = last ? last + 1 : recv;
	while (*last == '_')
		last++;
	return !strncmp(last, "cond", 4) || !strcmp(last, "cv") ||
	       strstr(last, "_cond") || strstr(last, "condition");
}

/* Is the guard's test spelled again after the wait, in the function? */
static bool retested(struct fl_file *f, TSNode fn, TSNode test, TSNode wait)
{
	const char *t = fl_text(f, test);
	size_t len = strlen(t);
	uint32_t from = ts_node_end_byte(wait), to = ts_node_end_byte(fn);
	if (!len || to > f->len)
		return false;
	for (uint32_t i = from; i + len <= to; i++)
		if (!memcmp(f->src + i, t, len))
			return true;
	return false;
}

/* The finding, in words shared by both languages. */
static void report(struct fl_file *f, const struct fl_call *c, TSNode test,
		   enum fl_confidence conf, const char *hint)
{
	const char *t = py_one_line(f, test);
	struct fl_finding *fd = fl_report(
		f, &check_condition_wait_without_loop, c->node, conf,
		"'%s' is guarded by 'if', not 'while': after a wake-up the "
		"condition '%s' is not checked again",
		c->callee, t);
	fl_trace(f, fd, test, "'%s' is tested once here", t);
	fl_trace(f, fd, c->node,
		 "'%s' returns on any notify, a timeout or a spurious "
		 "wake-up, and another waiter may have consumed the state "
		 "first",
		 c->callee);
	fl_trace(f, fd, c->node, "the code after the wait runs as if '%s' held",
		 t);
	fl_set_hint(fd, "%s", hint);
}

static void check_py(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		/* receiver.wait(...), not a bare wait(...) */
		if (c->func < 0 || !c->method || strcmp(c->method, "wait") ||
		    !c->callee || !strchr(c->callee, '.') ||
		    (c->flags & CALL_IN_LOOP))
			continue;
		size_t rl = strlen(c->callee) - 5;
		const char *recv = arena_strndup(f->a, c->callee, rl);
		if (!is_condition(f, recv))
			continue;
		/* the nearest enclosing if, within the function */
		TSNode fn = f->m.funcs.v[c->func].node;
		TSNode guard = {{0}, NULL, NULL};
		for (TSNode p = ts_node_parent(c->node);
		     !ts_node_is_null(p) && !ts_node_eq(p, fn);
		     p = ts_node_parent(p))
			if (fl_kind(f, p) == PK_if_statement) {
				guard = p;
				break;
			}
		if (ts_node_is_null(guard))
			continue;
		TSNode test = fl_child(f, guard, F_condition);
		/* if self._flag.acquire(False): ... else: cond.wait()
		 * if self._flag.acquire(False): return True   <- re-checked */
		if (retested(f, fn, test, c->node))
			continue;
		/* signaled = cond.wait(timeout): the caller is told the
		 * outcome; weaker evidence */
		enum fl_confidence conf = c->use == USE_DISCARD ? CONF_HIGH
								: CONF_LOW;
		report(f, c, test, f->is_test ? CONF_LOW : conf,
		       arena_printf(f->a,
				    "wait in a loop: 'while %s: %s()', or use "
				    "'%s.wait_for(predicate)'",
				    py_one_line(f, test), c->callee, recv));
	}
}

/* ------------------------------------------------------------------ */
/* C                                                                   */

static bool c_is_loop(unsigned k)
{
	return k == CK_while_statement || k == CK_for_statement ||
	       k == CK_do_statement;
}

static bool c_is_jump(unsigned k)
{
	return k == CK_break_statement || k == CK_continue_statement ||
	       k == CK_return_statement || k == CK_goto_statement;
}

/*
 * The innermost if around the wait (within fn) whose test reads shared
 * state, and the innermost loop around that if; both null when a loop
 * comes first (`while (!ready) pthread_cond_wait(&c, &m);`).  *key (may be
 * NULL) gets the state the test reads, null when only through a call.
 */
static void c_guard_of(struct fl_file *f, TSNode fn, TSNode wait,
		       TSNode *guard, TSNode *loop, TSNode *key)
{
	TSNode none = {{0}, NULL, NULL}, k0 = none, child = wait;
	*guard = *loop = none;
	for (TSNode p = ts_node_parent(wait);
	     !ts_node_is_null(p) && !ts_node_eq(p, fn);
	     child = p, p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		if (c_is_loop(k)) {
			if (ts_node_is_null(*guard))
				return;
			*loop = p;
			break;
		}
		if (k != CK_if_statement || !ts_node_is_null(*guard))
			continue;
		TSNode test = fl_child(f, p, F_condition);
		/* if (pthread_cond_timedwait(...) == ETIMEDOUT): not a guard */
		if (ts_node_eq(test, child))
			continue;
		/* if (abstime == NULL) pthread_cond_wait(...): a mode, not a
		 * predicate */
		bool opaque = false;
		k0 = c_shared_state(f, fn, test, &opaque);
		if (!ts_node_is_null(k0) || opaque)
			*guard = p;
	}
	if (key)
		*key = k0;
}

/*
 * my_cond_wait(struct my_cond *c, struct my_mutex *m)
 * { return pthread_cond_wait(&c->cond, &m->m); }
 * A wait on a condition and a mutex the function was handed by two
 * different parameters: the function is itself a wait primitive, and its
 * callers own the predicate.
 */
static bool c_wrapper(struct fl_file *f, TSNode fn, TSNode call)
{
	TSNode args = fl_child(f, call, F_arguments);
	if (ts_node_named_child_count(args) < 2)
		return false;
	TSNode c = c_base_var(f, ts_node_named_child(args, 0));
	TSNode m = c_base_var(f, ts_node_named_child(args, 1));
	if (ts_node_is_null(c) || ts_node_is_null(m))
		return false;
	const char *cn = fl_text(f, c), *mn = fl_text(f, m);
	if (!strcmp(cn, mn) || !c_is_param(f, fn, cn) || !c_is_param(f, fn, mn))
		return false;
	/* g_main_context_wait_internal(ctx, cond, mutex): waits for a state
	 * of its own and reports it -- a complete wait, not a primitive */
	TSNode guard, loop;
	c_guard_of(f, fn, call, &guard, &loop, NULL);
	return ts_node_is_null(guard) && ts_node_is_null(loop);
}

struct c_retest {
	struct fl_file *f;
	uint32_t after;   /* conditions starting after this byte */
	TSNode loop_cond; /* and this one wherever it is */
	const char *key;
	bool found;
};

/* Does the text of node n contain `key` as a whole expression? */
static bool c_mentions(struct fl_file *f, TSNode n, const char *key)
{
	const char *t = fl_text(f, n);
	size_t len = strlen(key);
	for (const char *p = strstr(t, key); p; p = strstr(p + 1, key)) {
		char after = p[len];
		if (!(after == '_' || (after >= 'a' && after <= 'z') ||
		      (after >= 'A' && after <= 'Z') ||
		      (after >= '0' && after <= '9')))
			return true;
	}
	return false;
}

static enum fl_visit c_retest_visit(void *ud, TSNode n)
{
	struct c_retest *r = ud;
	struct fl_file *f = r->f;
	unsigned k = fl_kind(f, n);
	if (k != CK_if_statement && !c_is_loop(k) &&
	    k != CK_conditional_expression)
		return FL_DESCEND;
	TSNode cond = fl_child(f, n, F_condition);
	if (!ts_node_is_null(cond) &&
	    (ts_node_start_byte(cond) >= r->after ||
	     ts_node_eq(cond, r->loop_cond)) &&
	    c_mentions(f, cond, r->key)) {
		r->found = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

/* Is the predicate tested again after the wait -- by a later if or loop
 * in the function, or by the condition of the loop around the guard? */
static bool c_retested(struct fl_file *f, TSNode fn, TSNode wait, TSNode loop,
		       const char *key)
{
	struct c_retest r = {f, ts_node_end_byte(wait),
			     fl_child(f, loop, F_condition), key, false};
	fl_preorder(fn, c_retest_visit, &r);
	return r.found;
}

/* Every field (`q->closed`) the guard's test reads is tested again after
 * the wait. */
struct c_fields {
	struct fl_file *f;
	TSNode fn, wait, loop;
	bool all;
};

static enum fl_visit c_fields_visit(void *ud, TSNode n)
{
	struct c_fields *cf = ud;
	if (fl_kind(cf->f, n) != CK_field_expression)
		return FL_DESCEND;
	if (!c_retested(cf->f, cf->fn, cf->wait, cf->loop, fl_text(cf->f, n))) {
		cf->all = false;
		return FL_STOP;
	}
	return FL_SKIP;
}

static bool c_all_fields_retested(struct fl_file *f, TSNode fn, TSNode wait,
				  TSNode loop, TSNode test)
{
	struct c_fields cf = {f, fn, wait, loop, true};
	fl_preorder(test, c_fields_visit, &cf);
	return cf.all;
}

/* Statements after the wait that change nothing the predicate guards:
 * comments, unlocking, an error check of a local result code. */
static bool c_inert(struct fl_file *f, TSNode fn, TSNode st)
{
	switch (fl_kind(f, st)) {
	case CK_comment:
		return true;
	case CK_expression_statement: {
		TSNode e = ts_node_named_child(st, 0);
		return ts_node_is_null(e) ||
		       (fl_kind(f, e) == CK_call_expression &&
			c_lock_op(c_callee(f, e)) == LOCK_RELEASE);
	}
	case CK_if_statement: {
		/* if (rc != 0) g_error("cond wait: %d", rc); */
		bool opaque = false;
		TSNode st_ = c_shared_state(f, fn, fl_child(f, st, F_condition),
					    &opaque);
		return ts_node_is_null(st_) && !opaque;
	}
	default:
		return false;
	}
}

/* What runs after the wait, before control goes back to the loop's test
 * (or leaves it). */
enum c_after { AFTER_NOTHING, AFTER_CODE, AFTER_USES_STATE };

/* In a loop: does code run after the wait before the loop tests again,
 * and does it read the guarded state (`key`)?  `if (!q->head) wait;
 * j = q->head;` does; `if (empty) { wait; continue; }` and a guard at the
 * end of the loop body run nothing. */
static enum c_after c_runs_after(struct fl_file *f, TSNode fn, TSNode wait,
				 TSNode loop, const char *key)
{
	enum c_after r = AFTER_NOTHING;
	TSNode child = wait;
	for (TSNode p = ts_node_parent(wait);
	     !ts_node_is_null(p) && !ts_node_eq(p, loop);
	     child = p, p = ts_node_parent(p)) {
		if (fl_kind(f, p) != CK_compound_statement)
			continue;
		bool after = false;
		uint32_t n = ts_node_named_child_count(p);
		for (uint32_t i = 0; i < n; i++) {
			TSNode s = ts_node_named_child(p, i);
			if (ts_node_eq(s, child)) {
				after = true;
				continue;
			}
			if (!after)
				continue;
			if (c_is_jump(fl_kind(f, s)))
				return r;
			if (c_inert(f, fn, s))
				continue;
			if (c_mentions(f, s, key))
				return AFTER_USES_STATE;
			r = AFTER_CODE;
		}
	}
	return r;
}

/* g_futex_wait(), queue_wait(): a function named as a wait is itself a
 * wait operation, and its callers may well loop. */
static bool c_named_wait(const char *name)
{
	size_t n = strlen(name);
	return n >= 4 && !strcasecmp(name + n - 4, "wait");
}

static void c_check_wait(struct fl_file *f, const struct fl_call *c)
{
	const struct fl_func *fi = &f->m.funcs.v[c->func];
	TSNode fn = fi->node;
	TSNode guard, loop, key;
	c_guard_of(f, fn, c->node, &guard, &loop, &key);
	if (ts_node_is_null(guard))
		return; /* an unguarded wait: for "something happened" */
	TSNode test = fl_child(f, guard, F_condition);
	if (fl_kind(f, test) == CK_parenthesized_expression &&
	    ts_node_named_child_count(test) == 1)
		test = ts_node_named_child(test, 0);
	const char *keytext = fl_text(f, ts_node_is_null(key) ? test : key);
	/* if (!q->len) pthread_cond_wait(...); if (!q->len) return -1; --
	 * but every field the guard reads must be tested again:
	 * `if (q->len == 0 && !q->closed) wait(...); if (q->len == 0)
	 * return -1;` takes a spurious wake-up for "closed" */
	if (c_retested(f, fn, c->node, loop, keytext) &&
	    c_all_fields_retested(f, fn, c->node, loop, test))
		return;
	enum fl_confidence conf = CONF_HIGH;
	if (!ts_node_is_null(loop)) {
		/* for (;;) { if (!q->len) { wait(...); continue; } ... } */
		enum c_after after = c_runs_after(f, fn, c->node, loop, keytext);
		if (after == AFTER_NOTHING)
			return;
		/* if (busy) wait(...); res = result; ... and the loop tests
		 * again: the guarded state is not relied on before that */
		if (after == AFTER_CODE)
			conf = CONF_LOW;
	}
	if (f->is_test || c_named_wait(fi->name))
		conf = CONF_LOW;
	const char *t = py_one_line(f, test);
	/* if (q->head) { ... } else pthread_cond_wait(...): waits while the
	 * test is false */
	TSNode alt = fl_child(f, guard, F_alternative);
	bool in_else = !ts_node_is_null(alt) &&
		       ts_node_start_byte(c->node) >= ts_node_start_byte(alt);
	report(f, c, test, conf,
	       arena_printf(f->a,
			    "wait in a loop that re-tests the predicate: "
			    "'while (%s%s%s) %s(...);'",
			    in_else ? "!(" : "", t, in_else ? ")" : "",
			    c->callee));
}

static void check_c(struct fl_file *f)
{
	/* wait primitives defined in this file count as waits */
	VEC(const char *) wrappers = {0};
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c_is_cond_wait(c->callee))
			continue;
		const struct fl_func *fi = &f->m.funcs.v[c->func];
		if (c_named_wait(fi->name) || c_wrapper(f, fi->node, c->node))
			*VEC_PUSH(&wrappers) = fi->name;
	}
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		bool wait = c_is_cond_wait(c->callee);
		for (size_t k = 0; !wait && k < wrappers.n; k++)
			wait = !strcmp(wrappers.v[k], c->callee);
		/* the body of a thin wrapper: its callers are judged */
		const struct fl_func *fi = &f->m.funcs.v[c->func];
		if (wait && (c_named_wait(fi->name) ||
			     !c_wrapper(f, fi->node, c->node)))
			c_check_wait(f, c);
	}
	VEC_FREE(&wrappers);
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C)
		check_c(f);
	else
		check_py(f);
}

const struct fl_check check_condition_wait_without_loop = {
	.code = "CON006",
	.name = "condition-wait-without-loop",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-362,CWE-667",
	.summary = "A condition variable is waited on under an if instead of "
		   "a while loop, so a spurious or stolen wake-up lets the "
		   "code run with its condition false.",
	.fix_hint = "re-check the predicate in a while loop, or use wait_for",
	.file_end = check,
};
