#include "hold.h"

#include <stdlib.h>
#include <string.h>

enum { S_NONE = 0, S_HELD = 1 };

struct run {
	struct hold *h;
	uint8_t *before_give;
	int tier;        /* 0: likely raises only, 1: calls, 2: anything */
};

/* `raise` inside an except clause: it carries a failure from before. */
static bool reraise(const struct cfg *g, int n)
{
	const struct cfg_node *nd = &g->nodes.v[n];
	return (nd->flags & NF_IN_HANDLER) && (nd->flags & NF_RAISES_CALL) &&
	       nd->n == 0;
}

static uint8_t transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			bool exc)
{
	struct run *r = ud;
	struct hold *h = r->h;
	if (n == h->start && s == S_NONE)
		return exc ? PS_STOP : S_HELD; /* taking it failed */
	if (s != S_HELD)
		return s;
	if (exc) {
		if (r->tier < 2 && !(g->nodes.v[n].flags & NF_RAISES_CALL))
			return PS_STOP;
		if (r->tier == 0 && !(g->nodes.v[n].flags & NF_IN_HANDLER) &&
		    !h->likely_raise(h->ud, n))
			return PS_STOP;
		/* raised after the code stopped meaning to give it back;
		 * a raise inside an except clause carries the failure that
		 * got there and is judged by where that one came from */
		if (!r->before_give[n] && !reraise(g, n))
			return PS_STOP;
	}
	if (g->nodes.v[n].kind == N_DISPATCH && h->handler_gives &&
	    h->handler_gives(h->ud, n))
		return PS_STOP;
	switch (h->event(h->ud, n)) {
	case H_GIVE:
	case H_STOP:
		return PS_STOP;
	default:
		return s;
	}
}

static bool follow(void *ud, const struct cfg *g, int n, uint32_t i,
		   uint8_t s)
{
	struct run *r = ud;
	struct hold *h = r->h;
	if (n == h->start && h->start_branch >= 0)
		return (int)i == h->start_branch;
	if (s != S_HELD)
		return true;
	const struct cfg_node *nd = &g->nodes.v[n];
	if (nd->kind == N_DISPATCH)
		return g->nodes.v[nd->succ[i]].kind == N_HANDLER;
	if (nd->kind == N_COND && h->absent_branch)
		return h->absent_branch(h->ud, n) != (int)i;
	return true;
}

static bool leaves_held(void *ud, const struct cfg *g, int n, uint8_t s)
{
	(void)ud;
	return s == S_HELD && (n == g->exit || n == g->raise);
}

bool hold_find_leak(struct hold *h, struct hold_found *out, struct arena *a)
{
	const struct cfg *g = h->g;
	struct run r = {h, arena_alloc(a, g->nodes.n), h->likely_raise ? 0 : 1};
	out->give = -1;
	for (size_t i = 0; i < g->nodes.n; i++) {
		if ((int)i == h->start || h->event(h->ud, (int)i) != H_GIVE)
			continue;
		r.before_give[i] = 1;
		if (out->give < 0 && !(g->nodes.v[i].flags & NF_EXC_COPY))
			out->give = (int)i;
	}
	if (out->give < 0)
		return false;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < g->nodes.n; i++) {
			if (r.before_give[i])
				continue;
			const struct cfg_node *nd = &g->nodes.v[i];
			bool reach = nd->exc >= 0 && r.before_give[nd->exc];
			for (uint32_t k = 0; k < nd->n && !reach; k++)
				reach = r.before_give[nd->succ[k]];
			if (reach) {
				r.before_give[i] = 1;
				changed = true;
			}
		}
	}
	struct path_rule rule = {transfer, leaves_held, &r, follow};
	size_t cap = sizeof(out->path) / sizeof(out->path[0]);
	out->len = 0;
	for (; r.tier <= 2 && !out->len; r.tier++)
		out->len = paths_find(g, h->start, S_NONE, &rule, true,
				      out->path, cap);
	out->by_call = r.tier - 1 < 2;
	if (!out->len)
		return false;
	/* The failure that matters: the last exception edge taken outside
	 * an except clause (a re-raise carries an earlier failure on). */
	out->raiser = -1;
	for (size_t i = 0; i < out->len; i++)
		if (out->path[i].exc &&
		    (out->raiser < 0 ||
		     !(g->nodes.v[out->path[i].node].flags & NF_IN_HANDLER)))
			out->raiser = out->path[i].node;
	out->to_raise = out->path[out->len - 1].node == g->raise;
	return out->raiser >= 0;
}

