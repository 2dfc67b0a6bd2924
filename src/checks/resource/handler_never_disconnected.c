/*
 * RES006 handler-never-disconnected (C)
 *
 * A callback registered on an event source (a GLib signal, a main-loop
 * source, a libnice receive callback) with a heap object as its data
 * outlives that object: the object is freed, the handler stays, and the
 * next emission calls back into freed memory.
 *
 * Registrations and their undo are data (regs[] below).  Two shapes are
 * reported, precision first:
 *
 * A. The id is stored in a struct field (`self->timeout_id =
 *    g_timeout_add(...)`, `priv->handler = g_signal_connect(...)`), the
 *    file has a teardown for that struct (a function named *_free,
 *    *_destroy, *_shutdown, *_finalize, *_dispose, *_unref, *_close,
 *    *_stop whose text names the struct's type), and nothing in the
 *    file ever passes that field to a call (an undo, g_clear_handle_id,
 *    a helper): the id is never given back.  A signal connected on the
 *    owner itself (`g_signal_connect(self, ..., self)`) dies with it and
 *    is not reported; one whose data is not the owner is low.
 *
 * B. The id is discarded (the registration is a statement of its own)
 *    and the data is an object of a type the file tears down:
 *    - a source whose callback (in this file) returns TRUE /
 *      G_SOURCE_CONTINUE on every return repeats forever: medium; one
 *      that also returns FALSE may stop itself: low; one that only
 *      returns FALSE is a one-shot and is not reported;
 *    - a signal on another object than the data: medium when that
 *      object is not a field of the data, low when it is (the data may
 *      hold the only reference);
 *    - nice_agent_attach_recv with no detaching call (a NULL callback)
 *      anywhere in the file: medium, low when the file removes streams.
 *    A file that disconnects by data or function
 *    (g_signal_handlers_disconnect_by_*, g_source_remove_by_user_data)
 *    is trusted to do it for every handler.
 */
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"

#include <string.h>

enum reg_kind { R_SIGNAL, R_SOURCE, R_RECV };

struct reg {
	const char *fn;
	enum reg_kind kind;
	int inst;  /* the object emitting, or -1 */
	int cb;    /* the callback, or -1 */
	int data;  /* its user data, or -1 */
};

static const struct reg regs[] = {
	{"g_signal_connect", R_SIGNAL, 0, 2, 3},
	{"g_signal_connect_after", R_SIGNAL, 0, 2, 3},
	{"g_signal_connect_swapped", R_SIGNAL, 0, 2, 3},
	{"g_signal_connect_data", R_SIGNAL, 0, 2, 3},
	{"g_timeout_add", R_SOURCE, -1, 1, 2},
	{"g_timeout_add_seconds", R_SOURCE, -1, 1, 2},
	{"g_timeout_add_full", R_SOURCE, -1, 2, 3},
	{"g_timeout_add_seconds_full", R_SOURCE, -1, 2, 3},
	{"g_idle_add", R_SOURCE, -1, 0, 1},
	{"g_idle_add_full", R_SOURCE, -1, 1, 2},
	{"g_io_add_watch", R_SOURCE, -1, 2, 3},
	{"g_io_add_watch_full", R_SOURCE, -1, 3, 4},
	{"g_source_attach", R_SOURCE, -1, -1, -1},
	{"nice_agent_attach_recv", R_RECV, 0, 4, 5},
};

/* What gives a handler back, by kind; the `by` ones do it by data or
 * function, without an id. */
struct undo {
	const char *fn;
	enum reg_kind kind;
	bool by;
};

