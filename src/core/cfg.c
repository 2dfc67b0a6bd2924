/*
 * cfg.c - the graph cache and the path search shared by both languages.
 */
#include "cfg.h"

#include <stdlib.h>
#include <string.h>

const struct cfg *cfg_of(struct fl_file *f, int func)
{
	if (func < 0 || (size_t)func >= f->m.funcs.n)
		return NULL;
	if (!f->m.cfgs)
		f->m.cfgs = arena_alloc(f->a, f->m.funcs.n * sizeof(*f->m.cfgs));
	if (!f->m.cfgs[func]) {
		if (f->m.funcs.v[func].is_lambda)
			return NULL;
		f->m.cfgs[func] = f->lang == LANG_PYTHON ? cfg_build_python(f, func)
				  : f->lang == LANG_C	 ? cfg_build_c(f, func)
							 : NULL;
		if (!f->m.cfgs[func])
			return NULL;
	}
	const struct cfg *g = f->m.cfgs[func];
	return g && !g->too_big ? g : NULL;
}

#define MAX_NODES 20000

int cfg_add_node(struct cfg *g, uint8_t kind, TSNode n, uint8_t flags)
{
	if (g->nodes.n >= MAX_NODES) {
		g->too_big = true;
		return 0; /* node 0 is ENTRY; the graph is discarded anyway */
	}
	struct cfg_node *nd = VEC_PUSH(&g->nodes);
	nd->node = n;
	nd->kind = kind;
	nd->flags = flags;
	nd->exc = -1;
	nd->owner = -1;
	return (int)(g->nodes.n - 1);
}

void cfg_add_edge(struct fl_file *f, struct cfg *g, int from, int to)
{
	if (to < 0 || g->too_big)
		return;
	struct cfg_node *nd = &g->nodes.v[from];
	for (uint32_t i = 0; i < nd->n; i++)
		if (nd->succ[i] == to)
			return;
	if (nd->n == nd->cap) {
		uint32_t nc = nd->cap ? nd->cap * 2 : 2;
		int *ns = arena_alloc(f->a, nc * sizeof(int));
		if (nd->n)
			memcpy(ns, nd->succ, nd->n * sizeof(int));
		nd->succ = ns;
		nd->cap = nc;
	}
	nd->succ[nd->n++] = to;
}

TSNode cfg_node_code(const struct cfg *g, int node)
{
	const struct cfg_node *nd = &g->nodes.v[node];
	switch (nd->kind) {
	case N_STMT:
	case N_RETURN:
	case N_COND:
	case N_LOOP:
	case N_WITH_ENTER:
		return nd->node;
	default: {
		TSNode none = {{0}, NULL, NULL};
		return none;
	}
	}
}

int cfg_node_at(const struct cfg *g, uint32_t byte)
{
	int best = -1;
	uint32_t best_len = UINT32_MAX;
	for (size_t i = 0; i < g->nodes.n; i++) {
		const struct cfg_node *nd = &g->nodes.v[i];
		if (nd->flags & NF_EXC_COPY)
			continue;
		TSNode c = cfg_node_code(g, (int)i);
		if (ts_node_is_null(c))
			continue;
		uint32_t s = ts_node_start_byte(c), e = ts_node_end_byte(c);
		if (s <= byte && byte < e && e - s < best_len) {
			best = (int)i;
			best_len = e - s;
		}
	}
	return best;
}

int cfg_none_branch(struct fl_file *f, const struct cfg *g, int node,
		    const char *name)
{
	const struct cfg_node *nd = &g->nodes.v[node];
	if (nd->kind != N_COND || nd->n != 2 || f->lang != LANG_PYTHON)
		return -1;
	TSNode c = fl_unparen(f, nd->node);
	bool negate = false;
	if (fl_kind(f, c) == PK_not_operator) {
		negate = true;
		c = fl_unparen(f, fl_child(f, c, F_argument));
	}
	int falsy; /* branch index when name is None/falsy, before negate */
	unsigned ck = fl_kind(f, c);
	if ((ck == PK_identifier || ck == PK_attribute) &&
	    fl_text_eq(f, c, name)) {
		falsy = 1;
	} else if (fl_kind(f, c) == PK_comparison_operator &&
		   ts_node_named_child_count(c) == 2) {
		TSNode a = ts_node_named_child(c, 0);
		TSNode b = ts_node_named_child(c, 1);
		if (!fl_text_eq(f, a, name) || fl_kind(f, b) != PK_none)
			return -1;
		/* the operator sits between the operands */
		uint32_t as = ts_node_end_byte(a), bs = ts_node_start_byte(b);
		const char *op = f->src + as;
		size_t len = bs - as;
		bool is_not = false, is = false;
		for (size_t i = 0; i + 1 < len; i++) {
			if (!memcmp(op + i, "is", 2))
				is = true;
			if (i + 3 <= len && !memcmp(op + i, "not", 3))
				is_not = true;
			if (!memcmp(op + i, "!=", 2))
				is = is_not = true;
			if (!memcmp(op + i, "==", 2))
				is = true;
		}
		if (!is)
			return -1;
		falsy = is_not ? 1 : 0;
	} else {
		return -1;
	}
	return negate ? 1 - falsy : falsy;
}

