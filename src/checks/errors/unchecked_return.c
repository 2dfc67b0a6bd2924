/*
 * ERR002 unchecked-return (C)
 *
 * Two heuristics.
 *
 * The table: a call to a function of the fallible-API table
 * (src/lang/c/api.c) whose result is dropped: the call is a statement of
 * its own (or the left side of a comma).  `(void)f()` says the drop is
 * deliberate and is not reported.
 *
 * The belief (Engler et al., "Bugs as Deviant Behavior", SOSP 2001): every
 * call site of every other function counts, program-wide, as using its
 * result (tested, compared, returned, passed on, stored in a field, or
 * stored in a local that is read) or dropping it (a statement of its own,
 * or stored in a local never read).  A function whose result is used at
 * most of its call sites is believed to need checking, and the sites that
 * drop it are reported with the counts: "the result of 'buf_reserve' is
 * checked at 14 of 15 call sites".  Per file the check counts sites
 * (fl_count) and asks to be revisited where it dropped a result; the
 * global phase sums the counts and revisits only the files whose drops the
 * program believes wrong.  A static function is its file's own: its sites
 * count under a name scoped to the file.  The confidence comes from the
 * counts (belief_at), and is low unless the call is the first to fill a
 * local that the code reads afterwards (filled_local): only then does the
 * drop read uninitialised data; elsewhere glibc, OpenSSH, Dovecot and
 * SQLite drop deviant results on purpose about half the time.
 *
 * Not caught (yet): results stored in a local that is then overwritten
 * unread; calls through function pointers and struct fields.
 *
 * False positives: the table holds only functions whose ignored result is
 * a defect in practically every use; close(), unlink(), printf() and
 * pthread_mutex_lock() are left out for that reason.  A name that the
 * file or the function declares itself (a parameter `void (*bind)(...)`,
 * a static function called write) is not the library function.  High
 * confidence, low in test files (path_is_test), which provoke failures on
 * purpose.  The belief needs at least three using sites and a clear
 * majority; it learns nothing for functions that return void (a
 * definition or prototype says so), for conventionally ignored results
 * (printf, memcpy, close: c_result_ignorable), for function-like macros
 * and ALL-CAPS names, or for names the enclosing function declares (a
 * callback parameter `cb` is a different function in every file).  Test
 * files neither count nor get the belief: they assert every result and
 * drop results on purpose.
 */
#include "../../core/file.h"
#include "../../core/run.h"
#include "../../lang/c/api.h"

#include <string.h>
#include <stdlib.h>

/* The statement that runs after the expression statement holding the
 * call, if any. */
static TSNode next_statement(struct fl_file *f, TSNode call)
{
	TSNode st = call;
	for (int i = 0; i < 8 && !ts_node_is_null(st); i++) {
		if (fl_kind(f, st) == CK_expression_statement)
			break;
		st = ts_node_parent(st);
	}
	if (ts_node_is_null(st))
		return st;
	TSNode next = ts_node_next_named_sibling(st);
	while (!ts_node_is_null(next) && fl_kind(f, next) == CK_comment)
		next = ts_node_next_named_sibling(next);
	return next;
}

/* Does the declarator d (through pointers, arrays, parentheses and
 * function declarators) declare `name`? */
static bool declares(struct fl_file *f, TSNode d, const char *name)
{
	for (int guard = 0; guard < 32 && !ts_node_is_null(d); guard++) {
		unsigned k = fl_kind(f, d);
		if (k == CK_identifier)
			return fl_text_eq(f, d, name);
		TSNode next = fl_child(f, d, F_declarator);
		if (ts_node_is_null(next) && ts_node_named_child_count(d))
			next = ts_node_named_child(d, 0);
		d = next;
	}
	return false;
}

/*
 * Is `name` something other than the library function here: a parameter
 * or local of the enclosing function (`void (*bind)(void *)`), or a
 * function or variable the file defines itself?
 */
