#include "walk.h"
#include "run.h"
#include "suppress.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Hook dispatch tables                                                */

struct hooklist {
	const struct fl_hook **v;
	size_t n;
};

struct fl_hookset {
	struct hooklist *by_kind[LANG__COUNT];
	size_t nkind[LANG__COUNT];
};

struct fl_hookset *hookset_new(const struct fl_options *opt)
{
	struct fl_hookset *hs = xcalloc(1, sizeof(*hs));
	hs->nkind[LANG_PYTHON] = PK__COUNT;
	hs->nkind[LANG_C] = CK__COUNT;
	for (int l = 1; l < LANG__COUNT; l++)
		hs->by_kind[l] = xcalloc(hs->nkind[l], sizeof(struct hooklist));
	for (size_t i = 0; i < fl_ncheck; i++) {
		const struct fl_check *ck = fl_checks[i];
		if (!opt->enabled[i] || !ck->hooks)
			continue;
		for (const struct fl_hook *h = ck->hooks; h->enter; h++) {
			if (h->lang <= LANG_NONE || h->lang >= LANG__COUNT ||
			    h->kind >= hs->nkind[h->lang])
				continue;
			struct hooklist *hl = &hs->by_kind[h->lang][h->kind];
			hl->v = xrealloc(hl->v, (hl->n + 1) * sizeof(*hl->v));
			hl->v[hl->n++] = h;
		}
	}
	return hs;
}

void hookset_free(struct fl_hookset *hs)
{
	if (!hs)
		return;
	for (int l = 1; l < LANG__COUNT; l++) {
		for (size_t k = 0; k < hs->nkind[l]; k++)
			free(hs->by_kind[l][k].v);
		free(hs->by_kind[l]);
	}
	free(hs);
}

/* ------------------------------------------------------------------ */
/* Walk state                                                          */

struct frame {
	TSNode node;
	uint16_t kind;
	TSFieldId field;   /* field of this node in its parent, 0 */
	uint8_t region;    /* a region was pushed on enter: pop on leave */
	uint8_t err;       /* an ERROR or MISSING node */
	int aux;           /* builder data: func/try/with/handler index */
};

enum region_kind { R_FUNC = 1, R_CLASS, R_TRY, R_LOOP, R_WITH };

struct region {
	uint8_t kind;
	uint8_t part;      /* R_TRY: enum fl_try_part */
	int idx;           /* R_FUNC: func; R_CLASS: class; R_TRY: try */
};

struct walker {
	struct fl_file *f;
	const struct fl_hookset *hs;
	VEC(struct frame) st;
	VEC(struct region) rg;
	int cur_func;
	int cur_class;
	uint32_t error_depth;
};

static const TSNode null_node = {{0}, NULL, NULL};

static uint8_t c_call_use(struct walker *w, const char **assigned);

static struct frame *parent_frame(struct walker *w, size_t up)
{
	return w->st.n > up + 1 ? &w->st.v[w->st.n - 2 - up] : NULL;
}

static void push_region(struct walker *w, uint8_t kind, uint8_t part, int idx)
{
	struct region *r = VEC_PUSH(&w->rg);
	r->kind = kind;
	r->part = part;
	r->idx = idx;
	w->st.v[w->st.n - 1].region = 1;
}

/* Innermost try region of the current function, and the flags that the
 * regions between here and the function boundary imply. */
