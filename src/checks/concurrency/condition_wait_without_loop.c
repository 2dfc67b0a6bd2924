/*
 * CON006 condition-wait-without-loop (Python)
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
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

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

static void check(struct fl_file *f)
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
		struct fl_finding *fd = fl_report(
			f, &check_condition_wait_without_loop, c->node,
			f->is_test ? CONF_LOW : conf,
			"'%s' is guarded by 'if', not 'while': after a wake-up "
			"the condition '%s' is not checked again",
			c->callee, py_one_line(f, test));
		fl_trace(f, fd, test, "'%s' is tested once here",
			 py_one_line(f, test));
		fl_trace(f, fd, c->node,
			 "'%s' returns on any notify, a timeout or a spurious "
			 "wake-up, and another waiter may have consumed the "
			 "state first",
			 c->callee);
		fl_trace(f, fd, c->node,
			 "the code after the wait runs as if '%s' held",
			 py_one_line(f, test));
		fl_set_hint(fd,
			    "wait in a loop: 'while %s: %s()', or use "
			    "'%s.wait_for(predicate)'",
			    py_one_line(f, test), c->callee, recv);
	}
}

const struct fl_check check_condition_wait_without_loop = {
	.code = "CON006",
	.name = "condition-wait-without-loop",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-362,CWE-667",
	.summary = "A condition variable is waited on under an if instead of "
		   "a while loop, so a spurious or stolen wake-up lets the "
		   "code run with its condition false.",
	.fix_hint = "re-check the predicate in a while loop, or use wait_for",
	.file_end = check,
};