static bool shadowed(struct fl_file *f, const struct fl_call *c)
{
	for (size_t i = 0; i < f->m.funcs.n; i++)
		if (!strcmp(f->m.funcs.v[i].name, c->callee))
			return true;
	if (c->func < 0)
		return false;
	TSNode fn = f->m.funcs.v[c->func].node;
	uint32_t call_at = ts_node_start_byte(c->node);
	TSTreeCursor cur = ts_tree_cursor_new(fn);
	bool found = false;
	/* parameters and declarations before the call, at any depth */
	for (bool more = true; more && !found;) {
		TSNode n = ts_tree_cursor_current_node(&cur);
		unsigned k = fl_kind(f, n);
		if ((k == CK_parameter_declaration || k == CK_declaration) &&
		    ts_node_start_byte(n) < call_at) {
			uint32_t nc = ts_node_named_child_count(n);
			for (uint32_t i = 0; i < nc && !found; i++) {
				TSNode d = ts_node_named_child(n, i);
				if (fl_kind(f, d) == CK_init_declarator)
					d = fl_child(f, d, F_declarator);
				if (!ts_node_eq(d, fl_child(f, n, F_type)))
					found = declares(f, d, c->callee);
			}
		}
		if (ts_node_start_byte(n) < call_at &&
		    ts_tree_cursor_goto_first_child(&cur))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&cur)) {
			if (!ts_tree_cursor_goto_parent(&cur)) {
				more = false;
				break;
			}
		}
	}
	ts_tree_cursor_delete(&cur);
	return found;
}

/* The n-th argument of a call (0-based), or a null node. */
static TSNode arg_at(struct fl_file *f, TSNode call, uint32_t n)
{
	TSNode args = fl_child(f, call, F_arguments);
	TSNode none = {{0}, NULL, NULL};
	if (ts_node_is_null(args))
		return none;
	uint32_t k = 0, nc = ts_node_named_child_count(args);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (fl_kind(f, a) == CK_comment)
			continue;
		if (k++ == n)
			return fl_unparen(f, a);
	}
	return none;
}

/*
 * Calls whose failure cannot matter or cannot happen:
 *   write(STDERR_FILENO, "x", 1);          diagnostics, like fprintf(stderr)
 *   sscanf("P0123", "P%d", &x);            constant input: cannot vary
 *   inet_pton(AF_INET6, "::1", &a);        constant address: cannot fail
 */
static bool harmless(struct fl_file *f, const struct fl_call *c)
{
	const char *name = c->callee;
	if (!strcmp(name, "write") || !strcmp(name, "send")) {
		TSNode fd = arg_at(f, c->node, 0);
		return fl_text_eq(f, fd, "STDOUT_FILENO") ||
		       fl_text_eq(f, fd, "STDERR_FILENO") ||
		       fl_text_eq(f, fd, "1") || fl_text_eq(f, fd, "2");
	}
	if (!strcmp(name, "sscanf"))
		return fl_kind(f, arg_at(f, c->node, 0)) == CK_string_literal;
	if (!strcmp(name, "inet_pton"))
		return fl_kind(f, arg_at(f, c->node, 1)) == CK_string_literal;
	return false;
}

static void table_check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->use != USE_DISCARD || !c->callee ||
		    strpbrk(c->callee, ".->"))
			continue;
		const struct c_fallible *api = c_fallible_lookup(c->callee);
		if (!api)
			continue;
		/* void f(void (*bind)(void *)) { bind(x); } */
		if (shadowed(f, c) || harmless(f, c))
			continue;
		/* Test programs ignore results on purpose (they provoke
		 * failures); still worth a look, at low confidence. */
		enum fl_confidence conf = f->is_test ? CONF_LOW : CONF_HIGH;
		struct fl_finding *fd = fl_report(
			f, &check_unchecked_return, c->node, conf,
			"result of '%s' is ignored: when it fails, %s",
			c->callee, api->consequence);
		fd->severity = api->severity;
		fl_trace(f, fd, c->node, "'%s' reports failure in its result: it %s",
			 c->callee, api->fails);
		TSNode next = next_statement(f, c->node);
		if (!ts_node_is_null(next))
			fl_trace(f, fd, next,
				 "execution continues here as if '%s' had "
				 "succeeded",
				 c->callee);
		else
			fl_trace(f, fd, c->node,
				 "the result is dropped: nothing tests it");
		fl_set_hint(fd,
			    "test the result of '%s' and handle the failure; "
			    "cast the call to (void) if ignoring it is "
			    "intended",
			    c->callee);
	}
}


