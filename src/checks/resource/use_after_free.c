/*
 * RES004 use-after-free (C)
 *
 * Heuristic: after `free(p)` (or `g_free`, a library's `xxx_free`, a
 * project's `foo_free(foo)`, `xxx_unref` -- of a local, a parameter, or a
 * field chain over one such as `ctx->buf`), the function's control-flow
 * graph has a path to a statement that dereferences it (`p->next`, `*p`,
 * `p[i]`), passes it to a call, or frees it again, with no assignment to
 * it (or to what it hangs from) in between.  `for (p = head; p; p =
 * p->next) free(p);` is the classic: the update reads the block just
 * freed.
 *
 * Not uses: comparisons and tests (`if (p)`, `p == NULL`), returning it,
 * copying it, `sizeof`, the arguments of an ALL-CAPS macro.  Dropped:
 * paths that go round a loop (except a for loop's update), a free and a
 * use under tests of the same variable (`if (owned) free(p); ... if
 * (!owned) use(p)`), a check that returns when the free's own test held
 * (`g_return_val_if_fail`), frees whose argument is not what they free
 * (`sqlite3DbFree(db, p)`, `discovery_free(agent)`), globals (the call
 * may move a list head).
 *
 * Confidence: high after free, g_free and library frees; low after a
 * project's own foo_free(foo), after xxx_unref (another reference may
 * keep the object alive), when the free sits under a test the use is
 * outside of, and in tests.
 */
#include "../../core/cfg.h"
#include "../../lang/c/scope.h"
#include "../../lang/python/api.h"

#include <string.h>

enum uaf_ev { U_NONE = 0, U_USE, U_REFREE, U_SET };

/* free(p), g_free(p), xfree(p), buf_free(p), obj_unref(p)...: how sure a
 * call of this name releases its first argument (0: it does not). */
static enum fl_confidence free_like(const char *name)
{
	if (!strcmp(name, "free") || !strcmp(name, "g_free") ||
	    !strcmp(name, "xfree") || !strcmp(name, "cfree") ||
	    !strcmp(name, "sqlite3_free"))
		return CONF_HIGH;
	/* through a pointer (ops->free) the meaning is not known */
	if (strchr(name, '.') || strchr(name, '>'))
		return 0;
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	if (n < 2)
		return 0;
	/* g_io_channel_set_close_on_unref() sets, it does not free; a
	 * *_destroy often only detaches (g_source_destroy) */
	static const char *const not_verbs[] = {"set", "get", "on", "is",
						"has", "should", "can"};
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(not_verbs); k++)
			if (!strcmp(w[i], not_verbs[k]))
				return 0;
	if (!strcmp(w[n - 1], "free"))
		return CONF_HIGH;
	/* another reference may keep the object alive */
	if (!strcmp(w[n - 1], "unref"))
		return CONF_LOW;
	return 0;
}

/* Does `fn` free its argument `arg` itself, and not something hanging
 * from it?  discovery_free(agent) frees the agent's discoveries;
 * close_data_free(close_data) and g_list_free(l) free the argument:
 * a library's own family (g_, sqlite3_...) surely does; a project's own
 * foo_free(foo) may free only what hangs from it, or unlink it from a
 * list and change the variable (Dovecot's mail_domain_free(head)): low;
 * a name that shares no word with the argument's: not judged. */
static enum fl_confidence frees_argument(const char *fn, const char *arg)
{
	static const char *const libs[] = {"g_", "sqlite3_", "BN_", "EVP_",
					   "SSL_", "X509_", "RSA_", "EC_",
					   "BIO_", "xml", "json_", "curl_"};
	for (size_t i = 0; i < ARRAY_SIZE(libs); i++)
		if (!strncmp(fn, libs[i], strlen(libs[i])))
			return CONF_HIGH;
	if (!strcmp(fn, "free") || !strcmp(fn, "xfree") || !strcmp(fn, "cfree"))
		return CONF_HIGH;
	const char *last = arg;
	for (const char *q = arg; *q; q++)
		if (*q == '.' || *q == '>')
			last = q + 1;
	char fw[8][24], aw[8][24];
	size_t nf = py_name_words(fn, fw, 8), na = py_name_words(last, aw, 8);
	for (size_t i = 0; i + 1 < nf; i++)
		for (size_t k = 0; k < na; k++)
			if (strlen(fw[i]) > 1 && !strcmp(fw[i], aw[k]))
				return CONF_LOW;
	return 0;
}

/* The freed expression, without casts and parentheses: an identifier or
 * a chain of fields over one (`ctx->buf`, `s.data`), else null. */