static int region_scan(struct walker *w, uint8_t *part, uint16_t *flags)
{
	int try_idx = -1;
	*part = PART_NONE;
	*flags = 0;
	for (size_t i = w->rg.n; i-- > 0;) {
		struct region *r = &w->rg.v[i];
		if (r->kind == R_FUNC)
			return try_idx;
		if (r->kind == R_CLASS) {
			*flags |= CALL_IN_CLASS_BODY;
			return try_idx;
		}
		if (r->kind == R_LOOP)
			*flags |= CALL_IN_LOOP;
		if (r->kind == R_TRY) {
			if (try_idx < 0) {
				try_idx = r->idx;
				*part = r->part;
			}
			if (r->part == PART_HANDLER)
				*flags |= CALL_IN_HANDLER;
			if (r->part == PART_FINALLY)
				*flags |= CALL_IN_FINALLY;
		}
	}
	*flags |= CALL_AT_MODULE;
	return try_idx;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

/* Dotted text of an identifier / attribute chain ("self.sock.send"), or
 * NULL when some part is not a plain name (calls, subscripts...). */
static const char *dotted_name(struct fl_file *f, TSNode n)
{
	unsigned k = fl_kind(f, n);
	if (f->lang == LANG_PYTHON) {
		if (k == PK_identifier)
			return fl_text(f, n);
		if (k == PK_attribute) {
			TSNode obj = fl_child(f, n, F_object);
			TSNode attr = fl_child(f, n, F_attribute);
			if (ts_node_is_null(obj) || ts_node_is_null(attr))
				return NULL;
			const char *base = dotted_name(f, obj);
			if (!base)
				return NULL;
			return arena_printf(f->a, "%s.%s", base,
					    fl_text(f, attr));
		}
		return NULL;
	}
	if (k == CK_identifier)
		return fl_text(f, n);
	if (k == CK_field_expression) {
		/* ctx->ops->send: keep the text, it reads like the code */
		uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
		if (e - s > 200)
			return NULL;
		return fl_text(f, n);
	}
	if (k == CK_parenthesized_expression &&
	    ts_node_named_child_count(n) == 1)
		return dotted_name(f, ts_node_named_child(n, 0));
	return NULL;
}

static const char *last_component(struct fl_file *f, TSNode fn)
{
	unsigned k = fl_kind(f, fn);
	if (f->lang == LANG_PYTHON) {
		if (k == PK_identifier)
			return fl_text(f, fn);
		if (k == PK_attribute) {
			TSNode a = fl_child(f, fn, F_attribute);
			return ts_node_is_null(a) ? NULL : fl_text(f, a);
		}
		return NULL;
	}
	if (k == CK_identifier)
		return fl_text(f, fn);
	if (k == CK_field_expression) {
		TSNode a = fl_child(f, fn, F_field);
		return ts_node_is_null(a) ? NULL : fl_text(f, a);
	}
	if (k == CK_parenthesized_expression &&
	    ts_node_named_child_count(fn) == 1)
		return last_component(f, ts_node_named_child(fn, 0));
	return NULL;
}

/* The identifier a C declarator declares (through pointers, arrays,
 * parentheses, function declarators). */
static TSNode c_declarator_name(struct fl_file *f, TSNode d)
{
	for (int guard = 0; guard < 64 && !ts_node_is_null(d); guard++) {
		unsigned k = fl_kind(f, d);
		if (k == CK_identifier || k == CK_field_identifier ||
		    k == CK_type_identifier)
			return d;
		TSNode next = fl_child(f, d, F_declarator);
		if (ts_node_is_null(next)) {
			if (k == CK_parenthesized_declarator &&
			    ts_node_named_child_count(d) > 0)
				next = ts_node_named_child(d, 0);
			else
				return null_node;
		}
		d = next;
	}
	return null_node;
}

/* ------------------------------------------------------------------ */
/* Model building: Python                                              */

/* The first item of the innermost with statement whose body encloses
 * the current node, within the current function; -1. */
static int innermost_with(struct walker *w)
{
	for (size_t i = w->rg.n; i-- > 0;) {
		struct region *r = &w->rg.v[i];
		if (r->kind == R_FUNC || r->kind == R_CLASS)
			return -1;
		if (r->kind == R_WITH)
			return r->idx;
	}
	return -1;
}

/* How the node on top of the stack (self.x, or a bare name) is touched:
 * read, stored, updated, deleted, called a method of, subscripted. */
static uint8_t access_kind(struct walker *w, const char **method)
{
	struct fl_file *f = w->f;
	struct frame *me = &w->st.v[w->st.n - 1];
	struct frame *p = parent_frame(w, 0);
	struct frame *gp = parent_frame(w, 1);
	uint8_t kind = ACC_LOAD;
	*method = NULL;
	if (!p)
		return kind;
	TSFieldId fld = me->field;
	switch (p->kind) {
	case PK_assignment:
		if (fld == f->li->field[F_left])
			kind = ACC_STORE;
		break;
	case PK_augmented_assignment:
		if (fld == f->li->field[F_left])
			kind = ACC_RMW;
		break;
	case PK_pattern_list:
	case PK_tuple_pattern:
	case PK_list_pattern:
		kind = ACC_STORE;
		break;
	case PK_delete_statement:
		kind = ACC_DEL;
		break;
	case PK_attribute:
		if (fld == f->li->field[F_object] && gp && gp->kind == PK_call &&
		    p->field == f->li->field[F_function]) {
			kind = ACC_CALL;
		} else if (fld == f->li->field[F_object]) {
			/* add_done_callback(self._tasks.discard) */
			kind = ACC_METHOD;
		}
		if (kind != ACC_LOAD)
			*method = fl_text(f, fl_child(f, p->node, F_attribute));
		break;
	case PK_subscript:
		if (fld != f->li->field[F_value] || !gp)
			break;
		if (gp->kind == PK_assignment && p->field == f->li->field[F_left])
			kind = ACC_ITEM_STORE;
		else if (gp->kind == PK_augmented_assignment &&
			 p->field == f->li->field[F_left])
			kind = ACC_ITEM_RMW;
		else if (gp->kind == PK_delete_statement)
			kind = ACC_ITEM_DEL;
		else
			kind = ACC_ITEM_LOAD;
		break;
	default:
		break;
	}
	return kind;
}

static void fill_access(struct walker *w, struct fl_access *a, TSNode n,
			const char *name, uint8_t kind, const char *method)
{
	a->node = n;
	a->name = name;
	a->method = method;
	a->func = w->cur_func;
	a->with = innermost_with(w);
	a->kind = kind;
}

/* self.x / cls.x: record how it is touched. */
static void add_access(struct walker *w, TSNode n)
{
	struct fl_file *f = w->f;
	TSNode obj = fl_child(f, n, F_object);
	if (fl_kind(f, obj) != PK_identifier ||
	    !(fl_text_eq(f, obj, "self") || fl_text_eq(f, obj, "cls")))
		return;
	TSNode attr = fl_child(f, n, F_attribute);
	if (ts_node_is_null(attr))
		return;
	const char *method;
	uint8_t kind = access_kind(w, &method);
	fill_access(w, VEC_PUSH(&f->m.accesses), n, fl_text(f, attr), kind, method);
}

/* A bare name inside a function that may be a module global: a value
 * read or changed, not a name being defined or called. */
static void add_gaccess(struct walker *w, TSNode n)
{
	struct fl_file *f = w->f;
	if (w->cur_func < 0)
		return;
	struct frame *me = &w->st.v[w->st.n - 1];
	struct frame *p = parent_frame(w, 0);
	if (!p)
		return;
	TSFieldId fld = me->field;
	uint8_t kind;
	const char *method = NULL;
	switch (p->kind) {
	case PK_global_statement:
		kind = ACC_GLOBAL;
		break;
	case PK_call:
		if (fld == f->li->field[F_function])
			return;
		kind = access_kind(w, &method);
		break;
	case PK_attribute:
		if (fld != f->li->field[F_object])
			return;
		kind = access_kind(w, &method);
		break;
	case PK_keyword_argument:
		if (fld == f->li->field[F_name])
			return;
		kind = ACC_LOAD;
		break;
	case PK_for_statement:
	case PK_for_in_clause:
		kind = fld == f->li->field[F_left] ? ACC_STORE : ACC_LOAD;
		break;
	case PK_named_expression:
		kind = fld == f->li->field[F_name] ? ACC_STORE : ACC_LOAD;
		break;
	case PK_as_pattern_target:
		kind = ACC_STORE;
		break;
	case PK_function_definition:
	case PK_class_definition:
	case PK_parameters:
	case PK_lambda_parameters:
	case PK_default_parameter:
	case PK_typed_parameter:
	case PK_typed_default_parameter:
	case PK_dotted_name:
	case PK_aliased_import:
	case PK_nonlocal_statement:
	case PK_decorator:
	case PK_type:
		return;
	default:
		kind = access_kind(w, &method);
		break;
	}
	if (fl_text_eq(f, n, "self") || fl_text_eq(f, n, "cls"))
		return;
	const char *name = fl_text(f, n);
	fill_access(w, VEC_PUSH(&f->m.gaccesses), n, name, kind, method);
}

static bool first_child_is(struct fl_file *f, TSNode n, const char *word)
{
	if (ts_node_child_count(n) == 0)
		return false;
	TSNode c = ts_node_child(n, 0);
	return !ts_node_is_named(c) && fl_text_eq(f, c, word);
}

static int new_func(struct walker *w, TSNode node, const char *name,
		    bool is_async, bool is_lambda, int cls)
{
	struct fl_file *f = w->f;
	struct fl_func *fn = VEC_PUSH(&f->m.funcs);
	int idx = (int)(f->m.funcs.n - 1);
	fn->name = name;
	fn->node = node;
	fn->start = ts_node_start_byte(node);
	fn->end = ts_node_end_byte(node);
	fn->parent = w->cur_func;
	fn->cls = cls;
	fn->is_async = is_async;
	fn->is_lambda = is_lambda;
	fn->call_begin = fn->call_end = (uint32_t)f->m.calls.n;
	const char *outer = NULL;
	if (cls >= 0)
		outer = f->m.classes.v[cls].name;
	else if (w->cur_func >= 0)
		outer = arena_printf(f->a, "%s.<locals>",
				     f->m.funcs.v[w->cur_func].qualname);
	fn->qualname = outer ? arena_printf(f->a, "%s.%s", outer, name) : name;
	w->cur_func = idx;
	push_region(w, R_FUNC, 0, idx);
	return idx;
}

/* Is the node the direct definition in a class body?  Its parent is the
 * class's block (possibly through decorated_definition). */
static int enclosing_class_of_def(struct walker *w)
{
	struct frame *p = parent_frame(w, 0);
	size_t up = 0;
	if (p && p->kind == PK_decorated_definition)
		p = parent_frame(w, ++up);
	if (!p || p->kind != PK_block)
		return -1;
	struct frame *gp = parent_frame(w, up + 1);
	if (!gp || gp->kind != PK_class_definition)
		return -1;
	return gp->aux;
}

static uint8_t py_call_use(struct walker *w, struct fl_call *c,
			   const char **assigned)
{
	struct fl_file *f = w->f;
	size_t up = 0;
	struct frame *me = &w->st.v[w->st.n - 1];
	struct frame *p = parent_frame(w, up);
	TSFieldId field = me->field;
	while (p && (p->kind == PK_parenthesized_expression ||
		     p->kind == PK_await)) {
		if (p->kind == PK_await)
			c->flags |= CALL_AWAITED;
		field = p->field;
		p = parent_frame(w, ++up);
	}
	if (!p)
		return USE_OTHER;
	switch (p->kind) {
	case PK_expression_statement:
		return USE_DISCARD;
	case PK_assignment: {
		if (field != f->li->field[F_right])
			return USE_OTHER;
		TSNode left = fl_child(f, p->node, F_left);
		unsigned lk = fl_kind(f, left);
		if (lk == PK_identifier) {
			*assigned = fl_text(f, left);
			return USE_ASSIGN;
		}
		if (lk == PK_attribute || lk == PK_subscript) {
			*assigned = fl_text(f, left);
			return USE_ASSIGN_ATTR;
		}
		return USE_OTHER;
	}
	case PK_with_item:
		return USE_WITH;
	case PK_as_pattern: {
		struct frame *gp = parent_frame(w, up + 1);
		return gp && gp->kind == PK_with_item ? USE_WITH : USE_OTHER;
	}
	case PK_argument_list:
		return USE_ARG;
	case PK_keyword_argument:
		return field == f->li->field[F_value] ? USE_ARG : USE_OTHER;
	case PK_return_statement:
		return USE_RETURN;
	case PK_if_statement:
	case PK_while_statement:
	case PK_elif_clause:
		return field == f->li->field[F_condition] ? USE_COND
							  : USE_OTHER;
	case PK_not_operator:
	case PK_comparison_operator:
	case PK_boolean_operator:
		return USE_COND;
	default:
		return USE_OTHER;
	}
}

static void add_call(struct walker *w, TSNode node)
{
	struct fl_file *f = w->f;
	struct fl_call *c = VEC_PUSH(&f->m.calls);
	c->node = node;
	c->func = w->cur_func;
	uint8_t part;
	c->try_idx = region_scan(w, &part, &c->flags);
	TSNode fn = fl_child(f, node, F_function);
	if (!ts_node_is_null(fn)) {
		c->callee = dotted_name(f, fn);
		c->method = last_component(f, fn);
	}
	c->qname = c->callee;
	const char *assigned = NULL;
	if (f->lang == LANG_PYTHON) {
		c->use = py_call_use(w, c, &assigned);
	} else {
		c->use = c_call_use(w, &assigned);
	}
	c->assigned = assigned;
}

static void add_imports(struct walker *w, TSNode node, unsigned kind)
{
	struct fl_file *f = w->f;
	const char *module = NULL;
	if (kind == PK_import_from_statement) {
		TSNode mn = fl_child(f, node, F_module_name);
		if (ts_node_is_null(mn))
			return;
		module = fl_text(f, mn);
	}
	uint32_t nc = ts_node_named_child_count(node);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(node, i);
		if (ts_node_eq(ch, fl_child(f, node, F_module_name)))
			continue;
		unsigned ck = fl_kind(f, ch);
		const char *name = NULL, *alias = NULL;
		if (ck == PK_dotted_name) {
			name = fl_text(f, ch);
			if (!module && (!strncmp(name, "unittest", 8) ||
					!strncmp(name, "pytest", 6)))
				f->is_test = true;
			if (!module) {
				/* `import a.b` binds "a" to the package a:
				 * dotted uses already read "a.b.x". */
				continue;
			}
			alias = name;
		} else if (ck == PK_aliased_import) {
			TSNode nn = fl_child(f, ch, F_name);
			TSNode an = fl_child(f, ch, F_alias);
			if (ts_node_is_null(nn) || ts_node_is_null(an))
				continue;
			name = fl_text(f, nn);
			alias = fl_text(f, an);
		} else {
			continue;
		}
		/* from unittest import mock / import pytest as pt: tests */
		const char *top = module ? module : name;
		if (!strncmp(top, "unittest", 8) || !strncmp(top, "pytest", 6))
			f->is_test = true;
		struct fl_import *im = VEC_PUSH(&f->m.imports);
		im->alias = alias;
		im->qname = module ? arena_printf(f->a, "%s.%s", module, name)
				   : name;
	}
}