/* ------------------------------------------------------------------ */
/* The belief: results used at most call sites                         */

/*
 * A function is believed to need its result checked from this many using
 * sites, this share of all sites (using + dropping), and this share of the
 * using sites testing the result, per confidence.  The last tells an error
 * code (tested where it is used) from a value with side effects (a varint
 * length, a handle, an error string: used, seldom tested), which code
 * drops at will.
 */
static const struct {
	uint32_t min_used;
	unsigned pct, tested_pct;
} belief_at[CONF__COUNT] = {
	[CONF_LOW] = {3, 60, 0},
	[CONF_MEDIUM] = {4, 85, 50},
	[CONF_HIGH] = {5, 90, 75},
};

/* What the names of one function's body are: declared there (parameters
 * and locals), and read somewhere (any use but a plain store or a
 * declaration). */
struct fn_names {
	bool built;
	bool murky;                  /* a #define or a syntax error inside:
				      * reads may hide in macros */
	struct u64set decls, reads;
	struct u64set arrays;        /* locals declared as arrays */
};

/* Where a call sits: its first ancestor that is not a parenthesis, and
 * that one's (for `(r = f()) != 0`, where the store is tested). */
struct call_ctx {
	TSNode up, up2;
	bool up2_cond;               /* up is the condition of up2 */
	TSFieldId field;             /* the field of `up` holding the call */
	bool found, error;           /* error: inside a syntax error */
};

struct belief {
	struct fl_file *f;
	struct call_ctx *ctx;        /* per call of the model */
	struct fn_names *fns;        /* per function */
	struct u64set statics;       /* static functions of this file */
	struct u64set skip;          /* identifiers that are stores: start+1 */
	struct fn_names *cur;
};

/* The identifier a declarator declares (through pointers, arrays,
 * parentheses, function declarators, initialisers), or a null node. */
static TSNode declarator_name(struct fl_file *f, TSNode d)
{
	for (int guard = 0; guard < 32 && !ts_node_is_null(d); guard++) {
		unsigned k = fl_kind(f, d);
		if (k == CK_identifier)
			return d;
		TSNode next = fl_child(f, d, F_declarator);
		if (ts_node_is_null(next) && ts_node_named_child_count(d))
			next = ts_node_named_child(d, 0);
		d = next;
	}
	TSNode none = {{0}, NULL, NULL};
	return none;
}

static uint64_t name_hash(struct fl_file *f, TSNode id)
{
	uint32_t s = ts_node_start_byte(id), e = ts_node_end_byte(id);
	return hash64(f->src + s, e - s);
}

/* Mark the name a declaration, parameter or `x = ...` stores into as not a
 * read, and (declarations) as declared. */
static void mark_store(struct belief *b, TSNode id, bool decl)
{
	if (ts_node_is_null(id))
		return;
	u64set_add(&b->skip, (uint64_t)ts_node_start_byte(id) + 1);
	if (decl)
		u64set_add(&b->cur->decls, name_hash(b->f, id));
}