static const struct undo undos[] = {
	{"g_signal_handler_disconnect", R_SIGNAL, false},
	{"g_clear_signal_handler", R_SIGNAL, false},
	{"g_signal_handlers_disconnect_by_func", R_SIGNAL, true},
	{"g_signal_handlers_disconnect_by_data", R_SIGNAL, true},
	{"g_signal_handlers_disconnect_matched", R_SIGNAL, true},
	{"g_signal_handlers_destroy", R_SIGNAL, true},
	{"g_source_remove", R_SOURCE, false},
	{"g_clear_handle_id", R_SOURCE, false},
	{"g_source_destroy", R_SOURCE, false},
	{"g_source_remove_by_user_data", R_SOURCE, true},
	{"g_source_remove_by_funcs_user_data", R_SOURCE, true},
};

static const char *const teardown_words[] = {
	"free", "destroy", "shutdown", "finalize", "dispose", "unref",
	"close", "stop", "cleanup", "deinit", "teardown",
};

static const struct reg *reg_of(const char *fn)
{
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		if (!strcmp(fn, regs[i].fn))
			return &regs[i];
	return NULL;
}

static TSNode arg(struct fl_file *f, TSNode call, int i)
{
	TSNode args = fl_child(f, call, F_arguments);
	uint32_t n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
	for (uint32_t k = 0; i >= 0 && k < n; k++) {
		TSNode a = ts_node_named_child(args, k);
		if (fl_kind(f, a) == CK_comment)
			continue; /* g_signal_connect(obj, "sig", // ... */
		if (i-- == 0)
			return c_plain(f, a);
	}
	return (TSNode){{0}, NULL, NULL};
}

static bool is_null(struct fl_file *f, TSNode e)
{
	return ts_node_is_null(e) || fl_kind(f, e) == CK_null ||
	       fl_text_eq(f, e, "NULL") || fl_text_eq(f, e, "0");
}

/* The type name a declaration's type node gives: `Foo` of `Foo *x`,
 * `foo` of `struct foo *x`; NULL for gpointer, void *, int. */
static const char *type_name(struct fl_file *f, TSNode ty)
{
	if (ts_node_is_null(ty))
		return NULL;
	unsigned k = fl_kind(f, ty);
	if (k == CK_struct_specifier)
		ty = fl_child(f, ty, F_name);
	else if (k != CK_type_identifier)
		return NULL;
	if (ts_node_is_null(ty))
		return NULL;
	const char *t = fl_text(f, ty);
	if (!strcmp(t, "gpointer") || !strcmp(t, "gconstpointer"))
		return NULL;
	return t;
}

struct decl_scan {
	struct fl_file *f;
	const char *type;
};

static bool decl_cb(void *ud, const TSNode *path, size_t n)
{
	struct decl_scan *s = ud;
	struct fl_file *f = s->f;
	for (size_t i = n - 1; i-- > 0;) {
		unsigned k = fl_kind(f, path[i]);
		if (k == CK_pointer_declarator || k == CK_init_declarator ||
		    k == CK_array_declarator ||
		    k == CK_parenthesized_declarator ||
		    k == CK_attributed_declarator)
			continue;
		if ((k == CK_declaration || k == CK_parameter_declaration) &&
		    !ts_node_eq(fl_child(f, path[i], F_type), path[i + 1])) {
			if (k == CK_declaration && i + 2 < n &&
			    fl_kind(f, path[i + 1]) == CK_init_declarator &&
			    !ts_node_eq(fl_child(f, path[i + 1], F_declarator),
					path[i + 2]))
				break; /* in the initial value */
			s->type = type_name(f, fl_child(f, path[i], F_type));
			return false;
		}
		break;
	}
	return true;
}

/* The type of variable `name` as function `fn` (or the file) declares
 * it, or NULL. */
static const char *var_type(struct fl_file *f, TSNode fn, const char *name)
{
	struct decl_scan s = {f, NULL};
	fl_find_names(f, fn, name, decl_cb, &s);
	if (s.type)
		return s.type;
	if (c_is_local(f, fn, name, NULL))
		return NULL;
	uint32_t n = ts_node_named_child_count(f->root);
	for (uint32_t i = 0; i < n && !s.type; i++) {
		TSNode top = ts_node_named_child(f->root, i);
		if (fl_kind(f, top) == CK_declaration)
			fl_find_names(f, top, name, decl_cb, &s);
	}
	return s.type;
}

