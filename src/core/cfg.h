/*
 * cfg.h - per-function control-flow graphs and the "state along paths"
 * search that rules run on them.
 *
 * A graph has one node per simple statement and per compound-statement
 * header (an if condition, a loop header, a with's entry and exit, an
 * except clause), plus ENTRY, EXIT (normal return) and RAISE (an exception
 * leaves the function).  Every node has its normal successors, and a node
 * that can raise has one exception successor: the innermost except
 * dispatch, finally copy or with exit around it, or RAISE.  finally bodies
 * and with exits are copied once per way out (fall through, exception,
 * return, break, continue), so each copy knows where it continues.
 *
 * Graphs are built lazily for the functions a rule asks about and cached
 * in the file's model (arena memory): rules that never ask pay nothing.
 */
#ifndef FL_CFG_H
#define FL_CFG_H

#include "file.h"

enum cfg_kind {
	N_ENTRY = 1,
	N_EXIT,        /* normal return from the function */
	N_RAISE,       /* an exception leaves the function */
	N_STMT,        /* a simple statement */
	N_RETURN,
	N_COND,        /* if / elif / while / match test */
	N_LOOP,        /* for header: takes the next item */
	N_WITH_ENTER,  /* with: context managers entered */
	N_WITH_EXIT,   /* with: __exit__ runs (one copy per way out) */
	N_DISPATCH,    /* an exception arrives at a try's except clauses */
	N_HANDLER,     /* one except clause matched */
	N_JOIN,        /* no code: a join point */
};

enum cfg_flags {
	NF_RAISES = 1 << 0,      /* may raise: has an exception successor */
	NF_RAISES_CALL = 1 << 2, /* ... because of a call, await, raise or
				  * assert (not only a subscript) */
	NF_EXC_COPY = 1 << 1,    /* in a finally/with-exit copy run for an
				  * exception in flight */
	NF_IN_HANDLER = 1 << 3,  /* in an except clause's body */
};

struct cfg_node {
	TSNode node;          /* the statement, condition or clause */
	uint8_t kind;
	uint8_t flags;
	int exc;              /* exception successor, -1 if none */
	int *succ;            /* normal successors (arena) */
	uint32_t n, cap;
	int owner;            /* N_WITH_*: index in model.withs of the with
			       * statement's first item; else -1 */
};

struct cfg {
	int func;             /* index in model.funcs */
	VEC(struct cfg_node) nodes;
	int entry, exit, raise;
	bool too_big;         /* gave up: rules must not report */
};

/* The graph of function `func` (built on first use; NULL for lambdas, or
 * when the function is too big or too broken to model). */
const struct cfg *cfg_of(struct fl_file *f, int func);

/* The builders (src/lang/python/cfg.c, src/lang/c/cfg.c) and what they
 * share: a new node (sets too_big past the size limit) and an edge. */
struct cfg *cfg_build_python(struct fl_file *f, int func);
struct cfg *cfg_build_c(struct fl_file *f, int func);
int cfg_add_node(struct cfg *g, uint8_t kind, TSNode n, uint8_t flags);
void cfg_add_edge(struct fl_file *f, struct cfg *g, int from, int to);

/* C helpers for the path rules (src/lang/c/cfg.c): the innermost if (or
 * loop) around n in its function, null if none; whether outer contains
 * n; a function's last statement; and the trace of a path -- the
 * branches it takes, the cases it enters and the gotos that jump past
 * `release` ("the unlock"; NULL: the gotos it takes). */
TSNode c_enclosing(struct fl_file *f, TSNode n, bool loop);
bool c_within(TSNode outer, TSNode n);
TSNode c_last_statement(struct fl_file *f, TSNode fn);
struct path_step;
void c_trace_path(struct fl_file *f, struct fl_finding *fd,
		  const struct cfg *g, const struct path_step *path,
		  size_t len, const char *release);

/* The node that evaluates the code at `byte` (the smallest statement or
 * header containing it; copies made for exceptions are skipped), or -1. */
int cfg_node_at(const struct cfg *g, uint32_t byte);
/* The code a node evaluates itself (a statement, a condition, a loop's
 * iterable, a with's items), or a null node for joins, exits, dispatch and
 * with exits, whose subtrees belong to other nodes. */
TSNode cfg_node_code(const struct cfg *g, int node);

/* Free the graphs cached for a file (called with the model). */
void cfg_release_all(struct fl_file *f);

/* ------------------------------------------------------------------ */
/* State along paths                                                   */

#define PS_STOP 0xff  /* transfer result: stop following this path */

/*
 * A search over (node, state) pairs from a start node.  transfer gives the
 * state after `node` on a normal edge (exc = false) or on its exception
 * edge (exc = true); PS_STOP ends the path (the tracked thing escaped or
 * was released for good).  bad() says whether reaching `node` (EXIT or
 * RAISE, or any node if the rule wants) in `state` is the bug.
 */
struct path_rule {
	uint8_t (*transfer)(void *ud, const struct cfg *g, int node,
			    uint8_t state, bool exc);
	bool (*bad)(void *ud, const struct cfg *g, int node, uint8_t state);
	void *ud;
	/* Optional: may the path take normal successor number i of node in
	 * this state?  (Prunes infeasible branches, e.g. the "is None" side
	 * of a test of something known to be open.) */
	bool (*follow)(void *ud, const struct cfg *g, int node, uint32_t i,
		       uint8_t state);
};

/* For a condition node testing `name` (`if name:`, `if name is None:`,
 * `if not name:`, `while name is not None:`): the index of the successor
 * taken when `name` is None or falsy, or -1 when the test is something
 * else.  Successor 0 is the true branch of every condition. */
int cfg_none_branch(struct fl_file *f, const struct cfg *g, int node,
		    const char *name);

/* States are small numbers, 0 .. PS_MAX_STATE. */
#define PS_MAX_STATE 7

/* One step of a found path: a node and whether it was left through its
 * exception edge. */
struct path_step {
	int node;
	bool exc;
};

/*
 * Breadth-first search from `start` (in state `state`) for a node where
 * bad() holds.  The start node's own transfer is applied first.  When
 * only_exc is set, only paths that take at least one exception edge count.
 * On success returns the path length and fills out[] (at most max steps,
 * oldest first); returns 0 when no bad node is reachable.
 */
size_t paths_find(const struct cfg *g, int start, uint8_t state,
		  const struct path_rule *r, bool only_exc,
		  struct path_step *out, size_t max);

#endif
