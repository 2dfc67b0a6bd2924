/*
 * events.c - what a statement does to a local name: the vocabulary the
 * path rules (resources, locks, counters) speak.
 */
#include "api.h"
#include "../../core/cfg.h"

#include <string.h>

/* Builtins that look at an object without keeping it. */
static bool non_owning(struct fl_file *f, TSNode fn)
{
	static const char *const names[] = {
		"len", "str", "repr", "print", "isinstance", "id", "type",
		"hasattr", "getattr", "bool", "hash", "format", "vars", "dir",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fl_text_eq(f, fn, names[i]))
			return true;
	/* log.debug("...", f): a logger formats it and lets go */
	if (fl_kind(f, fn) == PK_attribute) {
		TSNode m = fl_child(f, fn, F_attribute);
		static const char *const logs[] = {"debug", "info", "warning",
						   "warn", "error", "exception",
						   "critical", "log"};
		for (size_t i = 0; i < ARRAY_SIZE(logs); i++)
			if (fl_text_eq(f, m, logs[i]))
				return true;
	}
	return false;
}

struct ev_search {
	struct fl_file *f;
	const struct py_opener *op;
	enum py_event ev;
};

static enum py_event stronger(enum py_event a, enum py_event b)
{
	/* USE < REBIND < CLOSE < MANAGED < ESCAPE: an escape anywhere in the
	 * statement wins (the tracked value left our hands). */
	static const int rank[] = {0, 1, 3, 4, 5, 2};
	return rank[b] > rank[a] ? b : a;
}

static bool classify(void *ud, const TSNode *path, size_t n)
{
	struct ev_search *s = ud;
	struct fl_file *f = s->f;
	TSNode id = path[n - 1];
	enum py_event ev = EV_USE;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned k = fl_kind(f, path[i]);
		if (k == PK_function_definition || k == PK_lambda ||
		    k == PK_class_definition) {
			s->ev = stronger(s->ev, EV_ESCAPE); /* captured */
			return true;
		}
	}
	if (n < 2) {
		s->ev = stronger(s->ev, EV_USE);
		return true;
	}
	TSNode p = path[n - 2];
	TSNode gp = n >= 3 ? path[n - 3] : (TSNode){{0}, NULL, NULL};
	switch (fl_kind(f, p)) {
	case PK_attribute:
		if (!ts_node_eq(fl_child(f, p, F_object), id))
			return true; /* other.name */
		if (fl_kind(f, gp) == PK_call &&
		    ts_node_eq(fl_child(f, gp, F_function), p)) {
			const char *m = fl_text(f, fl_child(f, p, F_attribute));
			ev = py_opener_closes(s->op, m) ? EV_CLOSE : EV_USE;
		}
		break;
	case PK_argument_list: {
		TSNode fn = fl_child(f, gp, F_function);
		const char *q = model_resolve(f, fl_text(f, fn));
		if (s->op && s->op->close_fn && q && !strcmp(q, s->op->close_fn))
			ev = EV_CLOSE;
		else if (non_owning(f, fn))
			ev = EV_USE;
		else
			ev = EV_ESCAPE;
		break;
	}
	case PK_keyword_argument:
		if (ts_node_eq(fl_child(f, p, F_name), id))
			return true; /* f(name=...) names a parameter */
		ev = EV_ESCAPE;
		break;
	case PK_assignment:
	case PK_augmented_assignment:
		ev = ts_node_eq(fl_child(f, p, F_left), id) ? EV_REBIND
							      : EV_ESCAPE;
		break;
	case PK_pattern_list:
	case PK_tuple_pattern:
	case PK_list_pattern:
		ev = EV_REBIND;
		break;
	case PK_with_item:
		ev = EV_MANAGED;
		break;
	case PK_as_pattern:
		ev = fl_kind(f, gp) == PK_with_item ? EV_MANAGED : EV_ESCAPE;
		break;
	case PK_delete_statement:
	case PK_expression_list:
		ev = fl_kind(f, p) == PK_delete_statement ? EV_CLOSE : EV_ESCAPE;
		break;
	case PK_comparison_operator:
	case PK_boolean_operator:
	case PK_not_operator:
	case PK_if_statement:
	case PK_while_statement:
	case PK_elif_clause:
	case PK_conditional_expression:
	case PK_expression_statement:
	case PK_for_statement:
		ev = EV_USE;
		break;
	default:
		/* return x, yield x, [x], {k: x}, x + y, f"{x}": treat every
		 * other place as the value leaving our hands */
		ev = EV_ESCAPE;
		break;
	}
	s->ev = stronger(s->ev, ev);
	return true;
}

enum py_event py_name_event(struct fl_file *f, TSNode n, const char *name,
			    const struct py_opener *op)
{
	if (ts_node_is_null(n))
		return EV_NONE;
	struct ev_search s = {f, op, EV_NONE};
	fl_find_names(f, n, name, classify, &s);
	return s.ev;
}

struct op_search {
	struct fl_file *f;
	enum py_op op;
};

