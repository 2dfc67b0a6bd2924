/*
 * scope.c - locals, globals and shared state in C functions (scope.h).
 */
#include "scope.h"
#include "api.h"
#include "../python/api.h"

#include <ctype.h>
#include <string.h>

/* Calls that read no state of their own: sleeps, clocks, locking, logs. */
static bool c_is_inert_call(const char *name)
{
	enum c_lock_op op = c_lock_op(name);
	return name && (c_is_sleep(name) || c_is_clock(name) ||
			c_is_yield_or_log(name) || op == LOCK_ACQUIRE ||
			op == LOCK_RELEASE);
}

struct local_scan {
	struct fl_file *f;
	bool local, addr, param;
};

/* Is path[i + 1] the declared name's side of path[i] (not its type or
 * initial value)? */
static bool declares(struct fl_file *f, TSNode parent, TSNode child)
{
	switch (fl_kind(f, parent)) {
	case CK_init_declarator:
		return ts_node_eq(fl_child(f, parent, F_declarator), child);
	case CK_declaration:
	case CK_parameter_declaration:
		return !ts_node_eq(fl_child(f, parent, F_type), child);
	default:
		return false;
	}
}

static bool local_cb(void *ud, const TSNode *path, size_t n)
{
	struct local_scan *s = ud;
	struct fl_file *f = s->f;
	if (n >= 2 && fl_kind(f, path[n - 2]) == CK_pointer_expression &&
	    fl_text_eq(f, ts_node_child(path[n - 2], 0), "&") &&
	    !(n >= 4 && fl_kind(f, path[n - 4]) == CK_call_expression &&
	      c_is_inert_call(c_callee(f, path[n - 4]))))
		s->addr = true; /* not nanosleep(&ts, NULL), time(&now) */
	for (size_t i = n - 1; i-- > 0;) {
		unsigned k = fl_kind(f, path[i]);
		if (k == CK_pointer_declarator || k == CK_array_declarator ||
		    k == CK_parenthesized_declarator ||
		    k == CK_attributed_declarator ||
		    k == CK_function_declarator)
			continue;
		if (declares(f, path[i], path[i + 1])) {
			s->local = true;
			s->param |= fl_kind(f, path[i]) ==
				    CK_parameter_declaration;
		}
		break;
	}
	return true;
}

bool c_is_local(struct fl_file *f, TSNode fn, const char *name,
		bool *addr_taken)
{
	struct local_scan s = {f, false, false, false};
	fl_find_names(f, fn, name, local_cb, &s);
	if (addr_taken)
		*addr_taken = s.addr;
	return s.local;
}

bool c_is_param(struct fl_file *f, TSNode fn, const char *name)
{
	struct local_scan s = {f, false, false, false};
	fl_find_names(f, fn, name, local_cb, &s);
	return s.param;
}

/* The identifier a declarator declares, through pointers, arrays and
 * initialisers. */
static TSNode declared_name(struct fl_file *f, TSNode d)
{
	for (int i = 0; i < 32 && !ts_node_is_null(d); i++) {
		if (fl_kind(f, d) == CK_identifier)
			return d;
		TSNode next = fl_child(f, d, F_declarator);
		if (ts_node_is_null(next) &&
		    fl_kind(f, d) == CK_parenthesized_declarator)
			next = ts_node_named_child(d, 0);
		d = next;
	}
	return (TSNode){{0}, NULL, NULL};
}

static const char *decl_type_of(struct fl_file *f, TSNode decl,
				const char *name)
{
	uint32_t n = ts_node_named_child_count(decl);
	TSNode ty = fl_child(f, decl, F_type);
	for (uint32_t i = 0; i < n; i++) {
		TSNode d = ts_node_named_child(decl, i);
		if (ts_node_eq(d, ty))
			continue;
		if (fl_text_eq(f, declared_name(f, d), name))
			return fl_text(f, decl);
	}
	return NULL;
}