static enum fl_visit names_visit(void *ud, TSNode n)
{
	struct belief *b = ud;
	struct fl_file *f = b->f;
	switch (fl_kind(f, n)) {
	case CK_declaration:
	case CK_parameter_declaration: {
		TSNode ty = fl_child(f, n, F_type);
		uint32_t nc = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode d = ts_node_named_child(n, i);
			if (ts_node_eq(d, ty))
				continue;
			unsigned k = fl_kind(f, d);
			if (k == CK_init_declarator)
				d = fl_child(f, d, F_declarator);
			else if (k != CK_identifier &&
				 k != CK_pointer_declarator &&
				 k != CK_function_declarator &&
				 k != CK_parenthesized_declarator &&
				 k != CK_attributed_declarator &&
				 strcmp(ts_node_type(d), "array_declarator"))
				continue;
			mark_store(b, declarator_name(f, d), true);
			/* char host[64]: passing `host` lets the call fill it */
			if (!strcmp(ts_node_type(d), "array_declarator")) {
				TSNode id = declarator_name(f, d);
				if (!ts_node_is_null(id))
					u64set_add(&b->cur->arrays,
						   name_hash(f, id));
			}
		}
		break;
	}
	case CK_assignment_expression: {
		/* `x = v` stores; `x += v` reads x too */
		TSNode left = fl_unparen(f, fl_child(f, n, F_left));
		if (fl_kind(f, left) == CK_identifier &&
		    fl_text_eq(f, fl_child(f, n, F_operator), "="))
			mark_store(b, left, false);
		break;
	}
	case CK_identifier:
		if (!u64set_has(&b->skip, (uint64_t)ts_node_start_byte(n) + 1))
			u64set_add(&b->cur->reads, name_hash(f, n));
		break;
	case CK_preproc_def:
	case CK_preproc_function_def:
	case CK_ERROR:
		b->cur->murky = true;
		break;
	default:
		if (ts_node_is_missing(n))
			b->cur->murky = true;
		break;
	}
	return FL_DESCEND;
}

static struct fn_names *fn_names(struct belief *b, int fi)
{
	struct fn_names *fn = &b->fns[fi];
	if (!fn->built) {
		fn->built = true;
		b->cur = fn;
		TSNode node = b->f->m.funcs.v[fi].node;
		fn->murky = ts_node_has_error(node);
		fl_preorder(node, names_visit, b);
		u64set_release(&b->skip);
	}
	return fn;
}

/*
 * One walk over the file to find each call's context (ts_node_parent
 * starts from the root every time: too slow for files with tens of
 * thousands of calls).  Calls are matched to the model's, which are in
 * the same document order.
 */
static void find_contexts(struct belief *b)
{
	struct fl_file *f = b->f;
	VEC(TSNode) path = {0};
	VEC(TSFieldId) fields = {0};
	size_t next = 0;
	TSTreeCursor cur = ts_tree_cursor_new(f->root);
	*VEC_PUSH(&path) = f->root;
	*VEC_PUSH(&fields) = 0;
	for (;;) {
		TSNode n = path.v[path.n - 1];
		if (fl_kind(f, n) == CK_call_expression && next < f->m.calls.n &&
		    ts_node_eq(n, f->m.calls.v[next].node)) {
			struct call_ctx *cx = &b->ctx[next++];
			size_t i = path.n - 1;
			TSFieldId fld = fields.v[i];
			while (i > 0 && fl_kind(f, path.v[i - 1]) ==
						CK_parenthesized_expression) {
				i--;
				fld = fields.v[i];
			}
			cx->found = true;
			cx->error = ts_node_has_error(n);
			if (i > 0) {
				cx->up = path.v[i - 1];
				cx->field = fld;
				size_t j = i - 1;
				while (j > 0 && fl_kind(f, path.v[j - 1]) ==
							CK_parenthesized_expression)
					j--;
				if (j > 0) {
					cx->up2 = path.v[j - 1];
					cx->up2_cond = fields.v[j] ==
						f->li->field[F_condition];
				}
				/* a statement the parser could not make out:
				 * int x = va_arg(ap, unsigned long int) */
				unsigned k = fl_kind(f, cx->up);
				if (k == CK_ERROR ||
				    ((k == CK_expression_statement ||
				      k == CK_init_declarator ||
				      k == CK_assignment_expression ||
				      k == CK_comma_expression) &&
				     ts_node_has_error(cx->up)) ||
				    (k == CK_init_declarator && j > 0 &&
				     ts_node_has_error(cx->up2)))
					cx->error = true;
			}
		}
		if (ts_tree_cursor_goto_first_child(&cur)) {
			*VEC_PUSH(&path) = ts_tree_cursor_current_node(&cur);
			*VEC_PUSH(&fields) = ts_tree_cursor_current_field_id(&cur);
			continue;
		}
		bool done = false;
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&cur))
				break;
			if (path.n <= 1 || !ts_tree_cursor_goto_parent(&cur)) {
				done = true;
				break;
			}
			path.n--;
			fields.n--;
		}
		if (done)
			break;
		path.v[path.n - 1] = ts_tree_cursor_current_node(&cur);
		fields.v[fields.n - 1] = ts_tree_cursor_current_field_id(&cur);
	}
	ts_tree_cursor_delete(&cur);
	VEC_FREE(&path);
	VEC_FREE(&fields);
}