struct kind_scan {
	struct fl_file *f;
	unsigned kind;
	const char *text;
	bool found;
};

static enum fl_visit kind_visit(void *ud, TSNode n)
{
	struct kind_scan *s = ud;
	if (fl_kind(s->f, n) == s->kind && fl_text_eq(s->f, n, s->text)) {
		s->found = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

/* Does a node of `kind` spelled `text` occur in `root`? */
static bool has_node(struct fl_file *f, TSNode root, unsigned kind,
		     const char *text)
{
	struct kind_scan s = {f, kind, text, false};
	if (!ts_node_is_null(root))
		fl_preorder(root, kind_visit, &s);
	return s.found;
}

/* A teardown of `type` in the file other than function `not`: a
 * function named like one whose text names the type; -1 when none. */
static int teardown_of(struct fl_file *f, const char *type, int not)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if ((int)i == not || !fn->name)
			continue;
		/* the last word names the teardown: not test_exit_on_close */
		const char *last = strrchr(fn->name, '_');
		last = last ? last + 1 : fn->name;
		bool word = false;
		for (size_t k = 0; k < ARRAY_SIZE(teardown_words); k++)
			word |= !strcmp(last, teardown_words[k]);
		if (!word || !strncmp(fn->name, "test", 4))
			continue;
		/* the struct is its parameter; a GObject dispose/finalize
		 * casts its GObject * to it */
		TSNode decl = fl_child(f, fn->node, F_declarator);
		TSNode params = ts_node_is_null(decl)
					? decl
					: fl_child(f, decl, F_parameters);
		bool gobj = !strcmp(last, "finalize") || !strcmp(last, "dispose");
		if (has_node(f, params, CK_type_identifier, type) ||
		    (gobj && has_node(f, fn->node, CK_type_identifier, type)))
			return (int)i;
	}
	return -1;
}

static const struct undo *undo_of(const char *fn)
{
	for (size_t i = 0; i < ARRAY_SIZE(undos); i++)
		if (!strcmp(fn, undos[i].fn))
			return &undos[i];
	return NULL;
}

/* Does the file undo handlers of `kind` by data or function anywhere? */
static bool undoes_by(struct fl_file *f, enum reg_kind kind)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const char *fn = f->m.calls.v[i].callee;
		const struct undo *u = fn ? undo_of(fn) : NULL;
		if (u && u->by && u->kind == kind)
			return true;
	}
	return false;
}

/* Does some call other than a registration take field `field` among its
 * arguments (`g_source_remove(self->id)`, `g_clear_handle_id(&p->id,
 * ...)`, `drop_watch(self->watch)`)? */
struct field_scan {
	struct fl_file *f;
	const char *field, *type;
	TSNode fn;
	bool found;
};

static enum fl_visit field_visit(void *ud, TSNode n)
{
	struct field_scan *s = ud;
	struct fl_file *f = s->f;
	if (fl_kind(f, n) != CK_field_expression)
		return FL_DESCEND;
	if (!fl_text_eq(f, fl_child(f, n, F_field), s->field))
		return FL_DESCEND;
	/* l->state_handler of another struct is not this one */
	TSNode b = c_base_var(f, n);
	const char *t = ts_node_is_null(b) || ts_node_is_null(s->fn)
				? NULL
				: var_type(f, s->fn, fl_text(f, b));
	if (t && strcmp(t, s->type))
		return FL_DESCEND;
	s->found = true;
	return FL_STOP;
}

static bool field_given_back(struct fl_file *f, const char *field,
			     const char *type)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->callee || reg_of(c->callee))
			continue;
		TSNode args = fl_child(f, c->node, F_arguments);
		if (!has_node(f, args, CK_field_identifier, field))
			continue;
		struct field_scan sc = {
			f, field, type,
			c->func >= 0 ? f->m.funcs.v[c->func].node
				     : (TSNode){{0}, NULL, NULL},
			false};
		fl_preorder(args, field_visit, &sc);
		if (sc.found)
			return true;
	}
	return false;
}

