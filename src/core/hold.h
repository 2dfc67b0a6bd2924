/*
 * hold.h - "taken, then given back": the path question behind leaked
 * resources, locks never released and counters never restored.
 *
 * A rule describes what each graph node does to the thing it tracks
 * (gives it back, lets it escape, or nothing); hold_find_leak() answers
 * whether some path from the taking node, through an exception edge,
 * leaves the function while the thing is still held -- and, so that the
 * finding describes a real mistake rather than a design, only exceptions
 * raised where the code still meant to give the thing back count (a node
 * from which some give-back is reachable).
 *
 * Paths are pruned where the code tests the thing for None, and an
 * exception reaching a try's except clauses is taken to match one of
 * them (a clause that gives the thing back covers the failure).
 */
#ifndef FL_HOLD_H
#define FL_HOLD_H

#include "cfg.h"

enum hold_ev {
	H_NONE = 0,   /* nothing, or a plain use */
	H_GIVE,       /* released / closed / decremented */
	H_STOP,       /* escaped, reassigned, handed on: not ours any more */
};

struct hold {
	const struct cfg *g;
	int start;            /* the node that takes it */
	int start_branch;     /* start is a condition (`if lock.acquire():`):
			       * only this successor holds it; -1 = all */
	enum hold_ev (*event)(void *ud, int node);
	/* except clauses behind dispatch node give it back? (may be NULL) */
	bool (*handler_gives)(void *ud, int dispatch);
	/* successor of condition node taken when it is absent/None, or -1
	 * (may be NULL) */
	int (*absent_branch)(void *ud, int node);
	void *ud;
	/* Optional: does node raise for a reason worth naming first (I/O,
	 * an await, an explicit raise)?  Paths through such raises are
	 * preferred, so the trace names the call that fails in practice. */
	bool (*likely_raise)(void *ud, int node);
};

struct hold_found {
	struct path_step path[64];
	size_t len;
	int raiser;       /* the failure: the last node left through its
			   * exception edge outside an except clause */
	int give;         /* a node that gives it back (not an exception copy) */
	bool to_raise;    /* the exception leaves the function (else it is
			   * handled and the function returns) */
	bool by_call;     /* the raiser raises through a call, not only a
			   * subscript */
};

/* Is there a leak path?  Fills *out when there is.  Returns false too
 * when nothing ever gives the thing back (not this question). */
bool hold_find_leak(struct hold *h, struct hold_found *out, struct arena *a);

/*
 * The same question for code without exceptions (C): does a `return`
 * leave the function with the thing still held?  Uses h->start,
 * h->start_branch, h->event (H_GIVE gives it back, H_STOP ends the
 * path: it escaped) and h->absent_branch (the side of a test on which
 * the taking failed: `if (!p)`, `if (fd < 0)`).  To tell a mistake from
 * a design that returns the thing held (a lookup that returns with the
 * table locked, a constructor that returns its buffer), only two kinds of
 * return count:
 *   - a return that other paths reach with the thing given back (the
 *     shared `out:` label a `goto` reaches past the release): `shared`;
 *   - an early return -- not in the body's last statement -- in a
 *     function whose last statement is reached with it given back.
 * `last` is the body's last statement.  On success fills out->path (from
 * the start to the return), out->len and *ret, *shared.
 */
bool hold_find_return_leak(struct hold *h, TSNode last,
			   struct hold_found *out, int *ret, bool *shared);

#endif