static bool is_static(struct fl_file *f, TSNode def)
{
	uint32_t nc = ts_node_named_child_count(def);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(def, i);
		if (!strcmp(ts_node_type(c), "storage_class_specifier") &&
		    fl_text_eq(f, c, "static"))
			return true;
	}
	return false;
}

/* The key a callee's sites are counted under: the name, or for a static
 * function of this file "path:name". */
static const char *belief_key(struct belief *b, const char *callee)
{
	struct fl_file *f = b->f;
	if (u64set_has(&b->statics, hash64(callee, strlen(callee))))
		return arena_printf(f->a, "%s:%s", f->path, callee);
	return callee;
}

/*
 * Definitions and prototypes at file level: `void f(...)` records
 * FACT_NO_RESULT_BELIEF (the belief never holds for f), `static` ones make
 * the name the file's own.  Bodies are not entered.
 */
static enum fl_visit decls_visit(void *ud, TSNode n)
{
	struct belief *b = ud;
	struct fl_file *f = b->f;
	unsigned k = fl_kind(f, n);
	if (k == CK_compound_statement)
		return FL_SKIP;
	if (k == CK_preproc_function_def) {
		/* #define inchar() (...): a macro's value is no function's
		 * result; no belief about it anywhere */
		TSNode nm = fl_child(f, n, F_name);
		if (!ts_node_is_null(nm))
			fl_fact(f, FACT_NO_RESULT_BELIEF, fl_text(f, nm), n);
		return FL_SKIP;
	}
	if (k != CK_function_definition && k != CK_declaration)
		return FL_DESCEND;
	TSNode d = fl_child(f, n, F_declarator);
	while (fl_kind(f, d) == CK_attributed_declarator ||
	       fl_kind(f, d) == CK_parenthesized_declarator)
		d = ts_node_named_child(d, 0);
	if (fl_kind(f, d) == CK_init_declarator)
		return FL_SKIP;
	if (fl_kind(f, d) != CK_function_declarator)
		return FL_SKIP;
	TSNode id = fl_child(f, d, F_declarator);
	if (fl_kind(f, id) != CK_identifier)
		return FL_SKIP;
	const char *name = fl_text(f, id);
	if (is_static(f, n))
		u64set_add(&b->statics, hash64(name, strlen(name)));
	TSNode ty = fl_child(f, n, F_type);
	/* a static one says nothing about other files' functions */
	if (fl_kind(f, ty) == CK_primitive_type && fl_text_eq(f, ty, "void"))
		fl_fact(f, FACT_NO_RESULT_BELIEF, belief_key(b, name), n);
	return FL_SKIP;
}

static bool all_caps(const char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return false;
	return true;
}

enum site { SITE_NONE = 0, SITE_USED, SITE_TESTED, SITE_DROPPED };

struct name_ud {
	bool found;
};

static bool name_found(void *ud, const TSNode *path, size_t n)
{
	(void)path;
	(void)n;
	((struct name_ud *)ud)->found = true;
	return false;
}

/* Does the statement after `st` test `name`: `r = f(); if (r < 0)`,
 * `while (r ...)`, `switch (r)`? */
static bool next_tests(struct fl_file *f, TSNode st, const char *name)
{
	if (ts_node_is_null(st) || !name)
		return false;
	TSNode next = ts_node_next_named_sibling(st);
	while (!ts_node_is_null(next) && fl_kind(f, next) == CK_comment)
		next = ts_node_next_named_sibling(next);
	unsigned k = fl_kind(f, next);
	if (k != CK_if_statement && k != CK_while_statement &&
	    k != CK_switch_statement)
		return false;
	struct name_ud ud = {false};
	fl_find_names(f, fl_child(f, next, F_condition), name, name_found, &ud);
	return ud.found;
}