/* How a source callback defined in this file ends: bit 0 it may keep
 * the source (returns TRUE, G_SOURCE_CONTINUE, non-zero), bit 1 it may
 * remove it; 0 when it is not here. */
enum { RET_KEEP = 1, RET_REMOVE = 2, RET_OTHER = 4 };

struct ret_scan {
	struct fl_file *f;
	unsigned bits;
};

static enum fl_visit ret_visit(void *ud, TSNode n)
{
	struct ret_scan *s = ud;
	struct fl_file *f = s->f;
	if (fl_kind(f, n) != CK_return_statement)
		return FL_DESCEND;
	TSNode v = ts_node_named_child_count(n)
			   ? c_plain(f, ts_node_named_child(n, 0))
			   : (TSNode){{0}, NULL, NULL};
	if (ts_node_is_null(v))
		s->bits |= RET_OTHER;
	else if (fl_kind(f, v) == CK_false || fl_text_eq(f, v, "FALSE") ||
		 fl_text_eq(f, v, "G_SOURCE_REMOVE") || fl_text_eq(f, v, "0"))
		s->bits |= RET_REMOVE;
	else if (fl_kind(f, v) == CK_true || fl_text_eq(f, v, "TRUE") ||
		 fl_text_eq(f, v, "G_SOURCE_CONTINUE") || fl_text_eq(f, v, "1"))
		s->bits |= RET_KEEP;
	else
		s->bits |= RET_OTHER; /* a computed result: either */
	return FL_SKIP;
}

static int func_named(struct fl_file *f, const char *name)
{
	for (size_t i = 0; i < f->m.funcs.n; i++)
		if (f->m.funcs.v[i].name && !strcmp(f->m.funcs.v[i].name, name))
			return (int)i;
	return -1;
}

static unsigned callback_returns(struct fl_file *f, TSNode cb)
{
	if (ts_node_is_null(cb) || fl_kind(f, cb) != CK_identifier)
		return 0;
	int i = func_named(f, fl_text(f, cb));
	if (i < 0)
		return 0;
	struct ret_scan s = {f, 0};
	fl_preorder(fl_child(f, f->m.funcs.v[i].node, F_body), ret_visit, &s);
	return s.bits;
}

static const char *what(const struct reg *r)
{
	switch (r->kind) {
	case R_SIGNAL: return "signal handler";
	case R_SOURCE: return "main-loop source";
	default: return "receive callback";
	}
}

static const char *undo_hint(const struct reg *r)
{
	switch (r->kind) {
	case R_SIGNAL: return "g_clear_signal_handler()";
	case R_SOURCE: return "g_clear_handle_id(..., g_source_remove)";
	default: return "nice_agent_attach_recv(..., NULL, NULL)";
	}
}