static TSNode freed_expr(struct fl_file *f, TSNode e)
{
	e = c_plain(f, e);
	TSNode x = e;
	for (int i = 0; i < 8 && !ts_node_is_null(x); i++) {
		unsigned k = fl_kind(f, x);
		if (k == CK_identifier)
			return e;
		if (k != CK_field_expression)
			break;
		x = fl_child(f, x, F_argument);
	}
	return (TSNode){{0}, NULL, NULL};
}

struct uaf {
	struct fl_file *f;
	const struct cfg *g;
	const char *key;       /* "p", "ctx->buf" */
	const char *base;      /* "p", "ctx" */
	const char *parent;    /* "ctx" for "ctx->buf", NULL for "p" */
	TSNode free_call;
	enum uaf_ev ev;        /* scan result */
	TSNode at;             /* the use found */
};

static bool same_text(struct fl_file *f, TSNode n, const char *text)
{
	return fl_text_eq(f, n, text);
}

/* Is n's text a leading part of the chain `key` ("a" or "a->b" of
 * "a->b.c")? */
static bool prefix_of(struct fl_file *f, TSNode n, const char *key)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t len = e - s, kl = strlen(key);
	if (len >= kl || memcmp(f->src + s, key, len))
		return false;
	return key[len] == '.' || (key[len] == '-' && key[len + 1] == '>');
}

/* What the occurrence n of the key (or of its base) does. */
static enum uaf_ev occurrence(struct uaf *u, TSNode n, bool is_key)
{
	struct fl_file *f = u->f;
	TSNode at = n, p = ts_node_parent(n);
	while (!ts_node_is_null(p) &&
	       (fl_kind(f, p) == CK_parenthesized_expression ||
		fl_kind(f, p) == CK_cast_expression)) {
		at = p;
		p = ts_node_parent(p);
	}
	unsigned pk = fl_kind(f, p);
	if (pk == CK_assignment_expression &&
	    ts_node_eq(fl_child(f, p, F_left), at))
		return U_SET;
	/* `char *line = ...;` in a loop body: a new variable each time */
	if (pk == CK_init_declarator || pk == CK_pointer_declarator ||
	    pk == CK_declaration || pk == CK_array_declarator)
		return U_SET;
	if (pk == CK_pointer_expression &&
	    f->src[ts_node_start_byte(p)] == '&')
		return U_SET; /* g_clear_pointer(&p, g_free), init(&p) */
	if (pk == CK_update_expression && !is_key)
		return U_SET; /* ptr++ moves to the next element */
	if (!is_key)
		return U_NONE;
	if (pk == CK_field_expression && ts_node_eq(fl_child(f, p, F_argument), at))
		return U_USE;
	if (pk == CK_subscript_expression &&
	    ts_node_eq(fl_child(f, p, F_argument), at))
		return U_USE;
	if (pk == CK_pointer_expression) /* *p */
		return U_USE;
	if (pk == CK_argument_list) {
		TSNode call = ts_node_parent(p);
		const char *fn = c_callee(f, call);
		/* TRACE(..., (void *)mem): a macro that shows the value */
		bool upper = fn != NULL;
		for (const char *q = fn; q && *q && upper; q++)
			upper = !(*q >= 'a' && *q <= 'z');
		if (upper)
			return U_NONE;
		if (fn && free_like(fn) &&
		    ts_node_eq(ts_node_named_child(p, 0), at))
			return U_REFREE;
		if (fn && !strcmp(fn, "sizeof"))
			return U_NONE;
		return U_USE;
	}
	return U_NONE;
}

static enum fl_visit scan_visit(void *ud, TSNode n)
{
	struct uaf *u = ud;
	struct fl_file *f = u->f;
	unsigned k = fl_kind(f, n);
	if (k == CK_sizeof_expression)
		return FL_SKIP;
	/* `value.v_symbol = key->value` after freeing `value.v_identifier`:
	 * another member of the same struct or union is stored */
	if (k == CK_assignment_expression && u->ev == U_NONE) {
		TSNode l = fl_child(f, n, F_left);
		if (fl_kind(f, l) == CK_field_expression &&
		    !fl_text_eq(f, l, u->key) &&
		    prefix_of(f, fl_child(f, l, F_argument), u->key) &&
		    fl_text_eq(f, fl_child(f, l, F_argument),
			       u->parent ? u->parent : ""))
			u->ev = U_SET;
	}
	if (k != CK_identifier && k != CK_field_expression)
		return FL_DESCEND;
	bool key = same_text(f, n, u->key);
	/* the variable it hangs from, or a field on the way: `pApply`,
	 * `pApply->constraints` for `pApply->constraints.aBuf` */
	bool base = !key && prefix_of(f, n, u->key);
	if (!key && !base)
		return FL_DESCEND;
	enum uaf_ev ev = occurrence(u, n, key);
	/* a use comes first in `p = p->next`: it reads before it stores */
	if (ev == U_USE || ev == U_REFREE) {
		u->ev = ev;
		u->at = n;
		return FL_STOP;
	}
	if (ev == U_SET && u->ev == U_NONE)
		u->ev = U_SET;
	return key ? FL_SKIP : FL_DESCEND;
}

