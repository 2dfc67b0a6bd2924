/*
 * cfg.c - control-flow graphs of C functions.
 *
 * The same graph as Python's (src/core/cfg.h), built the same way:
 * backwards, each statement given the node that follows it.  C has no
 * exceptions, so there are no exception edges and RAISE is unreachable;
 * what matters are early returns, `goto` to cleanup labels, break and
 * continue, switch with fall-through, and loops (`for (;;)` and
 * `while (1)` have no exit but their breaks).
 *
 * A call that does not return (exit, abort, g_error, pthread_exit,
 * longjmp...) ends its path: nothing follows it.  `#if`/`#ifdef` blocks
 * with an `#else` inside a body are a branch: either side may be
 * compiled; without one they are taken as compiled.  A body with
 * parse errors gets no graph (rules then report nothing there): a path
 * through code the parser did not understand proves nothing.
 */
#include "../../core/cfg.h"
#include "../python/api.h"

#include <string.h>

struct label {
	const char *name;
	int node;
};

struct builder {
	struct fl_file *f;
	struct cfg *g;
	struct label *labels;
	size_t nlabels, caplabels;
	int depth;             /* nesting of build_stmt, bounded */
};

/* Statements nested deeper than this give no graph: the builder
 * recurses, and such code is generated, not written. */
#define MAX_DEPTH 400

struct bctx {
	int brk, cont; /* -1: none */
};

static int build_stmt(struct builder *b, TSNode s, int next,
		      const struct bctx *cx);

static int node(struct builder *b, uint8_t kind, TSNode n, int next)
{
	int id = cfg_add_node(b->g, kind, n, 0);
	cfg_add_edge(b->f, b->g, id, next);
	return id;
}

/* The join node standing for label `name` (made on first mention). */
static int label_node(struct builder *b, TSNode name)
{
	for (size_t i = 0; i < b->nlabels; i++)
		if (fl_text_eq(b->f, name, b->labels[i].name))
			return b->labels[i].node;
	b->labels = arena_grow(b->f->a, b->labels, &b->caplabels, b->nlabels,
			       sizeof(*b->labels));
	struct label *l = &b->labels[b->nlabels++];
	l->name = fl_text(b->f, name);
	l->node = cfg_add_node(b->g, N_JOIN, name, 0);
	return l->node;
}

/* Calls after which the program does not go on. */
static bool noreturn_name(const char *n)
{
	static const char *const names[] = {
		"exit",	    "_exit",	    "_Exit",	     "abort",
		"quick_exit", "pthread_exit", "thrd_exit",	     "longjmp",
		"siglongjmp", "_longjmp",	    "err",	     "errx",
		"verr",	    "verrx",	    "g_error",	     "g_abort",
		"__builtin_unreachable",	    "__builtin_trap",
		"g_assert_not_reached",	    "fatal",	     "die",
		"panic",	    "BUG",	    "_dl_signal_error", "__libc_fatal",
		"__assert_fail", "__chk_fail", "__fortify_fail", "sshfatal",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(n, names[i]))
			return true;
	/* fatal_f(), fatal_fr(), die_errno(): families of the same */
	return !strncmp(n, "fatal_", 6) || !strncmp(n, "die_", 4);
}

/* `exit(1);`, `(void)abort();`: an expression statement that is a call
 * to a function that does not return. */
static bool ends_program(struct builder *b, TSNode s)
{
	struct fl_file *f = b->f;
	TSNode e = ts_node_named_child(s, 0);
	for (int i = 0; i < 8 && !ts_node_is_null(e); i++) {
		unsigned k = fl_kind(f, e);
		if (k == CK_cast_expression)
			e = fl_child(f, e, F_value);
		else if (k == CK_parenthesized_expression)
			e = ts_node_named_child(e, 0);
		else
			break;
	}
	if (fl_kind(f, e) != CK_call_expression)
		return false;
	TSNode fn = fl_child(f, e, F_function);
	if (fl_kind(f, fn) != CK_identifier)
		return false;
	char name[32];
	uint32_t s0 = ts_node_start_byte(fn), e0 = ts_node_end_byte(fn);
	if (e0 - s0 >= sizeof(name))
		return false;
	memcpy(name, f->src + s0, e0 - s0);
	name[e0 - s0] = '\0';
	if (!strcmp(name, "error") || !strcmp(name, "error_at_line")) {
		/* glibc's error(status, ...) exits when status is not 0 */
		TSNode args = fl_child(f, e, F_arguments);
		TSNode st = ts_node_named_child_count(args)
				    ? ts_node_named_child(args, 0)
				    : (TSNode){{0}, NULL, NULL};
		return fl_kind(f, st) == CK_number_literal &&
		       !fl_text_eq(f, st, "0");
	}
	return noreturn_name(name);
}

