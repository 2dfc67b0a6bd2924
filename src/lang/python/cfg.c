/*
 * cfg.c - control-flow graphs of Python functions, with exception edges.
 *
 * Built backwards: each statement is given the node that follows it and
 * returns its own entry node, so a finally body or a with exit can be
 * built once per way out (fall through, exception, return, break,
 * continue), each copy knowing where it goes next.
 *
 * What may raise: a statement (or header expression) containing a call,
 * an await, a subscript, a raise or an assert.  Attribute reads and
 * arithmetic are treated as safe: an AttributeError there is a bug of its
 * own, not a path to model; so are logging calls (`log.error(...)`), which
 * report their own failures.
 *
 * except clauses: a bare except, `except Exception` or `except
 * BaseException` stops the exception; otherwise the dispatch also
 * propagates it outward.  A with exit re-raises, except for
 * contextlib.suppress(...), whose exit also continues after the block.
 */
#include "../../core/cfg.h"
#include "api.h"

#include <string.h>

struct builder {
	struct fl_file *f;
	struct cfg *g;
};

struct bctx {
	int exc, ret, brk, cont; /* -1: none */
	bool in_handler;         /* building an except clause's body */
};

static const TSNode null_node = {{0}, NULL, NULL};

static int new_node(struct builder *b, uint8_t kind, TSNode n, uint8_t flags)
{
	return cfg_add_node(b->g, kind, n, flags);
}

static void add_succ(struct builder *b, int from, int to)
{
	cfg_add_edge(b->f, b->g, from, to);
}

/* Builtins that do not raise on the values code passes them. */
static bool safe_builtin(struct fl_file *f, TSNode call)
{
	static const char *const names[] = {
		"len",	 "isinstance", "issubclass", "id",	 "type",
		"hasattr", "callable", "super",	     "range",	 "enumerate",
		"zip",	 "reversed",   "iter",	     "locals",	 "globals",
	};
	TSNode fn = fl_child(f, call, F_function);
	if (fl_kind(f, fn) != PK_identifier)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fl_text_eq(f, fn, names[i]))
			return true;
	return false;
}

/* Can evaluating n raise?  Nested functions and lambdas are not run.
 * Returns 0 (no), NF_RAISES (a subscript only) or NF_RAISES |
 * NF_RAISES_CALL. */
static uint8_t raises(struct builder *b, TSNode n)
{
	struct fl_file *f = b->f;
	if (ts_node_is_null(n))
		return 0;
	TSTreeCursor cur = ts_tree_cursor_new(n);
	bool found = false, subscript = false;
	for (;;) {
		TSNode c = ts_tree_cursor_current_node(&cur);
		unsigned k = fl_kind(f, c);
		bool descend = true;
		switch (k) {
		case PK_call:
			/* log.error("...", x) and len(x) are taken not to
			 * raise */
			if (py_is_logging_call(f, c) || safe_builtin(f, c)) {
				descend = py_is_logging_call(f, c) ? false : true;
				break;
			}
			found = true;
			break;
		case PK_await:
		case PK_raise_statement:
		case PK_assert_statement:
			found = true;
			break;
		case PK_subscript:
			/* d[k] = v stores; only reads raise KeyError */
			if (ts_tree_cursor_current_field_id(&cur) !=
			    f->li->field[F_left])
				subscript = true;
			break;
		case PK_lambda:
		case PK_function_definition:
		case PK_class_definition:
		case PK_block:
			descend = false;
			break;
		default:
			break;
		}
		if (found)
			break;
		if (descend && ts_tree_cursor_goto_first_child(&cur))
			continue;
		bool done = false;
		while (!ts_tree_cursor_goto_next_sibling(&cur))
			if (!ts_tree_cursor_goto_parent(&cur)) {
				done = true;
				break;
			}
		if (done)
			break;
	}
	ts_tree_cursor_delete(&cur);
	if (found)
		return NF_RAISES | NF_RAISES_CALL;
	return subscript ? NF_RAISES : 0;
}