static enum uaf_ev node_event(struct uaf *u, int n)
{
	TSNode code = cfg_node_code(u->g, n);
	u->ev = U_NONE;
	if (!ts_node_is_null(code))
		fl_preorder(code, scan_visit, u);
	return u->ev;
}

static uint8_t transfer(void *ud, const struct cfg *g, int n, uint8_t st,
			bool exc)
{
	struct uaf *u = ud;
	(void)g;
	(void)exc;
	if (st == 0)
		return 1; /* the free node: freed from here on */
	return node_event(u, n) == U_SET ? PS_STOP : st;
}

static bool bad(void *ud, const struct cfg *g, int n, uint8_t st)
{
	struct uaf *u = ud;
	(void)g;
	if (st != 1)
		return false;
	enum uaf_ev ev = node_event(u, n);
	return ev == U_USE || ev == U_REFREE;
}

/* The identifiers a test reads. */
struct idents {
	struct fl_file *f;
	const char *v[16];
	size_t n;
};

static enum fl_visit ident_visit(void *ud, TSNode n)
{
	struct idents *id = ud;
	if (fl_kind(id->f, n) == CK_identifier && id->n < 16)
		id->v[id->n++] = fl_text(id->f, n);
	return FL_DESCEND;
}

/* `if (owned) free(p); ... if (!owned) use(p)`: the free and the use sit
 * under tests that read a variable in common. */
static bool correlated(struct fl_file *f, TSNode freed, TSNode use)
{
	TSNode fg = c_enclosing(f, freed, false);
	if (ts_node_is_null(fg) || c_within(fg, use))
		return false;
	struct idents a = {f, {0}, 0};
	fl_preorder(fl_child(f, fg, F_condition), ident_visit, &a);
	for (TSNode ug = c_enclosing(f, use, false); !ts_node_is_null(ug);
	     ug = c_enclosing(f, ug, false)) {
		struct idents b = {f, {0}, 0};
		fl_preorder(fl_child(f, ug, F_condition), ident_visit, &b);
		for (size_t i = 0; i < a.n; i++)
			for (size_t j = 0; j < b.n; j++)
				if (!strcmp(a.v[i], b.v[j]))
					return true;
	}
	return false;
}

/* `if (!ok) g_free(x); g_return_val_if_fail(ok, NULL); use(x)`: a check
 * on the path that returns when the free's own test held. */
static bool guarded_by_check(struct fl_file *f, const struct cfg *g,
			     TSNode freed, const struct path_step *path,
			     size_t len)
{
	TSNode fg = c_enclosing(f, freed, false);
	if (ts_node_is_null(fg))
		return false;
	struct idents a = {f, {0}, 0};
	fl_preorder(fl_child(f, fg, F_condition), ident_visit, &a);
	for (size_t i = 1; i < len; i++) {
		TSNode s = g->nodes.v[path[i].node].node;
		if (fl_kind(f, s) != CK_expression_statement)
			continue;
		TSNode call = ts_node_named_child(s, 0);
		const char *fn = fl_kind(f, call) == CK_call_expression
					 ? c_callee(f, call)
					 : NULL;
		if (!fn || (strcmp(fn, "g_return_if_fail") &&
			    strcmp(fn, "g_return_val_if_fail") &&
			    strcmp(fn, "assert") && strcmp(fn, "g_assert")))
			continue;
		struct idents b = {f, {0}, 0};
		fl_preorder(fl_child(f, call, F_arguments), ident_visit, &b);
		for (size_t x = 0; x < a.n; x++)
			for (size_t y = 0; y < b.n; y++)
				if (!strcmp(a.v[x], b.v[y]))
					return true;
	}
	return false;
}

