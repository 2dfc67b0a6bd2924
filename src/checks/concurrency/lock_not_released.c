/*
 * CON002 lock-not-released (Python)
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
#include "../../lang/python/pairs.h"

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

static void check(struct fl_file *f)
{
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
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_HIGH,
	.cwe = "CWE-667,CWE-833",
	.summary = "A lock is acquired and released by hand, and an "
		   "exception between the two leaves it held, so every later "
		   "acquire blocks.",
	.fix_hint = "use a with statement, or release in a finally clause",
	.file_end = check,
};