/* ------------------------------------------------------------------ */
/* Returns with the thing held (C)                                      */

struct rrun {
	struct hold *h;
	int target;
};

static uint8_t r_transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			  bool exc)
{
	struct rrun *r = ud;
	(void)g;
	(void)exc;
	if (n == r->h->start)
		return S_HELD;
	switch (r->h->event(r->h->ud, n)) {
	case H_GIVE:
		return S_NONE;
	case H_STOP:
		return PS_STOP;
	default:
		return s;
	}
}

static bool r_follow(void *ud, const struct cfg *g, int n, uint32_t i,
		     uint8_t s)
{
	struct rrun *r = ud;
	struct hold *h = r->h;
	(void)g;
	if (n == h->start && h->start_branch >= 0)
		return (int)i == h->start_branch;
	if (s == S_HELD && h->absent_branch)
		return h->absent_branch(h->ud, n) != (int)i;
	return true;
}

static bool r_bad(void *ud, const struct cfg *g, int n, uint8_t s)
{
	(void)g;
	return n == ((struct rrun *)ud)->target && s == S_HELD;
}

/* The forward search's states: S_NONE (given back), S_HELD, and S_GONE
 * (handed on: nothing to give back any more). */
enum { S_GONE = 2 };

static uint8_t r_step(struct rrun *rr, const struct cfg *g, int n, uint8_t s)
{
	if (s == S_GONE)
		return S_GONE;
	uint8_t t = r_transfer(rr, g, n, s, false);
	return t == PS_STOP ? S_GONE : t;
}

bool hold_find_return_leak(struct hold *h, TSNode last,
			   struct hold_found *out, int *ret, bool *shared)
{
	const struct cfg *g = h->g;
	struct rrun rr = {h, -1};
	size_t nn = g->nodes.n;
	/* (node, state after it) reachable from the start */
	uint8_t *seen = xmalloc(nn * 3);
	int *queue = xmalloc(nn * 3 * sizeof(*queue));
	memset(seen, 0, nn * 3);
	size_t head = 0, tail = 0;
	uint8_t s0 = r_step(&rr, g, h->start, S_NONE);
	seen[h->start * 3 + s0] = 1;
	queue[tail++] = h->start * 3 + s0;
	while (head < tail) {
		int p = queue[head++];
		int n = p / 3;
		uint8_t st = (uint8_t)(p % 3);
		for (uint32_t i = 0; i < g->nodes.v[n].n; i++) {
			if (st != S_GONE && !r_follow(&rr, g, n, i, st))
				continue;
			int m = g->nodes.v[n].succ[i];
			uint8_t s2 = r_step(&rr, g, m, st);
			if (seen[m * 3 + s2])
				continue;
			seen[m * 3 + s2] = 1;
			queue[tail++] = m * 3 + s2;
		}
	}
	uint32_t ls = ts_node_is_null(last) ? UINT32_MAX
					    : ts_node_start_byte(last);
	bool final_given = false;
	int leak = -1;
	bool both = false;
	for (size_t n = 0; n < nn; n++) {
		const struct cfg_node *nd = &g->nodes.v[n];
		bool to_exit = false;
		for (uint32_t i = 0; i < nd->n; i++)
			to_exit |= nd->succ[i] == g->exit;
		if (!to_exit)
			continue;
		bool held = seen[n * 3 + S_HELD];
		/* given back or handed on (`return buf;`, `out->body = buf`) */
		bool given = seen[n * 3 + S_NONE] || seen[n * 3 + S_GONE];
		bool early = nd->kind == N_RETURN &&
			     ts_node_start_byte(nd->node) < ls;
		if (!early && given)
			final_given = true;
		if (!held || nd->kind != N_RETURN)
			continue;
		if (given && !both) {
			leak = (int)n;
			both = true;
		} else if (early && leak < 0) {
			leak = (int)n;
		}
	}
	free(seen);
	free(queue);
	if (leak < 0 || (!both && !final_given))
		return false;
	rr.target = leak;
	struct path_rule pr = {r_transfer, r_bad, &rr, r_follow};
	out->len = paths_find(g, h->start, S_NONE, &pr, false, out->path,
			      ARRAY_SIZE(out->path));
	if (!out->len)
		return false;
	*ret = leak;
	*shared = both;
	return true;
}