void cfg_release_all(struct fl_file *f)
{
	if (!f->m.cfgs)
		return;
	for (size_t i = 0; i < f->m.funcs.n; i++)
		if (f->m.cfgs[i])
			VEC_FREE(&f->m.cfgs[i]->nodes);
	f->m.cfgs = NULL;
}

/* Pairs (node, state, took-an-exception-edge) are numbered
 * node * 16 + took * 8 + state. */
#define PAIR(n, s, t) ((size_t)(n) * 16 + (size_t)(t) * 8 + (size_t)(s))

size_t paths_find(const struct cfg *g, int start, uint8_t state,
		  const struct path_rule *r, bool only_exc,
		  struct path_step *out, size_t max)
{
	size_t npairs = g->nodes.n * 16;
	int32_t *parent = malloc(npairs * sizeof(*parent));
	uint8_t *via_exc = calloc(npairs, 1);
	size_t *queue = malloc(npairs * sizeof(*queue));
	if (!parent || !via_exc || !queue)
		die("out of memory in path search");
	for (size_t i = 0; i < npairs; i++)
		parent[i] = -2; /* unvisited */
	size_t head = 0, tail = 0, found = SIZE_MAX;
	size_t p0 = PAIR(start, state, 0);
	parent[p0] = -1;
	queue[tail++] = p0;
	while (head < tail) {
		size_t p = queue[head++];
		int n = (int)(p / 16);
		uint8_t s = (uint8_t)(p % 8);
		bool took = (p / 8) % 2;
		if (p != p0 && (!only_exc || took) && r->bad(r->ud, g, n, s)) {
			found = p;
			break;
		}
		const struct cfg_node *nd = &g->nodes.v[n];
		uint8_t s2 = r->transfer(r->ud, g, n, s, false);
		if (s2 != PS_STOP && s2 <= PS_MAX_STATE)
			for (uint32_t i = 0; i < nd->n; i++) {
				if (r->follow && !r->follow(r->ud, g, n, i, s))
					continue;
				size_t q = PAIR(nd->succ[i], s2, took);
				if (parent[q] != -2)
					continue;
				parent[q] = (int32_t)p;
				queue[tail++] = q;
			}
		if (nd->exc >= 0) {
			uint8_t s3 = r->transfer(r->ud, g, n, s, true);
			if (s3 != PS_STOP && s3 <= PS_MAX_STATE) {
				size_t q = PAIR(nd->exc, s3, 1);
				if (parent[q] == -2) {
					parent[q] = (int32_t)p;
					via_exc[q] = 1;
					queue[tail++] = q;
				}
			}
		}
	}
	size_t len = 0;
	if (found != SIZE_MAX) {
		/* Walk back to the start; then reverse into out[]. */
		size_t count = 0;
		for (int64_t p = (int64_t)found; p >= 0; p = parent[p])
			count++;
		size_t skip = count > max ? count - max : 0;
		len = count - skip;
		for (size_t k = 0; k < len; k++)
			out[k].exc = false;
		size_t i = count;
		for (int64_t p = (int64_t)found; p >= 0; p = parent[p]) {
			i--;
			if (i >= skip)
				out[i - skip].node = (int)(p / 16);
			/* reached through an exception edge: the step before
			 * left its node by that edge */
			if (i > skip && via_exc[p])
				out[i - 1 - skip].exc = true;
		}
	}
	free(parent);
	free(via_exc);
	free(queue);
	return len;
}