static void py_enter(struct walker *w, struct frame *fr)
{
	struct fl_file *f = w->f;
	TSNode n = fr->node;
	switch (fr->kind) {
	case PK_function_definition: {
		TSNode nm = fl_child(f, n, F_name);
		const char *name = ts_node_is_null(nm) ? "<function>"
						       : fl_text(f, nm);
		int cls = enclosing_class_of_def(w);
		fr->aux = new_func(w, n, name, first_child_is(f, n, "async"),
				   false, cls);
		break;
	}
	case PK_lambda:
		fr->aux = new_func(w, n, "<lambda>", false, true, -1);
		break;
	case PK_class_definition: {
		struct fl_class *c = VEC_PUSH(&f->m.classes);
		TSNode nm = fl_child(f, n, F_name);
		const char *name = ts_node_is_null(nm) ? "<class>"
						       : fl_text(f, nm);
		int outer = enclosing_class_of_def(w);
		if (outer >= 0)
			name = arena_printf(f->a, "%s.%s",
					    f->m.classes.v[outer].name, name);
		else if (w->cur_func >= 0)
			name = arena_printf(f->a, "%s.<locals>.%s",
					    f->m.funcs.v[w->cur_func].qualname,
					    name);
		c->name = name;
		c->node = n;
		c->parent_func = w->cur_func;
		fr->aux = (int)(f->m.classes.n - 1);
		push_region(w, R_CLASS, 0, fr->aux);
		break;
	}
	case PK_try_statement: {
		struct fl_try *t = VEC_PUSH(&f->m.tries);
		int idx = (int)(f->m.tries.n - 1);
		uint8_t part;
		uint16_t flags;
		t->node = n;
		t->body = fl_child(f, n, F_body);
		t->func = w->cur_func;
		t->parent = region_scan(w, &part, &flags);
		t->parent_part = part;
		t->in_handler = flags & CALL_IN_HANDLER;
		t->in_finally = flags & CALL_IN_FINALLY;
		t->in_loop = flags & CALL_IN_LOOP;
		t->first_handler = -1;
		t->body_call_begin = t->body_call_end = (uint32_t)f->m.calls.n;
		fr->aux = idx;
		break;
	}
	case PK_block: {
		struct frame *p = parent_frame(w, 0);
		if (!p)
			break;
		if (p->kind == PK_try_statement &&
		    fr->field == f->li->field[F_body]) {
			f->m.tries.v[p->aux].body_call_begin =
				(uint32_t)f->m.calls.n;
			push_region(w, R_TRY, PART_BODY, p->aux);
			fr->aux = p->aux;
		} else if (p->kind == PK_with_statement &&
			   fr->field == f->li->field[F_body]) {
			for (size_t i = (size_t)p->aux; i < f->m.withs.n; i++)
				f->m.withs.v[i].body_call_begin =
					(uint32_t)f->m.calls.n;
			fr->aux = p->aux;
			if ((size_t)p->aux < f->m.withs.n)
				push_region(w, R_WITH, 0, p->aux);
		} else if ((p->kind == PK_for_statement ||
			    p->kind == PK_while_statement) &&
			   fr->field == f->li->field[F_body]) {
			push_region(w, R_LOOP, 0, -1);
		}
		break;
	}
	case PK_except_clause: {
		struct frame *p = parent_frame(w, 0);
		if (!p || p->kind != PK_try_statement)
			break;
		struct fl_try *t = &f->m.tries.v[p->aux];
		struct fl_handler *h = VEC_PUSH(&f->m.handlers);
		int hidx = (int)(f->m.handlers.n - 1);
		h->node = n;
		h->type = fl_child(f, n, F_value);
		TSNode al = fl_child(f, n, F_alias);
		h->alias = ts_node_is_null(al) ? NULL : fl_text(f, al);
		h->body = fl_child_of_kind(f, n, PK_block);
		h->try_idx = p->aux;
		h->next = -1;
		h->call_begin = h->call_end = (uint32_t)f->m.calls.n;
		if (t->first_handler < 0) {
			t->first_handler = hidx;
		} else {
			int last = t->first_handler;
			while (f->m.handlers.v[last].next >= 0)
				last = f->m.handlers.v[last].next;
			f->m.handlers.v[last].next = hidx;
		}
		fr->aux = hidx;
		push_region(w, R_TRY, PART_HANDLER, p->aux);
		break;
	}
	case PK_else_clause: {
		struct frame *p = parent_frame(w, 0);
		if (p && p->kind == PK_try_statement) {
			f->m.tries.v[p->aux].has_else = true;
			push_region(w, R_TRY, PART_ELSE, p->aux);
		}
		break;
	}
	case PK_finally_clause: {
		struct frame *p = parent_frame(w, 0);
		if (p && p->kind == PK_try_statement) {
			f->m.tries.v[p->aux].has_finally = true;
			push_region(w, R_TRY, PART_FINALLY, p->aux);
		}
		break;
	}
	case PK_with_statement:
		fr->aux = (int)f->m.withs.n;
		break;
	case PK_with_item: {
		struct fl_with *wi = VEC_PUSH(&f->m.withs);
		TSNode v = fl_child(f, n, F_value);
		wi->item = n;
		wi->value = v;
		if (!ts_node_is_null(v) && fl_kind(f, v) == PK_as_pattern) {
			TSNode al = fl_child(f, v, F_alias);
			if (!ts_node_is_null(al))
				wi->alias = fl_text(f, al);
			if (ts_node_named_child_count(v) > 0)
				wi->value = ts_node_named_child(v, 0);
		}
		wi->func = w->cur_func;
		wi->parent = innermost_with(w);
		struct frame *stmt = parent_frame(w, 1);
		wi->first = stmt && stmt->kind == PK_with_statement
				    ? stmt->aux
				    : (int)(f->m.withs.n - 1);
		struct frame *ws = parent_frame(w, 1);
		wi->is_async = ws && ws->kind == PK_with_statement &&
			       first_child_is(f, ws->node, "async");
		break;
	}
	case PK_call:
		add_call(w, n);
		break;
	case PK_attribute:
		add_access(w, n);
		break;
	case PK_identifier:
		add_gaccess(w, n);
		break;
	case PK_import_statement:
	case PK_import_from_statement:
		add_imports(w, n, fr->kind);
		break;
	default:
		break;
	}
}

