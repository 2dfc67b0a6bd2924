#ifndef FL_PY_PAIRS_H
#define FL_PY_PAIRS_H

#include "../../core/hold.h"
#include "api.h"

/* A take/give pair on one expression: lock.acquire()/release(),
 * self.n += 1 / -= 1. */
struct py_pair {
	struct fl_file *f;
	const struct cfg *g;
	const char *target;   /* "self._lock", "self.in_flight" */
	enum py_op give;      /* OP_RELEASE or OP_DEC */
};

/* Is there a path from `start` (the taking node) through an exception to
 * the function's exit with the pair not given back?  start_branch: see
 * struct hold. */
bool py_pair_leak(struct py_pair *p, int start, int start_branch,
		  struct hold_found *out);

/* Does the name read like a semaphore or limiter ("self._slots",
 * "sem")? */
bool py_is_semaphore_name(const char *target);

/* The call that raises on the found path, as the code names it. */
const char *py_raising_call(struct fl_file *f, const struct py_pair *p,
			    const struct hold_found *found);

/* Trace steps after the taking step: the raise, the give-back that is
 * skipped, how the function is left. */
void py_pair_trace(struct fl_file *f, struct fl_finding *fd,
		   const struct py_pair *p, const struct hold_found *found,
		   const char *held, const char *gives);

#endif