/* Case A: the id is kept in a field that is never given back. */
static void check_stored(struct fl_file *f, const struct fl_call *c,
			 const struct reg *r, TSNode lhs)
{
	if (fl_kind(f, lhs) != CK_field_expression)
		return;
	TSNode fld = fl_child(f, lhs, F_field);
	TSNode base = c_base_var(f, lhs);
	if (ts_node_is_null(fld) || ts_node_is_null(base))
		return;
	const char *field = fl_text(f, fld), *owner = fl_text(f, base);
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	const char *type = var_type(f, fn->node, owner);
	if (!type)
		return;
	TSNode inst = arg(f, c->node, r->inst);
	TSNode data = arg(f, c->node, r->data);
	if (r->kind == R_SIGNAL && !ts_node_is_null(inst) &&
	    fl_kind(f, inst) == CK_identifier && fl_text_eq(f, inst, owner))
		return; /* connected on the owner: dies with it */
	int td = teardown_of(f, type, c->func);
	if (td < 0 || field_given_back(f, field, type) || undoes_by(f, r->kind))
		return;
	if (r->kind == R_SOURCE && r->inst < 0 && r->cb < 0) {
		/* g_source_attach: the source itself may be destroyed */
		TSNode src = c_base_var(f, arg(f, c->node, 0));
		if (ts_node_is_null(src) ||
		    fl_kind(f, arg(f, c->node, 0)) == CK_field_expression)
			return;
	}
	TSNode db = ts_node_is_null(data) ? data : c_base_var(f, data);
	bool data_is_owner = !ts_node_is_null(db) && fl_text_eq(f, db, owner);
	enum fl_confidence conf = data_is_owner ? CONF_MEDIUM : CONF_LOW;
	if (f->is_test)
		conf = CONF_LOW;
	const struct fl_func *tf = &f->m.funcs.v[td];
	struct fl_finding *fd = fl_report(
		f, &check_handler_never_disconnected, c->node, conf,
		"the %s id from '%s' is kept in '%s' but never given back: "
		"'%s' tears the %s down without removing it, so the callback "
		"can run on freed memory",
		what(r), c->callee, py_one_line(f, lhs), tf->name, type);
	fl_trace(f, fd, c->node, "'%s' registers a callback; its id goes "
				 "to '%s'", c->callee, py_one_line(f, lhs));
	fl_trace(f, fd, tf->node, "'%s' frees the %s and never passes '%s' "
				  "to a disconnect or remove",
		 tf->name, type, field);
	fl_set_hint(fd, "remove it in '%s' before the object goes: %s",
		    tf->name, undo_hint(r));
}

struct own_scan {
	struct fl_file *f;
	const char *data, *inst;
	bool found;
};

static enum fl_visit own_visit(void *ud, TSNode n)
{
	struct own_scan *s = ud;
	struct fl_file *f = s->f;
	if (fl_kind(f, n) != CK_assignment_expression)
		return FL_DESCEND;
	TSNode l = fl_child(f, n, F_left), r = fl_child(f, n, F_right);
	TSNode b = c_base_var(f, l);
	if (fl_kind(f, l) == CK_field_expression && !ts_node_is_null(b) &&
	    fl_text_eq(f, b, s->data) &&
	    has_node(f, r, CK_identifier, s->inst)) {
		s->found = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

/* Does function `fn` keep object `inst` in a field of `data`
 * (`nm->priv->proxy = proxy`, `s->agent = g_object_ref(agent)`)?  Then
 * the data owns the emitter, and may hold its only reference. */
static bool owned_by(struct fl_file *f, TSNode fn, const char *data,
		     TSNode inst)
{
	if (fl_kind(f, inst) != CK_identifier)
		return false;
	struct own_scan s = {f, data, fl_text(f, inst), false};
	fl_preorder(fn, own_visit, &s);
	return s.found;
}

/* Does a function that names `type` detach libnice receive callbacks
 * (a NULL callback) or remove the streams that carry them? */
static int recv_detached(struct fl_file *f, const char *type, int td)
{
	int found = 0;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->callee || c->func < 0)
			continue;
		bool detach = !strcmp(c->callee, "nice_agent_attach_recv") &&
			      is_null(f, arg(f, c->node, 4));
		bool remove = !strcmp(c->callee, "nice_agent_remove_stream");
		if (!detach && !remove)
			continue;
		/* a NULL callback for this type anywhere: a state machine
		 * (gstnicesrc's change_state) that detaches on its way down */
		if (c->func == td || (detach && has_node(f,
				f->m.funcs.v[c->func].node, CK_type_identifier,
				type)))
			return 2;
		if (has_node(f, f->m.funcs.v[c->func].node,
			     CK_type_identifier, type))
			found = 1;
	}
	return found;
}

