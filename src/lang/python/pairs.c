/*
 * pairs.c - the take/give pairs of Python locks, semaphores and counters,
 * described for the hold facility (src/core/hold.h).  Shared by CON002
 * lock-not-released and CON003 counter-or-semaphore-not-restored.
 */
#include "pairs.h"

#include <string.h>

static enum hold_ev event(void *ud, int n)
{
	struct py_pair *p = ud;
	enum py_op op = py_target_op(p->f, cfg_node_code(p->g, n), p->target);
	enum py_op take = p->give == OP_RELEASE ? OP_ACQUIRE : OP_INC;
	if (op == p->give)
		return H_GIVE;
	/* Taken again while held (a lock handed between threads, a counter
	 * bumped in a loop): a protocol richer than one pair; not judged. */
	if (op == OP_RESET || op == OP_ESCAPE || op == take)
		return H_STOP;
	return H_NONE;
}

/* `if lock is not None: lock.release()` -- it is not None while held. */
static int absent_branch(void *ud, int n)
{
	struct py_pair *p = ud;
	return cfg_none_branch(p->f, p->g, n, p->target);
}

static bool handler_gives(void *ud, int dispatch)
{
	struct py_pair *p = ud;
	const struct cfg_node *d = &p->g->nodes.v[dispatch];
	for (uint32_t i = 0; i < d->n; i++) {
		const struct cfg_node *h = &p->g->nodes.v[d->succ[i]];
		if (h->kind != N_HANDLER)
			continue;
		TSNode body = fl_child_of_kind(p->f, h->node, PK_block);
		if (py_target_op(p->f, body, p->target) == p->give)
			return true;
	}
	return false;
}

static bool likely_raise(void *ud, int n)
{
	struct py_pair *p = ud;
	return py_node_likely_raises(p->f, p->g, n);
}

bool py_pair_leak(struct py_pair *p, int start, int start_branch,
		  struct hold_found *out)
{
	struct hold h = {p->g,	       start,	      start_branch, event,
			 handler_gives, absent_branch, p,     likely_raise};
	return hold_find_leak(&h, out, p->f->a);
}

bool py_is_semaphore_name(const char *target)
{
	const char *last = strrchr(target, '.');
	last = last ? last + 1 : target;
	static const char *const words[] = {"sem", "slot", "limit", "permit",
					    "throttle", "bucket", "quota"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(last, words[i]))
			return true;
	return false;
}

void py_pair_trace(struct fl_file *f, struct fl_finding *fd,
		   const struct py_pair *p, const struct hold_found *found,
		   const char *held, const char *gives)
{
	const struct fl_func *fn = &f->m.funcs.v[p->g->func];
	TSNode rn = p->g->nodes.v[found->raiser].node;
	fl_trace(f, fd, rn, "'%s' can raise while %s", py_one_line(f, rn), held);
	fl_trace(f, fd, p->g->nodes.v[found->give].node,
		 "%s here only when nothing before it raised", gives);
	fl_trace(f, fd, fn->node,
		 found->to_raise ? "the exception leaves '%s' and nothing "
				   "undoes it"
				 : "the exception is handled and '%s' returns "
				   "without undoing it",
		 fn->qualname);
}

const char *py_raising_call(struct fl_file *f, const struct py_pair *p,
			    const struct hold_found *found)
{
	return py_node_name(f, p->g, found->raiser);
}