static int simple(struct builder *b, uint8_t kind, TSNode n, TSNode expr,
		  int next, const struct bctx *cx)
{
	int id = new_node(b, kind, n, cx->in_handler ? NF_IN_HANDLER : 0);
	add_succ(b, id, next);
	uint8_t r = raises(b, expr);
	if (r) {
		b->g->nodes.v[id].flags |= r;
		b->g->nodes.v[id].exc = cx->exc;
	}
	return id;
}

static int build_stmt(struct builder *b, TSNode s, int next,
		      const struct bctx *cx);

static int build_block(struct builder *b, TSNode block, int next,
		       const struct bctx *cx)
{
	if (ts_node_is_null(block) || b->g->too_big)
		return next;
	uint32_t n = ts_node_named_child_count(block);
	for (uint32_t i = n; i-- > 0;) {
		TSNode s = ts_node_named_child(block, i);
		if (fl_kind(b->f, s) == PK_comment)
			continue;
		next = build_stmt(b, s, next, cx);
		if (b->g->too_big)
			break;
	}
	return next;
}

/* Body block of a clause node (else_clause, finally_clause, elif...). */
static TSNode clause_block(struct builder *b, TSNode clause)
{
	TSNode body = fl_child(b->f, clause, F_body);
	if (!ts_node_is_null(body))
		return body;
	TSNode cons = fl_child(b->f, clause, F_consequence);
	if (!ts_node_is_null(cons))
		return cons;
	return fl_child_of_kind(b->f, clause, PK_block);
}

static bool is_true_literal(struct builder *b, TSNode cond)
{
	cond = fl_unparen(b->f, cond);
	return fl_kind(b->f, cond) == PK_true || fl_text_eq(b->f, cond, "1");
}

static int build_if(struct builder *b, TSNode s, int next,
		    const struct bctx *cx)
{
	struct fl_file *f = b->f;
	/* Alternatives, built last to first. */
	int alt = next;
	uint32_t n = ts_node_named_child_count(s);
	for (uint32_t i = n; i-- > 0;) {
		TSNode c = ts_node_named_child(s, i);
		unsigned k = fl_kind(f, c);
		if (k == PK_else_clause) {
			alt = build_block(b, clause_block(b, c), next, cx);
		} else if (k == PK_elif_clause) {
			TSNode cond = fl_child(f, c, F_condition);
			int then = build_block(b, clause_block(b, c), next, cx);
			int e = simple(b, N_COND, cond, cond, then, cx);
			add_succ(b, e, alt);
			alt = e;
		}
	}
	TSNode cond = fl_child(f, s, F_condition);
	int then = build_block(b, fl_child(f, s, F_consequence), next, cx);
	int c = simple(b, N_COND, cond, cond, then, cx);
	add_succ(b, c, alt);
	return c;
}

static int build_loop(struct builder *b, TSNode s, int next,
		      const struct bctx *cx, bool is_for)
{
	struct fl_file *f = b->f;
	TSNode els = fl_child_of_kind(f, s, PK_else_clause);
	int after = ts_node_is_null(els)
			    ? next
			    : build_block(b, clause_block(b, els), next, cx);
	TSNode head = is_for ? fl_child(f, s, F_right)
			     : fl_child(f, s, F_condition);
	int h = new_node(b, is_for ? N_LOOP : N_COND,
			 ts_node_is_null(head) ? s : head, 0);
	uint8_t r = raises(b, head);
	if (r) {
		b->g->nodes.v[h].flags |= r;
		b->g->nodes.v[h].exc = cx->exc;
	}
	struct bctx lcx = *cx;
	lcx.brk = next;
	lcx.cont = h;
	int body = build_block(b, fl_child(f, s, F_body), h, &lcx);
	if (b->g->too_big)
		return h;
	add_succ(b, h, body);
	/* `while True:` leaves only through break, return or raise */
	if (is_for || !is_true_literal(b, head))
		add_succ(b, h, after);
	return h;
}