/* Case B: the id is dropped; the data is an object the file frees. */
static void check_dropped(struct fl_file *f, const struct fl_call *c,
			  const struct reg *r)
{
	TSNode data = arg(f, c->node, r->data);
	if (ts_node_is_null(data) || is_null(f, data) ||
	    fl_kind(f, data) != CK_identifier)
		return;
	const char *dname = fl_text(f, data);
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	const char *type = var_type(f, fn->node, dname);
	if (!type)
		return;
	int td = teardown_of(f, type, c->func);
	if (td < 0 || undoes_by(f, r->kind))
		return;
	enum fl_confidence conf = CONF_MEDIUM;
	const char *why;
	TSNode inst = arg(f, c->node, r->inst);
	if (r->kind == R_SIGNAL) {
		if (ts_node_is_null(inst))
			return;
		TSNode ib = c_base_var(f, inst);
		if (!ts_node_is_null(ib) && fl_text_eq(f, ib, dname)) {
			if (fl_kind(f, inst) == CK_identifier)
				return; /* on the data itself */
			conf = CONF_LOW; /* a child the data may own */
		}
		if (fl_kind(f, inst) == CK_call_expression)
			return;
		if (owned_by(f, fn->node, dname, inst))
			conf = CONF_LOW;
		why = "the id is dropped, so it cannot be disconnected when "
		      "the data is freed";
	} else if (r->kind == R_SOURCE) {
		unsigned rb = callback_returns(f, arg(f, c->node, r->cb));
		if (rb == RET_REMOVE)
			return; /* a one-shot */
		if (rb != RET_KEEP)
			conf = CONF_LOW; /* may stop itself */
		why = rb == RET_KEEP
			      ? "the callback always asks to run again and the "
				"id is dropped, so nothing can remove it"
			      : "the id is dropped, so it cannot be removed "
				"when the data is freed";
	} else {
		if (is_null(f, arg(f, c->node, r->cb)))
			return;
		int det = recv_detached(f, type, td);
		if (det == 2)
			return;
		if (det)
			conf = CONF_LOW;
		why = "nothing in this file attaches a NULL callback to detach "
		      "it";
	}
	if (f->is_test)
		conf = CONF_LOW;
	const struct fl_func *tf = &f->m.funcs.v[td];
	struct fl_finding *fd = fl_report(
		f, &check_handler_never_disconnected, c->node, conf,
		"%s '%s' gets '%s' as its data, which '%s' frees, but %s",
		what(r), c->callee, dname, tf->name, why);
	fl_trace(f, fd, c->node, "'%s' registers a callback with '%s'",
		 c->callee, dname);
	fl_trace(f, fd, tf->node, "'%s' tears the %s down while the callback "
				  "may still be registered", tf->name, type);
	fl_set_hint(fd, "keep the id in '%s' and remove it in '%s': %s",
		    dname, tf->name, undo_hint(r));
}

static void check(struct fl_file *f)
{
	if (f->lang != LANG_C)
		return;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		const struct reg *r = reg_of(c->callee);
		if (!r)
			continue;
		/* nice_agent_attach_recv returns a success flag, no id */
		if (r->kind == R_RECV || c->use == USE_DISCARD ||
		    c->use == USE_VOID_CAST) {
			if (r->data >= 0)
				check_dropped(f, c, r);
			continue;
		}
		TSNode lhs = c_stored_in(f, c->node, NULL);
		if (!ts_node_is_null(lhs))
			check_stored(f, c, r, lhs);
	}
}

const struct fl_check check_handler_never_disconnected = {
	.code = "RES006",
	.name = "handler-never-disconnected",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_C),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-416,CWE-772",
	.summary = "A signal handler, main-loop source or receive callback "
		   "is registered with an object as its data and never "
		   "disconnected before that object is freed, so it can "
		   "call back into freed memory.",
	.fix_hint = "keep the handler id and disconnect or remove it in the "
		    "object's teardown",
	.file_end = check,
};