/*
 * How call c treats its result, for the belief: SITE_NONE when the call
 * does not take part (not a plain function name, a table function, a
 * conventionally ignored one, a macro, a name declared in the function, a
 * (void) cast).
 */
static enum site classify(struct belief *b, size_t ci)
{
	struct fl_file *f = b->f;
	const struct fl_call *c = &f->m.calls.v[ci];
	const struct call_ctx *cx = &b->ctx[ci];
	/* weak_extern(sym) at file level: a macro the grammar takes for a
	 * call; only calls inside functions count */
	if (!c->callee || c->use == USE_VOID_CAST || !cx->found ||
	    cx->error || c->func < 0)
		return SITE_NONE;
	TSNode fn = fl_child(f, c->node, F_function);
	if (fl_kind(f, fn) != CK_identifier)
		return SITE_NONE;
	const char *name = c->callee;
	if (all_caps(name) || c_result_ignorable(name) ||
	    c_fallible_lookup(name))
		return SITE_NONE;
	struct fn_names *names = c->func >= 0 ? fn_names(b, c->func) : NULL;
	/* void f(int (*cb)(void)) { cb(); }: a different cb everywhere */
	if (names && u64set_has(&names->decls, hash64(name, strlen(name))))
		return SITE_NONE;
	unsigned up = fl_kind(f, cx->up);
	switch (c->use) {
	case USE_DISCARD:
		/* return __hurd_fail(EBADF), MACH_PORT_NULL;  for (...;
		 * step(&a), step(&b)): the comma says the value is not
		 * wanted */
		if (up == CK_comma_expression)
			return SITE_NONE;
		return SITE_DROPPED;
	case USE_COND:
		return SITE_TESTED;
	case USE_ASSIGN:
	case USE_DECL: {
		/* if ((r = f()) != 0): the store is tested */
		if (c->use == USE_ASSIGN &&
		    fl_kind(f, cx->up2) != CK_expression_statement)
			return fl_kind(f, cx->up2) == CK_binary_expression ||
					       fl_kind(f, cx->up2) ==
						       CK_unary_expression ||
					       cx->up2_cond
				       ? SITE_TESTED
				       : SITE_USED;
		/* r = f(); if (r < 0) */
		if (next_tests(f, cx->up2, c->assigned))
			return SITE_TESTED;
		/* r = f(); with r a local that nothing reads: dropped */
		uint64_t h = c->assigned ? hash64(c->assigned,
						   strlen(c->assigned))
					 : 0;
		if (names && h && !names->murky &&
		    u64set_has(&names->decls, h) &&
		    !u64set_has(&names->reads, h))
			return SITE_DROPPED;
		return SITE_USED;
	}
	case USE_OTHER:
		/* for (init; cond; step()) */
		if (up == CK_for_statement &&
		    cx->field != f->li->field[F_condition])
			return SITE_NONE;
		return SITE_USED;
	default:
		return SITE_USED;
	}
}

static void belief_init(struct belief *b, struct fl_file *f)
{
	memset(b, 0, sizeof(*b));
	b->f = f;
	b->fns = arena_alloc(f->a, (f->m.funcs.n + 1) * sizeof(*b->fns));
	b->ctx = arena_alloc(f->a, (f->m.calls.n + 1) * sizeof(*b->ctx));
	fl_preorder(f->root, decls_visit, b);
	find_contexts(b);
}

static void belief_release(struct belief *b)
{
	for (size_t i = 0; i < b->f->m.funcs.n; i++) {
		u64set_release(&b->fns[i].decls);
		u64set_release(&b->fns[i].reads);
		u64set_release(&b->fns[i].arrays);
	}
	u64set_release(&b->statics);
	u64set_release(&b->skip);
}

/* First pass: count every site; ask to come back where a result is
 * dropped, if the program turns out to believe it should not be. */