/* Does this except clause catch every exception? */
static bool catches_all(struct builder *b, TSNode handler)
{
	struct fl_file *f = b->f;
	TSNode t = fl_child(f, handler, F_value);
	if (ts_node_is_null(t))
		return true;
	t = fl_unparen(f, t);
	if (fl_kind(f, t) == PK_tuple) {
		uint32_t n = ts_node_named_child_count(t);
		for (uint32_t i = 0; i < n; i++)
			if (py_is_broad_exception(model_resolve(
				    f, fl_text(f, ts_node_named_child(t, i)))))
				return true;
		return false;
	}
	return py_is_broad_exception(model_resolve(f, fl_text(f, t)));
}

static int build_try(struct builder *b, TSNode s, int next,
		     const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode fin = fl_child_of_kind(f, s, PK_finally_clause);
	TSNode els = fl_child_of_kind(f, s, PK_else_clause);
	struct bctx fcx = *cx; /* where each way out continues */
	int after = next;
	if (!ts_node_is_null(fin)) {
		TSNode fb = clause_block(b, fin);
		after = build_block(b, fb, next, cx);
		uint32_t mark = (uint32_t)b->g->nodes.n;
		fcx.exc = build_block(b, fb, cx->exc, cx);
		for (uint32_t i = mark; i < b->g->nodes.n; i++)
			b->g->nodes.v[i].flags |= NF_EXC_COPY;
		if (cx->ret >= 0)
			fcx.ret = build_block(b, fb, cx->ret, cx);
		if (cx->brk >= 0)
			fcx.brk = build_block(b, fb, cx->brk, cx);
		if (cx->cont >= 0)
			fcx.cont = build_block(b, fb, cx->cont, cx);
	}
	int normal = ts_node_is_null(els)
			     ? after
			     : build_block(b, clause_block(b, els), after, &fcx);
	int dispatch = -1;
	uint32_t n = ts_node_named_child_count(s);
	bool broad = false;
	for (uint32_t i = 0; i < n && !broad; i++) {
		TSNode h = ts_node_named_child(s, i);
		if (fl_kind(f, h) != PK_except_clause)
			continue;
		if (dispatch < 0)
			dispatch = new_node(b, N_DISPATCH, s, 0);
		int hn = new_node(b, N_HANDLER, h, 0);
		struct bctx hcx = fcx;
		hcx.in_handler = true;
		int body = build_block(b, fl_child_of_kind(f, h, PK_block),
				       after, &hcx);
		add_succ(b, hn, body);
		add_succ(b, dispatch, hn);
		broad = catches_all(b, h);
	}
	if (dispatch >= 0 && !broad)
		add_succ(b, dispatch, fcx.exc);
	struct bctx bcx = fcx;
	bcx.exc = dispatch >= 0 ? dispatch : fcx.exc;
	return build_block(b, fl_child(f, s, F_body), normal, &bcx);
}

static int find_with(struct fl_file *f, TSNode s)
{
	uint32_t lo = ts_node_start_byte(s), hi = ts_node_end_byte(s);
	for (size_t i = 0; i < f->m.withs.n; i++) {
		uint32_t at = ts_node_start_byte(f->m.withs.v[i].item);
		if (at >= lo && at < hi)
			return (int)i;
	}
	return -1;
}

/* with contextlib.suppress(...): the exit swallows what it names. */
static bool suppresses(struct fl_file *f, int w)
{
	if (w < 0)
		return false;
	TSNode v = f->m.withs.v[w].value;
	if (fl_kind(f, v) != PK_call)
		return false;
	const char *q = model_resolve(f, fl_text(f, fl_child(f, v, F_function)));
	return q && (!strcmp(q, "contextlib.suppress") || !strcmp(q, "suppress"));
}

static int with_exit(struct builder *b, TSNode s, int owner, int to,
		     uint8_t flags)
{
	if (to < 0)
		return -1;
	int x = new_node(b, N_WITH_EXIT, s, flags);
	b->g->nodes.v[x].owner = owner;
	add_succ(b, x, to);
	return x;
}