/* The statements of a block-like node, last to first, from child `from`
 * on, skipping the fields in `skip`. */
static int build_seq(struct builder *b, TSNode block, uint32_t from,
		     int next, const struct bctx *cx)
{
	struct fl_file *f = b->f;
	if (ts_node_is_null(block) || b->g->too_big)
		return next;
	uint32_t n = ts_node_child_count(block);
	for (uint32_t i = n; i-- > from;) {
		TSNode s = ts_node_child(block, i);
		if (!ts_node_is_named(s) || fl_kind(f, s) == CK_comment)
			continue;
		const char *field = ts_node_field_name_for_child(block, i);
		if (field && (!strcmp(field, "condition") ||
			      !strcmp(field, "name") ||
			      !strcmp(field, "alternative") ||
			      !strcmp(field, "value")))
			continue;
		next = build_stmt(b, s, next, cx);
		if (b->g->too_big)
			break;
	}
	return next;
}

static bool always_true(struct builder *b, TSNode cond)
{
	struct fl_file *f = b->f;
	if (ts_node_is_null(cond))
		return true;
	cond = fl_unparen(f, cond);
	return fl_kind(f, cond) == CK_true || fl_text_eq(f, cond, "1") ||
	       fl_text_eq(f, cond, "TRUE");
}

static bool always_false(struct builder *b, TSNode cond)
{
	struct fl_file *f = b->f;
	cond = fl_unparen(f, cond);
	return fl_kind(f, cond) == CK_false || fl_text_eq(f, cond, "0") ||
	       fl_text_eq(f, cond, "FALSE");
}

static int build_if(struct builder *b, TSNode s, int next,
		    const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode cond = fl_child(f, s, F_condition);
	TSNode alt = fl_child(f, s, F_alternative);
	int els = next;
	if (!ts_node_is_null(alt))
		els = build_seq(b, alt, 0, next, cx);
	int then = build_stmt(b, fl_child(f, s, F_consequence), next, cx);
	int c = cfg_add_node(b->g, N_COND, cond, 0);
	cfg_add_edge(f, b->g, c, then);
	cfg_add_edge(f, b->g, c, els);
	return c;
}

/* while (c) body, or do body while (c): the same loop entered at its
 * test or at its body.  `do { ... } while (0)`, the idiom of macros,
 * runs once; `while (1)` leaves only by break. */
static int build_while(struct builder *b, TSNode s, int next, bool post)
{
	struct fl_file *f = b->f;
	TSNode cond = fl_child(f, s, F_condition);
	int h = cfg_add_node(b->g, N_COND, cond, 0);
	struct bctx in = {next, h};
	int body = build_stmt(b, fl_child(f, s, F_body), h, &in);
	/* do { ... } while (0): runs once, the macro idiom */
	if (!post || !always_false(b, cond))
		cfg_add_edge(f, b->g, h, body);
	if (!always_true(b, cond))
		cfg_add_edge(f, b->g, h, next);
	return post ? body : h;
}

static int build_for(struct builder *b, TSNode s, int next,
		     const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode cond = fl_child(f, s, F_condition);
	TSNode init = fl_child(f, s, F_initializer);
	TSNode upd = fl_child(f, s, F_update);
	/* for (;;): a join, not a test (its code would be the whole loop) */
	int h = ts_node_is_null(cond) ? cfg_add_node(b->g, N_JOIN, s, 0)
				      : cfg_add_node(b->g, N_COND, cond, 0);
	int u = ts_node_is_null(upd) ? h : node(b, N_STMT, upd, h);
	struct bctx in = {next, u};
	(void)cx;
	int body = build_stmt(b, fl_child(f, s, F_body), u, &in);
	cfg_add_edge(f, b->g, h, body);
	if (!always_true(b, cond))
		cfg_add_edge(f, b->g, h, next);
	return ts_node_is_null(init) ? h : node(b, N_STMT, init, h);
}