const char *c_global_type(struct fl_file *f, const char *name)
{
	/* top level, and one level into #if / #ifdef blocks */
	uint32_t n = ts_node_named_child_count(f->root);
	for (uint32_t i = 0; i < n; i++) {
		TSNode top = ts_node_named_child(f->root, i);
		unsigned k = fl_kind(f, top);
		if (k == CK_declaration) {
			const char *t = decl_type_of(f, top, name);
			if (t)
				return t;
		} else if (k == CK_preproc_if || k == CK_preproc_ifdef) {
			uint32_t m = ts_node_named_child_count(top);
			for (uint32_t j = 0; j < m; j++) {
				TSNode d = ts_node_named_child(top, j);
				const char *t = fl_kind(f, d) == CK_declaration
							? decl_type_of(f, d, name)
							: NULL;
				if (t)
					return t;
			}
		}
	}
	return NULL;
}

const char *c_callee(struct fl_file *f, TSNode call)
{
	TSNode fn = fl_unparen(f, fl_child(f, call, F_function));
	return fl_kind(f, fn) == CK_identifier ? fl_text(f, fn) : NULL;
}

struct state_scan {
	struct fl_file *f;
	TSNode fn;
	TSNode found;
	bool opaque;
};

/* MAX_RETRIES, EAGAIN, NULL: a macro or an enumerator, not a variable */
static bool is_constant_name(const char *s)
{
	bool upper = false;
	for (; *s; s++) {
		if (islower((unsigned char)*s))
			return false;
		upper |= isupper((unsigned char)*s);
	}
	return upper;
}

/* The base variable of `s.a.b` (a local struct read by value). */
static TSNode field_base(struct fl_file *f, TSNode e)
{
	while (fl_kind(f, e) == CK_field_expression &&
	       fl_text_eq(f, fl_child(f, e, F_operator), "."))
		e = fl_unparen(f, fl_child(f, e, F_argument));
	return e;
}

static enum fl_visit state_visit(void *ud, TSNode n)
{
	struct state_scan *s = ud;
	struct fl_file *f = s->f;
	switch (fl_kind(f, n)) {
	case CK_call_expression: {
		const char *name = c_callee(f, n);
		/* time(NULL) < deadline, pthread_mutex_lock(&m) != 0 */
		if (c_is_inert_call(name))
			return FL_SKIP;
		TSNode args = fl_child(f, n, F_arguments);
		if (name && c_is_atomic_load(name)) {
			/* atomic_load(&ctx->stop): the argument is state */
			TSNode a = fl_unparen(f, ts_node_named_child(args, 0));
			if (fl_kind(f, a) == CK_pointer_expression &&
			    fl_text_eq(f, ts_node_child(a, 0), "&"))
				a = fl_child(f, a, F_argument);
			s->found = a;
			return FL_STOP;
		}
		/* g_queue_is_empty(q->items): look inside the arguments;
		 * access(pidfile, R_OK): the state may be the OS's */
		s->opaque = true;
		fl_preorder(args, state_visit, s);
		return ts_node_is_null(s->found) ? FL_SKIP : FL_STOP;
	}
	case CK_field_expression: {
		TSNode base = field_base(f, n);
		if (fl_kind(f, base) == CK_identifier) {
			bool addr = false;
			if (c_is_local(f, s->fn, fl_text(f, base), &addr) &&
			    !addr)
				return FL_SKIP; /* st.done: a local struct */
		}
		s->found = n;
		return FL_STOP;
	}
	case CK_pointer_expression:
		if (fl_text_eq(f, ts_node_child(n, 0), "*")) {
			s->found = n;
			return FL_STOP;
		}
		return FL_SKIP; /* &x: an address, not a read */
	case CK_identifier: {
		const char *name = fl_text(f, n);
		bool addr = false;
		if (is_constant_name(name) ||
		    (c_is_local(f, s->fn, name, &addr) && !addr))
			return FL_SKIP;
		s->found = n;
		return FL_STOP;
	}
	case CK_sizeof_expression:
	case CK_string_literal:
	case CK_number_literal:
	case CK_char_literal:
		return FL_SKIP;
	default:
		return FL_DESCEND;
	}
}

TSNode c_shared_state(struct fl_file *f, TSNode fn, TSNode e, bool *opaque)
{
	struct state_scan s = {f, fn, {{0}, NULL, NULL}, false};
	if (!ts_node_is_null(e))
		fl_preorder(e, state_visit, &s);
	if (opaque)
		*opaque = s.opaque;
	return s.found;
}

