/*
 * globals.c - module globals as functions see them: which bare names in a
 * function (the walk's gaccesses) are the module's own globals.
 *
 * A global is a name bound exactly once at module level (a second
 * binding makes its value unclear), directly or inside a top-level
 * if/try.  Inside a function a bare name refers to it unless the
 * function, or one around it, binds the name itself -- an assignment,
 * a loop, with or except target, a parameter -- without declaring it
 * `global`.  Reading or mutating a container needs no declaration
 * (`_hosts[k] = v`); anything else is shared only where the function
 * declares it (`global n; n += 1`).
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

struct py_fbind {
	int func;
	const char *name;
	bool global;
};

static int global_cmp(const void *x, const void *y)
{
	return strcmp(((const struct py_global *)x)->name,
		      ((const struct py_global *)y)->name);
}

static int fbind_cmp(const void *x, const void *y)
{
	const struct py_fbind *a = x, *b = y;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return (int)a->global - (int)b->global;
}

static void bindings_in(struct fl_file *f, TSNode block, int depth,
			struct py_globals *g, size_t *cap)
{
	uint32_t cnt = ts_node_named_child_count(block);
	for (uint32_t i = 0; i < cnt; i++) {
		TSNode st = ts_node_named_child(block, i);
		unsigned k = fl_kind(f, st);
		if ((k == PK_if_statement || k == PK_try_statement ||
		     k == PK_else_clause || k == PK_except_clause ||
		     k == PK_finally_clause || k == PK_elif_clause ||
		     k == PK_block) &&
		    depth < 4) {
			bindings_in(f, st, depth + 1, g, cap);
			continue;
		}
		if (k != PK_expression_statement)
			continue;
		TSNode asg = ts_node_named_child(st, 0);
		if (fl_kind(f, asg) != PK_assignment)
			continue;
		TSNode l = fl_child(f, asg, F_left);
		TSNode r = fl_child(f, asg, F_right);
		if (fl_kind(f, l) != PK_identifier || ts_node_is_null(r))
			continue;
		g->v = arena_grow(f->a, g->v, cap, g->n, sizeof(*g->v));
		g->v[g->n++] = (struct py_global){fl_text(f, l), st, r,
						  py_container_kind(f, r)};
	}
}

void py_globals_build(struct fl_file *f, struct py_globals *g)
{
	memset(g, 0, sizeof(*g));
	size_t cap = 0;
	bindings_in(f, f->root, 0, g, &cap);
	if (!g->n)
		return;
	qsort(g->v, g->n, sizeof(*g->v), global_cmp);
	size_t k = 0;
	for (size_t i = 0; i < g->n;) {
		size_t j = i;
		while (j < g->n && !strcmp(g->v[j].name, g->v[i].name))
			j++;
		if (j == i + 1)
			g->v[k++] = g->v[i];
		i = j;
	}
	g->n = k;
	/* what each function binds of those names itself */
	size_t na = f->m.gaccesses.n;
	g->fb = ARENA_NEWN(f->a, struct py_fbind, na ? na : 1);
	for (size_t i = 0; i < na; i++) {
		const struct fl_access *a = &f->m.gaccesses.v[i];
		bool store = a->kind == ACC_STORE || a->kind == ACC_DEL;
		if ((store || a->kind == ACC_GLOBAL) && py_global_find(g, a->name))
			g->fb[g->nfb++] = (struct py_fbind){
				a->func, a->name, a->kind == ACC_GLOBAL};
	}
	qsort(g->fb, g->nfb, sizeof(*g->fb), fbind_cmp);
}

const struct py_global *py_global_find(const struct py_globals *g,
				       const char *name)
{
	struct py_global key = {.name = name};
	return g->n ? bsearch(&key, g->v, g->n, sizeof(*g->v), global_cmp)
		    : NULL;
}

static bool binds(const struct py_globals *g, int func, const char *name,
		  bool global)
{
	struct py_fbind key = {func, name, global};
	return g->nfb && bsearch(&key, g->fb, g->nfb, sizeof(*g->fb),
				 fbind_cmp);
}

bool py_global_declared(struct fl_file *f, const struct py_globals *g,
			int func, const char *name)
{
	for (int m = func; m >= 0; m = f->m.funcs.v[m].parent)
		if (binds(g, m, name, true))
			return true;
	return false;
}

const struct py_global *py_global_of(struct fl_file *f,
				     const struct py_globals *g,
				     const struct fl_access *a)
{
	if (a->kind == ACC_GLOBAL || a->func < 0)
		return NULL;
	const struct py_global *b = py_global_find(g, a->name);
	if (!b)
		return NULL;
	if (!b->container && !py_global_declared(f, g, a->func, a->name))
		return NULL;
	for (int m = a->func; m >= 0; m = f->m.funcs.v[m].parent) {
		if (binds(g, m, a->name, true))
			return b;
		if (binds(g, m, a->name, false) ||
		    py_is_parameter(f, m, a->name))
			return NULL;
	}
	return b;
}