static bool classify_op(void *ud, const TSNode *path, size_t n)
{
	struct op_search *s = ud;
	struct fl_file *f = s->f;
	TSNode t = path[n - 1];
	enum py_op op = OP_USE;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned k = fl_kind(f, path[i]);
		if (k == PK_function_definition || k == PK_lambda) {
			s->op = OP_ESCAPE; /* a callback does it later */
			return false;
		}
	}
	if (n >= 2) {
		TSNode p = path[n - 2];
		switch (fl_kind(f, p)) {
		case PK_attribute:
			if (ts_node_eq(fl_child(f, p, F_object), t) && n >= 3 &&
			    fl_kind(f, path[n - 3]) == PK_call) {
				TSNode m = fl_child(f, p, F_attribute);
				if (fl_text_eq(f, m, "acquire") ||
				    fl_text_eq(f, m, "__enter__") ||
				    fl_text_eq(f, m, "__aenter__"))
					op = OP_ACQUIRE;
				else if (fl_text_eq(f, m, "release") ||
					 fl_text_eq(f, m, "__exit__") ||
					 fl_text_eq(f, m, "__aexit__"))
					op = OP_RELEASE;
			}
			break;
		case PK_augmented_assignment:
			if (ts_node_eq(fl_child(f, p, F_left), t)) {
				TSNode o = fl_child(f, p, F_operator);
				if (fl_text_eq(f, o, "+="))
					op = OP_INC;
				else if (fl_text_eq(f, o, "-="))
					op = OP_DEC;
				else
					op = OP_RESET;
			}
			break;
		case PK_assignment:
			if (ts_node_eq(fl_child(f, p, F_left), t))
				op = OP_RESET;
			break;
		case PK_argument_list:
		case PK_keyword_argument:
			op = OP_ESCAPE; /* acquire_for(self._lock) */
			break;
		default:
			break;
		}
	}
	if (op > s->op)
		s->op = op;
	return true;
}

enum py_op py_target_op(struct fl_file *f, TSNode n, const char *target)
{
	if (ts_node_is_null(n))
		return OP_NONE;
	struct op_search s = {f, OP_NONE};
	fl_find_names(f, n, target, classify_op, &s);
	return s.op;
}

int py_local_func(struct fl_file *f, int from, const char *dotted)
{
	if (!dotted)
		return -1;
	int cls = from >= 0 ? f->m.funcs.v[from].cls : -1;
	/* a nested function sees its enclosing method's self */
	for (int p = from; cls < 0 && p >= 0; p = f->m.funcs.v[p].parent)
		cls = f->m.funcs.v[p].cls;
	const char *name = NULL;
	bool method = false;
	if ((!strncmp(dotted, "self.", 5) || !strncmp(dotted, "cls.", 4)) &&
	    !strchr(strchr(dotted, '.') + 1, '.')) {
		name = strchr(dotted, '.') + 1;
		method = true;
	} else if (!strchr(dotted, '.')) {
		name = dotted;
	} else {
		return -1;
	}
	int found = -1;
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->is_lambda || strcmp(fn->name, name))
			continue;
		if (method ? (cls >= 0 && fn->cls == cls)
			   : (fn->cls < 0 && (fn->parent < 0 ||
					      fn->parent == from)))
			found = (int)i; /* the last definition wins */
	}
	return found;
}

static int local_target(struct fl_file *f, int from, const struct fl_call *c)
{
	return py_local_func(f, from, c->callee);
}

/*
 * Does function fi perform an action (py_call_effect), directly or
 * through functions of this file it calls (up to a few levels)?  Lets
 * `self._send_with_retry(...)` count as network I/O.
 */
bool py_func_does_io(struct fl_file *f, int fi, int depth)
{
	if (fi < 0 || depth > 4)
		return false;
	if (!f->m.does_io)
		f->m.does_io = arena_alloc(f->a, f->m.funcs.n);
	uint8_t *memo = &f->m.does_io[fi];
	if (*memo >= 2)
		return *memo == 3;
	if (*memo == 1)
		return false; /* recursion: decided by the outer frame */
	*memo = 1;
	const struct fl_func *fn = &f->m.funcs.v[fi];
	bool io = false;
	for (uint32_t i = fn->call_begin; i < fn->call_end && !io; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func != fi)
			continue;
		enum py_effect ef = py_call_effect(f, c);
		io = (ef != EFF_NONE && ef != EFF_STATE) ||
		     (c->flags & CALL_AWAITED) ||
		     py_func_does_io(f, local_target(f, fi, c), depth + 1);
	}
	*memo = io ? 3 : 2;
	return io;
}

bool py_call_does_io(struct fl_file *f, const struct fl_call *c)
{
	enum py_effect ef = py_call_effect(f, c);
	if ((ef != EFF_NONE && ef != EFF_STATE) || (c->flags & CALL_AWAITED))
		return true;
	return py_func_does_io(f, local_target(f, c->func, c), 0);
}

bool py_node_likely_raises(struct fl_file *f, const struct cfg *g, int n)
{
	TSNode code = cfg_node_code(g, n);
	if (ts_node_is_null(code))
		return false;
	if (fl_kind(f, code) == PK_raise_statement)
		return true;
	const struct fl_func *fn = &f->m.funcs.v[g->func];
	uint32_t s = ts_node_start_byte(code), e = ts_node_end_byte(code);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		uint32_t at = ts_node_start_byte(c->node);
		if (at < s)
			continue;
		if (at >= e)
			break;
		if (c->func == g->func && py_call_does_io(f, c))
			return true;
	}
	return false;
}

const char *py_one_line(struct fl_file *f, TSNode n)
{
	const char *t = fl_text(f, n);
	size_t len = strcspn(t, "\n");
	return arena_strndup(f->a, t, len > 60 ? 60 : len);
}

const char *py_node_name(struct fl_file *f, const struct cfg *g, int n)
{
	TSNode code = g->nodes.v[n].node;
	const struct fl_func *fn = &f->m.funcs.v[g->func];
	uint32_t s = ts_node_start_byte(code), e = ts_node_end_byte(code);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		uint32_t at = ts_node_start_byte(c->node);
		if (at >= s && at < e && c->callee)
			return c->callee;
	}
	return py_one_line(f, code);
}