/* switch: the header jumps to each case; a case falls through into the
 * next; break leaves the switch; without `default` the header also goes
 * straight on. */
static int build_switch(struct builder *b, TSNode s, int next,
			const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode body = fl_child(f, s, F_body);
	int h = cfg_add_node(b->g, N_COND, fl_child(f, s, F_condition), 0);
	struct bctx in = {next, cx->cont};
	bool has_default = false;
	int fall = next;
	uint32_t n = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
	for (uint32_t i = n; i-- > 0 && !b->g->too_big;) {
		TSNode c = ts_node_named_child(body, i);
		if (fl_kind(f, c) != CK_case_statement) {
			if (fl_kind(f, c) != CK_comment)
				fall = build_stmt(b, c, fall, &in);
			continue;
		}
		if (ts_node_is_null(fl_child(f, c, F_value)))
			has_default = true;
		fall = build_seq(b, c, 0, fall, &in);
		int entry = node(b, N_JOIN, c, fall);
		cfg_add_edge(f, b->g, h, entry);
		fall = entry;
	}
	if (!has_default)
		cfg_add_edge(f, b->g, h, next);
	return h;
}

/* #if / #ifdef inside a body with an #else or #elif: either side may be
 * what is compiled.  Without one the block is taken as compiled: code
 * under `#if THREADSAFE` takes a lock and, further down under the same
 * test, releases it, and the two tests agree. */
static int build_preproc(struct builder *b, TSNode s, int next,
			 const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode alt = fl_child(f, s, F_alternative);
	int body = build_seq(b, s, 0, next, cx);
	if (ts_node_is_null(alt))
		return body;
	int j = cfg_add_node(b->g, N_JOIN, s, 0);
	cfg_add_edge(f, b->g, j, body);
	/* a long #elif chain nests: bounded like statements */
	if (++b->depth > MAX_DEPTH) {
		b->g->too_big = true;
		b->depth--;
		return j;
	}
	cfg_add_edge(f, b->g, j, build_preproc(b, alt, next, cx));
	b->depth--;
	return j;
}

static int build_stmt_in(struct builder *b, TSNode s, int next,
			 const struct bctx *cx);

static int build_stmt(struct builder *b, TSNode s, int next,
		      const struct bctx *cx)
{
	if (ts_node_is_null(s) || b->g->too_big)
		return next;
	if (++b->depth > MAX_DEPTH) {
		b->g->too_big = true;
		b->depth--;
		return next;
	}
	int r = build_stmt_in(b, s, next, cx);
	b->depth--;
	return r;
}

static int build_stmt_in(struct builder *b, TSNode s, int next,
			 const struct bctx *cx)
{
	struct fl_file *f = b->f;
	switch (fl_kind(f, s)) {
	case CK_compound_statement:
		return build_seq(b, s, 0, next, cx);
	case CK_return_statement:
		return node(b, N_RETURN, s, b->g->exit);
	case CK_break_statement:
		return cx->brk >= 0 ? cx->brk : next;
	case CK_continue_statement:
		return cx->cont >= 0 ? cx->cont : next;
	case CK_goto_statement:
		return node(b, N_STMT, s, label_node(b, fl_child(f, s, F_label)));
	case CK_labeled_statement: {
		int l = label_node(b, fl_child(f, s, F_label));
		int in = build_seq(b, s, 0, next, cx);
		cfg_add_edge(f, b->g, l, in);
		return l;
	}
	case CK_if_statement:
		return build_if(b, s, next, cx);
	case CK_while_statement:
		return build_while(b, s, next, false);
	case CK_do_statement:
		return build_while(b, s, next, true);
	case CK_for_statement:
		return build_for(b, s, next, cx);
	case CK_switch_statement:
		return build_switch(b, s, next, cx);
	case CK_preproc_if:
	case CK_preproc_ifdef:
	case CK_preproc_elif:
		return build_preproc(b, s, next, cx);
	case CK_preproc_else:
		return build_seq(b, s, 0, next, cx);
	case CK_expression_statement:
		if (ends_program(b, s))
			return cfg_add_node(b->g, N_STMT, s, 0);
		return node(b, N_STMT, s, next);
	case CK_statement_identifier:
	case CK_comment:
		return next;
	default:
		return node(b, N_STMT, s, next);
	}
}