static void count_sites(struct fl_file *f)
{
	/* Tests assert every result, including those product code may
	 * drop (test_assert(utf8_len(s, &pos) == 1)), and drop results to
	 * provoke failures: neither says what the code base believes. */
	if (f->is_test)
		return;
	struct belief b;
	belief_init(&b, f);
	enum fl_confidence min = f->opt->min_confidence;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		enum site s = classify(&b, i);
		if (s == SITE_NONE)
			continue;
		const char *key = belief_key(&b, c->callee);
		fl_count(f, s == SITE_DROPPED ? FACT_RESULT_DROPPED
					      : FACT_RESULT_USED,
			 key);
		if (s == SITE_TESTED)
			fl_count(f, FACT_RESULT_TESTED, key);
		if (s == SITE_DROPPED)
			fl_mention_belief(f, &check_unchecked_return,
					  FACT_RESULT_USED, FACT_RESULT_DROPPED,
					  key, FACT_NO_RESULT_BELIEF,
					  belief_at[min].min_used,
					  belief_at[min].pct);
	}
	belief_release(&b);
}

/* The confidence of the belief in `used` of `total` sites, or -1. */
static int belief_confidence(uint32_t used, uint32_t tested,
			     uint32_t total)
{
	for (int c = CONF_HIGH; c >= CONF_LOW; c--)
		if (used >= belief_at[c].min_used &&
		    (uint64_t)used * 100 >= (uint64_t)belief_at[c].pct * total &&
		    (uint64_t)tested * 100 >=
			    (uint64_t)belief_at[c].tested_pct * used)
			return c;
	return -1;
}

/* What a function does with a local around a call: is it untouched
 * before the call (declared without a value) and read after it?  The
 * first occurrence after the call decides: a store first means the value
 * the call left is not used. */
struct read_after {
	struct fl_file *f;
	uint32_t start, end;         /* the call */
	bool touched;                /* stored or used before the call */
	int verdict;                 /* -1 unknown, 0 overwritten, 1 read */
};

static bool read_after_cb(void *ud, const TSNode *path, size_t n)
{
	struct read_after *ra = ud;
	struct fl_file *f = ra->f;
	TSNode id = path[n - 1];
	uint32_t at = ts_node_start_byte(id);
	if (at < ra->start) {
		/* `struct rlimit rlim;` declares it without a value */
		size_t k = n - 1;
		while (k > 0 && (fl_kind(f, path[k - 1]) == CK_pointer_declarator ||
				 !strcmp(ts_node_type(path[k - 1]),
					 "array_declarator")))
			k--;
		if (!(k > 0 && fl_kind(f, path[k - 1]) == CK_declaration))
			ra->touched = true;
		return true;
	}
	if (at < ra->end)
		return true;
	if (n >= 2 && fl_kind(f, path[n - 2]) == CK_assignment_expression &&
	    ts_node_eq(fl_child(f, path[n - 2], F_left), id) &&
	    fl_text_eq(f, fl_child(f, path[n - 2], F_operator), "="))
		ra->verdict = 0;
	else
		ra->verdict = 1;
	return false;
}

/*
 * The local that call c is the first to fill and that the code reads
 * afterwards, or NULL: `struct rlimit rlim; getrlimit(RLIMIT_STACK,
 * &rlim); if (rlim.rlim_cur ...)`, `char host[64]; gethostname(host,
 * sizeof host); use(host)`.  When the call fails the local is read
 * uninitialised.  A local that had a value before (`Token *name = 0;`)
 * is not: the code may well be written for the failure.
 */