static void check_free(struct fl_file *f, const struct fl_call *c,
		       enum fl_confidence conf)
{
	/* free(p), and g_string_free(s, FALSE)-style (x, flag) calls;
	 * sqlite3DbFree(db, p), channel_free(ssh, c): which argument is
	 * freed is not known, so not judged */
	TSNode args = fl_child(f, c->node, F_arguments);
	uint32_t na = ts_node_named_child_count(args);
	if (na == 2) {
		TSNode flag = ts_node_named_child(args, 1);
		if (fl_kind(f, flag) != CK_true && fl_kind(f, flag) != CK_false &&
		    !fl_text_eq(f, flag, "TRUE") && !fl_text_eq(f, flag, "FALSE"))
			return;
	} else if (na != 1) {
		return;
	}
	TSNode e = freed_expr(f, ts_node_named_child(args, 0));
	if (ts_node_is_null(e))
		return;
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	TSNode base = c_base_var(f, e);
	if (ts_node_is_null(base))
		return;
	enum fl_confidence how = frees_argument(c->callee, fl_text(f, e));
	if (!how)
		return;
	if (how < conf)
		conf = how;
	/* a global can be changed by the call itself (a list head) */
	const struct fl_func *fn0 = &f->m.funcs.v[c->func];
	if (!c_is_local(f, fn0->node, fl_text(f, base), NULL))
		return;
	struct uaf u = {f, g, fl_text(f, e), fl_text(f, base),
			fl_kind(f, e) == CK_field_expression
				? fl_text(f, fl_child(f, e, F_argument))
				: NULL,
			c->node, U_NONE, {{0}, NULL, NULL}};
	struct path_rule r = {transfer, bad, &u, NULL};
	struct path_step path[64];
	size_t len = paths_find(g, start, 0, &r, false, path, ARRAY_SIZE(path));
	if (len < 2)
		return;
	int last = path[len - 1].node;
	enum uaf_ev ev = node_event(&u, last);
	TSNode use = u.at;
	if (ts_node_is_null(use) || correlated(f, c->node, use) ||
	    guarded_by_check(f, g, c->node, path, len))
		return;
	/* a path that goes round a loop (through code before the free, or
	 * back to the free itself) depends on what the iteration left
	 * behind; only a for loop's own update (`p = p->next`) is judged */
	bool round = false;
	for (size_t i = 1; i < len && !round; i++) {
		TSNode s0 = g->nodes.v[path[i].node].node;
		round = path[i].node == start ||
			(!ts_node_is_null(s0) &&
			 ts_node_start_byte(s0) < ts_node_start_byte(c->node));
	}
	if (round) {
		TSNode lp = c_enclosing(f, c->node, true);
		if (ts_node_is_null(lp) || fl_kind(f, lp) != CK_for_statement ||
		    !c_within(fl_child(f, lp, F_update), use))
			return;
	}
	/* `if (dataset_malloced) free(dataset);` falling through to a use:
	 * a forgotten return, or a test that agrees with what follows */
	TSNode fguard = c_enclosing(f, c->node, false);
	if (!ts_node_is_null(fguard) && !c_within(fguard, use))
		conf = CONF_LOW;
	/* freed in a loop, used after it: which iteration ran last, and
	 * what it left in the variable, is beyond the graph */
	TSNode loop = c_enclosing(f, c->node, true);
	if (!ts_node_is_null(loop) && !c_within(loop, use))
		return;
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd;
	if (ev == U_REFREE)
		fd = fl_report(f, &check_use_after_free, use, conf,
			       "'%s' is freed again here, after '%s' freed it at "
			       "line %u: a double free corrupts the heap",
			       u.key, c->callee,
			       fl_line_of(f, ts_node_start_byte(c->node)));
	else
		fd = fl_report(f, &check_use_after_free, use, conf,
			       "'%s' is used here after '%s' freed it at line "
			       "%u: '%s' reads memory that may already belong "
			       "to something else",
			       u.key, c->callee,
			       fl_line_of(f, ts_node_start_byte(c->node)),
			       py_one_line(f, ts_node_parent(use)));
	fl_trace(f, fd, c->node, "'%s' frees '%s'", c->callee, u.key);
	c_trace_path(f, fd, g, path, len, NULL);
	fl_trace(f, fd, use, "'%s' %s '%s' with nothing assigned to it since",
		 fn->name, ev == U_REFREE ? "frees" : "uses", u.key);
	fl_set_hint(fd, "set '%s' to NULL after freeing it, or move the free "
			"after its last use",
		    u.key);
}

static void check(struct fl_file *f)
{
	if (f->lang != LANG_C)
		return;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee || c->use != USE_DISCARD)
			continue;
		enum fl_confidence conf = free_like(c->callee);
		if (conf)
			check_free(f, c, conf);
	}
}

const struct fl_check check_use_after_free = {
	.code = "RES004",
	.name = "use-after-free",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-416,CWE-415",
	.summary = "A pointer is dereferenced, passed on or freed again after "
		   "it was freed on the same path.",
	.fix_hint = "set the pointer to NULL after freeing it, or free it "
		    "after its last use",
	.file_end = check,
};