struct cfg *cfg_build_c(struct fl_file *f, int func)
{
	TSNode fn = f->m.funcs.v[func].node;
	TSNode body = fl_child(f, fn, F_body);
	if (ts_node_is_null(body) || ts_node_has_error(body))
		return NULL;
	struct cfg *g = arena_alloc(f->a, sizeof(*g));
	struct builder b = {f, g, NULL, 0, 0, 0};
	g->func = func;
	g->entry = cfg_add_node(g, N_ENTRY, fn, 0);
	g->exit = cfg_add_node(g, N_EXIT, fn, 0);
	g->raise = cfg_add_node(g, N_RAISE, fn, 0);
	struct bctx cx = {-1, -1};
	int first = build_seq(&b, body, 0, g->exit, &cx);
	cfg_add_edge(f, g, g->entry, first);
	return g;
}

/* ------------------------------------------------------------------ */
/* Helpers for the C path rules                                         */

static const TSNode null_node = {{0}, NULL, NULL};

TSNode c_enclosing(struct fl_file *f, TSNode n, bool loop)
{
	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p);
	     p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		if (k == CK_function_definition)
			break;
		if (loop ? k == CK_for_statement || k == CK_while_statement ||
				   k == CK_do_statement
			 : k == CK_if_statement)
			return p;
	}
	return null_node;
}

bool c_within(TSNode outer, TSNode n)
{
	return !ts_node_is_null(outer) &&
	       ts_node_start_byte(outer) <= ts_node_start_byte(n) &&
	       ts_node_end_byte(n) <= ts_node_end_byte(outer);
}

TSNode c_last_statement(struct fl_file *f, TSNode fn)
{
	TSNode body = fl_child(f, fn, F_body);
	for (uint32_t i = ts_node_named_child_count(body); i-- > 0;) {
		TSNode s = ts_node_named_child(body, i);
		if (fl_kind(f, s) != CK_comment)
			return s;
	}
	return null_node;
}

void c_trace_path(struct fl_file *f, struct fl_finding *fd,
		  const struct cfg *g, const struct path_step *path,
		  size_t len, const char *release)
{
	for (size_t i = 1; i + 1 < len; i++) {
		const struct cfg_node *nd = &g->nodes.v[path[i].node];
		if (nd->kind == N_STMT &&
		    fl_kind(f, nd->node) == CK_goto_statement) {
			if (release)
				fl_trace(f, fd, nd->node, "'%s' jumps past %s",
					 py_one_line(f, nd->node), release);
			else
				fl_trace(f, fd, nd->node, "'%s' is taken",
					 py_one_line(f, nd->node));
			continue;
		}
		if (nd->kind != N_COND || nd->n < 2)
			continue;
		const struct cfg_node *nx = &g->nodes.v[path[i + 1].node];
		if (fl_kind(f, ts_node_parent(nd->node)) == CK_switch_statement) {
			/* the case taken */
			TSNode v = fl_child(f, nx->node, F_value);
			if (fl_kind(f, nx->node) == CK_case_statement)
				fl_trace(f, fd, nx->node, "'%s' is taken here",
					 ts_node_is_null(v)
						 ? "default"
						 : arena_printf(f->a, "case %s",
								py_one_line(f, v)));
			continue;
		}
		fl_trace(f, fd, nd->node, "'%s' is %s here",
			 py_one_line(f, fl_unparen(f, nd->node)),
			 path[i + 1].node == nd->succ[0] ? "true" : "false");
	}
}