TSNode c_base_var(struct fl_file *f, TSNode e)
{
	for (int i = 0; i < 64 && !ts_node_is_null(e); i++) {
		switch (fl_kind(f, e)) {
		case CK_identifier:
			return e;
		case CK_parenthesized_expression:
			e = ts_node_named_child(e, 0);
			break;
		case CK_cast_expression:
			e = fl_child(f, e, F_value);
			break;
		case CK_pointer_expression:
		case CK_field_expression:
		case CK_subscript_expression:
			e = fl_child(f, e, F_argument);
			break;
		default:
			return (TSNode){{0}, NULL, NULL};
		}
	}
	return (TSNode){{0}, NULL, NULL};
}

struct c_jump {
	struct fl_file *f;
	bool loops, found;
};

static enum fl_visit c_jump_visit(void *ud, TSNode n)
{
	struct c_jump *j = ud;
	unsigned k = fl_kind(j->f, n);
	if (k == CK_return_statement || k == CK_goto_statement ||
	    (j->loops && k == CK_break_statement)) {
		j->found = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

bool c_jumps(struct fl_file *f, TSNode st, bool loops)
{
	struct c_jump j = {f, loops, false};
	if (!ts_node_is_null(st))
		fl_preorder(st, c_jump_visit, &j);
	return j.found;
}

/* `unlikely(x)`, `G_LIKELY(x)`, `__builtin_expect(x, 0)`, `(T *)x`: the
 * expression itself. */
TSNode c_plain(struct fl_file *f, TSNode e)
{
	for (int i = 0; i < 16; i++) {
		e = fl_unparen(f, e);
		unsigned k = fl_kind(f, e);
		if (k == CK_cast_expression) {
			e = fl_child(f, e, F_value);
			continue;
		}
		if (k != CK_call_expression)
			break;
		TSNode fn = fl_child(f, e, F_function);
		if (!fl_text_eq(f, fn, "likely") &&
		    !fl_text_eq(f, fn, "unlikely") &&
		    !fl_text_eq(f, fn, "G_LIKELY") &&
		    !fl_text_eq(f, fn, "G_UNLIKELY") &&
		    !fl_text_eq(f, fn, "__builtin_expect"))
			break;
		TSNode args = fl_child(f, e, F_arguments);
		if (!ts_node_named_child_count(args))
			break;
		e = ts_node_named_child(args, 0);
	}
	return e;
}

/* A release by a project's own name: xfree(p), buf_free(p),
 * conn_unref(c), ctx_destroy(c), pool_release(p). */
bool c_frees_by_name(const char *fn)
{
	static const char *const words[] = {"free", "unref", "destroy",
					    "release", "close", "dispose",
					    "delete", "cleanup"};
	return py_name_has_word(fn, words, ARRAY_SIZE(words)) ||
	       !strncmp(fn, "xfree", 5);
}

TSNode c_test_core(struct fl_file *f, TSNode cond, int *neg)
{
	TSNode c = c_plain(f, cond);
	*neg = 0;
	while (fl_kind(f, c) == CK_unary_expression &&
	       f->src[ts_node_start_byte(c)] == '!') {
		*neg ^= 1;
		c = c_plain(f, fl_child(f, c, F_argument));
	}
	return c;
}

TSNode c_stored_in(struct fl_file *f, TSNode call, bool *cast)
{
	TSNode at = call, p = ts_node_parent(call);
	while (!ts_node_is_null(p) &&
	       (fl_kind(f, p) == CK_cast_expression ||
		fl_kind(f, p) == CK_parenthesized_expression)) {
		at = p;
		p = ts_node_parent(p);
	}
	if (cast)
		*cast = !ts_node_eq(at, call);
	if (fl_kind(f, p) == CK_assignment_expression &&
	    ts_node_eq(fl_child(f, p, F_right), at))
		return fl_child(f, p, F_left);
	if (fl_kind(f, p) == CK_init_declarator) {
		TSNode d = fl_child(f, p, F_declarator);
		while (!ts_node_is_null(d) && fl_kind(f, d) != CK_identifier)
			d = fl_child(f, d, F_declarator);
		return d;
	}
	return (TSNode){{0}, NULL, NULL};
}