static int build_with(struct builder *b, TSNode s, int next,
		      const struct bctx *cx)
{
	struct fl_file *f = b->f;
	int owner = find_with(f, s);
	struct bctx wcx = *cx;
	wcx.exc = with_exit(b, s, owner, cx->exc, NF_EXC_COPY);
	if (suppresses(f, owner))
		add_succ(b, wcx.exc, next);
	wcx.ret = with_exit(b, s, owner, cx->ret, 0);
	wcx.brk = with_exit(b, s, owner, cx->brk, 0);
	wcx.cont = with_exit(b, s, owner, cx->cont, 0);
	int out = with_exit(b, s, owner, next, 0);
	int body = build_block(b, fl_child(f, s, F_body), out, &wcx);
	TSNode clause = fl_child_of_kind(f, s, PK_with_clause);
	int enter = simple(b, N_WITH_ENTER, ts_node_is_null(clause) ? s : clause,
			   clause, body, cx);
	b->g->nodes.v[enter].owner = owner;
	return enter;
}

static int build_match(struct builder *b, TSNode s, int next,
		       const struct bctx *cx)
{
	struct fl_file *f = b->f;
	TSNode subject = fl_child(f, s, F_subject);
	int m = simple(b, N_COND, ts_node_is_null(subject) ? s : subject,
		       subject, next, cx);
	TSNode body = fl_child(f, s, F_body);
	uint32_t n = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
	for (uint32_t i = 0; i < n; i++) {
		TSNode cc = ts_node_named_child(body, i);
		TSNode blk = fl_child(f, cc, F_consequence);
		if (ts_node_is_null(blk))
			blk = fl_child_of_kind(f, cc, PK_block);
		if (!ts_node_is_null(blk))
			add_succ(b, m, build_block(b, blk, next, cx));
	}
	return m;
}

static int build_stmt(struct builder *b, TSNode s, int next,
		      const struct bctx *cx)
{
	struct fl_file *f = b->f;
	switch (fl_kind(f, s)) {
	case PK_return_statement:
		return simple(b, N_RETURN, s, s, cx->ret, cx);
	case PK_raise_statement: {
		int id = new_node(b, N_STMT, s,
				  NF_RAISES | NF_RAISES_CALL |
					  (cx->in_handler ? NF_IN_HANDLER : 0));
		b->g->nodes.v[id].exc = cx->exc;
		return id;
	}
	case PK_break_statement:
		return cx->brk >= 0 ? cx->brk : next;
	case PK_continue_statement:
		return cx->cont >= 0 ? cx->cont : next;
	case PK_if_statement:
		return build_if(b, s, next, cx);
	case PK_while_statement:
		return build_loop(b, s, next, cx, false);
	case PK_for_statement:
		return build_loop(b, s, next, cx, true);
	case PK_try_statement:
		return build_try(b, s, next, cx);
	case PK_with_statement:
		return build_with(b, s, next, cx);
	case PK_match_statement:
		return build_match(b, s, next, cx);
	case PK_function_definition:
	case PK_class_definition:
	case PK_decorated_definition:
		/* defining is not running: the body is another graph */
		return simple(b, N_STMT, s, null_node, next, cx);
	default:
		return simple(b, N_STMT, s, s, next, cx);
	}
}

struct cfg *cfg_build_python(struct fl_file *f, int func)
{
	struct cfg *g = arena_alloc(f->a, sizeof(*g));
	struct builder b = {f, g};
	g->func = func;
	g->entry = new_node(&b, N_ENTRY, f->m.funcs.v[func].node, 0);
	g->exit = new_node(&b, N_EXIT, f->m.funcs.v[func].node, 0);
	g->raise = new_node(&b, N_RAISE, f->m.funcs.v[func].node, 0);
	struct bctx cx = {g->raise, g->exit, -1, -1, false};
	TSNode body = fl_child(f, f->m.funcs.v[func].node, F_body);
	int first = build_block(&b, body, g->exit, &cx);
	add_succ(&b, g->entry, first);
	return g;
}