static const char *filled_local(struct belief *b, const struct fl_call *c)
{
	struct fl_file *f = b->f;
	if (c->func < 0)
		return NULL;
	struct fn_names *names = fn_names(b, c->func);
	if (names->murky)
		return NULL;
	TSNode args = fl_child(f, c->node, F_arguments);
	uint32_t nc = ts_node_named_child_count(args);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode a = fl_unparen(f, ts_node_named_child(args, i));
		bool array = false;
		if (fl_kind(f, a) == CK_pointer_expression &&
		    fl_text_eq(f, fl_child(f, a, F_operator), "&")) {
			a = fl_unparen(f, fl_child(f, a, F_argument));
		} else if (fl_kind(f, a) == CK_identifier) {
			array = true;
		} else {
			continue;
		}
		if (fl_kind(f, a) != CK_identifier)
			continue;
		uint64_t h = name_hash(f, a);
		if (!u64set_has(&names->decls, h) ||
		    (array && !u64set_has(&names->arrays, h)))
			continue;
		const char *name = fl_text(f, a);
		struct read_after ra = {f, ts_node_start_byte(c->node),
					ts_node_end_byte(c->node), false, -1};
		fl_find_names(f, f->m.funcs.v[c->func].node, name,
			      read_after_cb, &ra);
		if (!ra.touched && ra.verdict == 1)
			return name;
	}
	return NULL;
}

/* Global phase, on the files with a dropped result the program believes
 * should be checked: report each such site with the counts. */
static void revisit(struct fl_file *f)
{
	struct belief b;
	belief_init(&b, f);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (classify(&b, i) != SITE_DROPPED)
			continue;
		const char *key = belief_key(&b, c->callee);
		if (fl_has_fact(f, FACT_NO_RESULT_BELIEF, key))
			continue;
		uint32_t used = fl_fact_count(f, FACT_RESULT_USED, key);
		uint32_t dropped = fl_fact_count(f, FACT_RESULT_DROPPED, key);
		uint64_t total = (uint64_t)used + dropped;
		uint32_t tested = fl_fact_count(f, FACT_RESULT_TESTED, key);
		int conf = belief_confidence(used, tested, (uint32_t)total);
		if (conf < 0)
			continue;
		/* Without a local that the call fills and the code then
		 * reads, a dropped result may be deliberate (best-effort
		 * set-up, cleanup, output): low confidence. */
		const char *filled = filled_local(&b, c);
		if (!filled || f->is_test)
			conf = CONF_LOW;
		if ((enum fl_confidence)conf < f->opt->min_confidence)
			continue;
		bool stored = c->use == USE_ASSIGN || c->use == USE_DECL;
		struct fl_finding *fd;
		if (stored)
			fd = fl_report(f, &check_unchecked_return, c->node,
				       (enum fl_confidence)conf,
				       "the result of '%s' is checked at %u of "
				       "%llu call sites; here it is stored in "
				       "'%s' and never read",
				       c->callee, used,
				       (unsigned long long)total, c->assigned);
		else
			fd = fl_report(f, &check_unchecked_return, c->node,
				       (enum fl_confidence)conf,
				       "the result of '%s' is checked at %u of "
				       "%llu call sites; here it is dropped",
				       c->callee, used,
				       (unsigned long long)total);
		fl_trace(f, fd, c->node,
			 "%u other call sites of '%s' test or use its result: "
			 "it is how '%s' reports failure",
			 used, c->callee, c->callee);
		if (filled)
			fl_trace(f, fd, c->node,
				 "'%s' fills '%s'; when it fails, '%s' is "
				 "left uninitialised and is read all the same",
				 c->callee, filled, filled);
		TSNode next = next_statement(f, c->node);
		if (!ts_node_is_null(next))
			fl_trace(f, fd, next,
				 "execution continues here as if '%s' had "
				 "succeeded",
				 c->callee);
		fl_set_hint(fd,
			    "test the result of '%s' as the other call sites "
			    "do; cast the call to (void) if ignoring it is "
			    "intended",
			    c->callee);
	}
	belief_release(&b);
}

static void check(struct fl_file *f)
{
	table_check(f);
	count_sites(f);
}

const struct fl_check check_unchecked_return = {
	.code = "ERR002",
	.name = "unchecked-return",
	.family = FAM_ERR,
	.langs = LANG_BIT(LANG_C),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-252",
	.summary = "A call that reports failure through its return value "
		   "has that value discarded, so the code carries on as if "
		   "it had worked.",
	.fix_hint = "test the result and handle the failure",
	.file_end = check,
	.revisit = revisit,
};