static void py_leave(struct walker *w, struct frame *fr)
{
	struct fl_file *f = w->f;
	switch (fr->kind) {
	case PK_function_definition:
	case PK_lambda: {
		struct fl_func *fn = &f->m.funcs.v[fr->aux];
		fn->call_end = (uint32_t)f->m.calls.n;
		w->cur_func = fn->parent;
		break;
	}
	case PK_block: {
		struct frame *p = parent_frame(w, 0);
		if (!p)
			break;
		if (p->kind == PK_try_statement && fr->region)
			f->m.tries.v[p->aux].body_call_end =
				(uint32_t)f->m.calls.n;
		else if (p->kind == PK_with_statement &&
			 fr->field == f->li->field[F_body])
			for (size_t i = (size_t)p->aux; i < f->m.withs.n; i++)
				f->m.withs.v[i].body_call_end =
					(uint32_t)f->m.calls.n;
		break;
	}
	case PK_except_clause:
		if (fr->region)
			f->m.handlers.v[fr->aux].call_end =
				(uint32_t)f->m.calls.n;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Model building: C                                                   */

static uint8_t c_call_use(struct walker *w, const char **assigned)
{
	struct fl_file *f = w->f;
	size_t up = 0;
	struct frame *me = &w->st.v[w->st.n - 1];
	TSFieldId field = me->field;
	struct frame *p = parent_frame(w, up);
	while (p && p->kind == CK_parenthesized_expression) {
		struct frame *gp = parent_frame(w, up + 1);
		/* if (f()) / while (f()): the condition's parentheses */
		if (gp && (gp->kind == CK_if_statement ||
			   gp->kind == CK_while_statement ||
			   gp->kind == CK_do_statement ||
			   gp->kind == CK_switch_statement) &&
		    p->field == f->li->field[F_condition])
			return USE_COND;
		field = p->field;
		p = parent_frame(w, ++up);
	}
	if (!p)
		return USE_OTHER;
	switch (p->kind) {
	case CK_expression_statement:
		return USE_DISCARD;
	case CK_comma_expression:
		/* `a(), b();` evaluates and drops the left operand */
		return field == f->li->field[F_left] ? USE_DISCARD : USE_OTHER;
	case CK_cast_expression: {
		TSNode ty = fl_child(f, p->node, F_type);
		return fl_text_eq(f, ty, "void") ? USE_VOID_CAST : USE_OTHER;
	}
	case CK_init_declarator: {
		TSNode nm = c_declarator_name(f, fl_child(f, p->node,
							   F_declarator));
		if (!ts_node_is_null(nm))
			*assigned = fl_text(f, nm);
		return USE_DECL;
	}
	case CK_assignment_expression: {
		if (field != f->li->field[F_right])
			return USE_OTHER;
		TSNode left = fl_child(f, p->node, F_left);
		if (fl_kind(f, left) == CK_identifier) {
			*assigned = fl_text(f, left);
			return USE_ASSIGN;
		}
		*assigned = fl_text(f, left);
		return USE_ASSIGN_ATTR;
	}
	case CK_binary_expression:
	case CK_unary_expression:
		return USE_COND;
	case CK_conditional_expression:
		return field == f->li->field[F_condition] ? USE_COND
							  : USE_OTHER;
	case CK_if_statement:
	case CK_while_statement:
	case CK_do_statement:
	case CK_switch_statement:
		return field == f->li->field[F_condition] ? USE_COND
							  : USE_OTHER;
	case CK_argument_list:
		return USE_ARG;
	case CK_return_statement:
		return USE_RETURN;
	default:
		return USE_OTHER;
	}
}

/* Headers of C unit-test frameworks and test drivers: a file including one
 * is test code. */
static bool is_test_header(const char *s, size_t n)
{
	static const char *const names[] = {
		"cmocka.h",	   "check.h",	     "unity.h",	    "CUnit.h",
		"criterion.h",	   "munit.h",	     "acutest.h",   "greatest.h",
		"minunit.h",	   "tap.h",	     "test-driver.c", "test-skeleton.c",
		"gtest.h",	   "catch.hpp",	     "utest.h",	    "ctest.h",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t k = strlen(names[i]);
		if (n >= k && !memcmp(s + n - k, names[i], k) &&
		    (n == k || s[n - k - 1] == '/'))
			return true;
	}
	return false;
}

static void c_enter(struct walker *w, struct frame *fr)
{
	struct fl_file *f = w->f;
	TSNode n = fr->node;
	switch (fr->kind) {
	case CK_preproc_include: {
		TSNode path = fl_child(f, n, F_path);
		if (ts_node_is_null(path))
			break;
		uint32_t s = ts_node_start_byte(path) + 1;
		uint32_t e = ts_node_end_byte(path);
		if (e > s && e <= f->len && is_test_header(f->src + s, e - s - 1))
			f->is_test = true;
		break;
	}
	case CK_function_definition: {
		TSNode nm = c_declarator_name(f, fl_child(f, n, F_declarator));
		const char *name = ts_node_is_null(nm) ? "<function>"
						       : fl_text(f, nm);
		fr->aux = new_func(w, n, name, false, false, -1);
		break;
	}
	case CK_while_statement:
	case CK_for_statement:
	case CK_do_statement:
		push_region(w, R_LOOP, 0, -1);
		break;
	case CK_call_expression:
		add_call(w, n);
		break;
	default:
		break;
	}
}

static void c_leave(struct walker *w, struct frame *fr)
{
	struct fl_file *f = w->f;
	if (fr->kind == CK_function_definition) {
		struct fl_func *fn = &f->m.funcs.v[fr->aux];
		fn->call_end = (uint32_t)f->m.calls.n;
		w->cur_func = fn->parent;
	}
}

/* ------------------------------------------------------------------ */
/* The walk                                                            */

static void on_comment(struct walker *w, TSNode n)
{
	struct fl_file *f = w->f;
	struct fl_comment *c = VEC_PUSH(&f->m.comments);
	c->start = ts_node_start_byte(n);
	c->end = ts_node_end_byte(n);
	if (c->end > f->len)
		c->end = f->len;
	c->line = fl_line_of(f, c->start);
	uint32_t ls = f->line_start[c->line - 1];
	c->standalone = true;
	for (uint32_t i = ls; i < c->start; i++)
		if (f->src[i] != ' ' && f->src[i] != '\t') {
			c->standalone = false;
			break;
		}
	suppress_scan(f, c);
	if (f->opt->comment_hook)
		f->opt->comment_hook(f->opt->hook_ud, f->path, c->line,
				     f->src + c->start, c->end - c->start);
}

static void enter(struct walker *w)
{
	struct fl_file *f = w->f;
	struct frame *fr = &w->st.v[w->st.n - 1];
	if (fr->kind == (f->lang == LANG_PYTHON ? PK_ERROR : CK_ERROR) ||
	    ts_node_is_missing(fr->node)) {
		f->m.error_nodes++;
		if (w->error_depth == 0)
			f->m.error_bytes += ts_node_end_byte(fr->node) -
					    ts_node_start_byte(fr->node);
		w->error_depth++;
		fr->err = 1;
	}
	if (fr->kind == (f->lang == LANG_PYTHON ? PK_comment : CK_comment)) {
		on_comment(w, fr->node);
		return;
	}
	if (f->lang == LANG_PYTHON)
		py_enter(w, fr);
	else
		c_enter(w, fr);
	if (!w->hs)
		return; /* a revisit: the model only */
	const struct hooklist *hl = &w->hs->by_kind[f->lang][fr->kind];
	for (size_t i = 0; i < hl->n; i++)
		hl->v[i]->enter(f, fr->node);
}

static void leave(struct walker *w)
{
	struct frame *fr = &w->st.v[w->st.n - 1];
	if (fr->err && w->error_depth > 0)
		w->error_depth--;
	if (w->f->lang == LANG_PYTHON)
		py_leave(w, fr);
	else
		c_leave(w, fr);
	if (fr->region) {
		w->rg.n--;
		fr->region = 0;
	}
}

static void push_frame(struct walker *w, TSTreeCursor *cur)
{
	struct frame *fr = VEC_PUSH(&w->st);
	fr->node = ts_tree_cursor_current_node(cur);
	fr->kind = (uint16_t)lang_kind(w->f->li, fr->node);
	fr->field = ts_tree_cursor_current_field_id(cur);
	fr->aux = -1;
	if (w->st.n > w->f->m.max_depth)
		w->f->m.max_depth = (uint32_t)w->st.n;
}

void walk_file(struct fl_file *f, const struct fl_hookset *hs)
{
	struct walker w = {0};
	w.f = f;
	w.hs = hs;
	w.cur_func = -1;
	w.cur_class = -1;
	TSTreeCursor cur = ts_tree_cursor_new(f->root);
	push_frame(&w, &cur);
	enter(&w);
	uint32_t count = 0;
	for (;;) {
		if (++count % 4096 == 0 && now_seconds() > f->deadline) {
			f->timed_out = true;
			break;
		}
		if (ts_tree_cursor_goto_first_child(&cur)) {
			push_frame(&w, &cur);
			enter(&w);
			continue;
		}
		for (;;) {
			leave(&w);
			if (ts_tree_cursor_goto_next_sibling(&cur)) {
				w.st.n--;
				push_frame(&w, &cur);
				enter(&w);
				break;
			}
			w.st.n--;
			if (w.st.n == 0 || !ts_tree_cursor_goto_parent(&cur))
				goto done;
		}
	}
done:
	/* After a timeout, close the open frames so the model is whole. */
	while (w.st.n > 0) {
		leave(&w);
		w.st.n--;
	}
	f->m.nodes = count;
	ts_tree_cursor_delete(&cur);
	VEC_FREE(&w.st);
	VEC_FREE(&w.rg);
}
