/*
 * CON009 check-then-act-across-await (Python)
 *
 * Heuristic: in a coroutine, an `if` tests shared state -- membership
 * (`k in self.sessions`, `k not in self.cache`) or presence (`self.conn is
 * None`, `if self.worker:`) of an attribute of self/cls or of a module
 * global -- and inside the branch where the test holds, after an `await`,
 * the code acts on that state as if the test still held: reads or deletes
 * the entry (`self.sessions[k]`, `del ...`, `.pop(k)`), uses the attribute
 * (`self.worker.reserve()`), or, after an absence test, stores it.  The
 * await lets every other task run; by the time the act happens the entry
 * may be gone or already created (the job system audit's reserve-after-
 * select race).
 *
 * Confidence: high when a presence test is followed by a read, delete or
 * method call (KeyError, AttributeError, acting on a stale object); medium
 * when an absence test is followed by a store (duplicate work or a lost
 * update).
 *
 * Not reported: the same code with no await between test and act (one
 * event loop runs it atomically -- two of the seed audits called such code
 * racy, wrongly); tests and acts inside `async with <lock>:`; local
 * variables.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

enum test_kind { T_NONE, T_PRESENT, T_ABSENT };

struct act_search {
	struct fl_file *f;
	const char *subject;   /* "self.sessions" */
	enum test_kind kind;
	TSNode await;          /* the first await passed */
	TSNode act;            /* the act found */
	const char *what;      /* how the act relies on the test */
};

/* Shared state: an attribute of self/cls, or a subscript of one. */
static bool shared(struct fl_file *f, TSNode n)
{
	unsigned k = fl_kind(f, n);
	if (k != PK_attribute)
		return false;
	const char *t = fl_text(f, n);
	return !strncmp(t, "self.", 5) || !strncmp(t, "cls.", 4);
}

/* Decide what the test checks; returns the subject text or NULL. */
static const char *classify_test(struct fl_file *f, TSNode c,
				 enum test_kind *kind)
{
	c = fl_unparen(f, c);
	bool neg = false;
	if (fl_kind(f, c) == PK_not_operator) {
		neg = true;
		c = fl_unparen(f, fl_child(f, c, F_argument));
	}
	if (fl_kind(f, c) == PK_attribute && shared(f, c)) {
		*kind = neg ? T_ABSENT : T_PRESENT;
		return fl_text(f, c);
	}
	if (fl_kind(f, c) != PK_comparison_operator ||
	    ts_node_named_child_count(c) != 2)
		return NULL;
	TSNode a = ts_node_named_child(c, 0), b = ts_node_named_child(c, 1);
	uint32_t os = ts_node_end_byte(a), oe = ts_node_start_byte(b);
	const char *op = f->src + os;
	size_t ol = oe - os;
	bool has_not = false, has_in = false, has_is = false;
	for (size_t i = 0; i + 1 < ol; i++) {
		if (!memcmp(op + i, "in", 2) &&
		    (i + 2 == ol || op[i + 2] == ' '))
			has_in = true;
		if (!memcmp(op + i, "is", 2))
			has_is = true;
		if (i + 3 <= ol && !memcmp(op + i, "not", 3))
			has_not = true;
	}
	if (has_in && shared(f, b)) {
		*kind = (has_not != neg) ? T_ABSENT : T_PRESENT;
		return fl_text(f, b);
	}
	if (has_is && fl_kind(f, b) == PK_none && shared(f, a)) {
		*kind = (has_not != neg) ? T_PRESENT : T_ABSENT;
		return fl_text(f, a);
	}
	return NULL;
}

/* Does node n act on the subject in a way that relies on the test?
 * store: n is the target of an assignment or del. */
static const char *acts(struct act_search *s, TSNode n, bool store)
{
	struct fl_file *f = s->f;
	unsigned k = fl_kind(f, n);
	if (k == PK_subscript &&
	    fl_text_eq(f, fl_child(f, n, F_value), s->subject)) {
		if (s->kind == T_PRESENT)
			return store ? "deletes or replaces the entry as if it "
				       "were still there"
				     : "reads the entry as if it were still there";
		if (s->kind == T_ABSENT && store)
			return "stores the entry although another task may "
			       "have stored it meanwhile";
	}
	if (k == PK_attribute && s->kind == T_PRESENT && !store &&
	    fl_text_eq(f, fl_child(f, n, F_object), s->subject))
		return "uses it as if it were still set";
	if (k == PK_attribute && s->kind == T_ABSENT && store &&
	    fl_text_eq(f, n, s->subject))
		return "sets it although another task may have set it "
		       "meanwhile";
	if (k == PK_call && s->kind == T_PRESENT) {
		TSNode fn = fl_child(f, n, F_function);
		TSNode m = fl_child(f, fn, F_attribute);
		if (fl_kind(f, fn) == PK_attribute &&
		    fl_text_eq(f, fl_child(f, fn, F_object), s->subject) &&
		    (fl_text_eq(f, m, "pop") || fl_text_eq(f, m, "remove")))
			return "removes the entry as if it were still there";
	}
	return NULL;
}

/* Visit n in evaluation order: a right-hand side before its target. */
static void visit(struct act_search *s, TSNode n, bool store)
{
	struct fl_file *f = s->f;
	if (!ts_node_is_null(s->act) || ts_node_is_null(n))
		return;
	unsigned k = fl_kind(f, n);
	if (k == PK_function_definition || k == PK_lambda ||
	    k == PK_class_definition)
		return;
	if (!ts_node_is_null(s->await)) {
		const char *why = acts(s, n, store);
		if (why) {
			s->act = n;
			s->what = why;
			return;
		}
	}
	if (k == PK_await && ts_node_is_null(s->await)) {
		visit(s, ts_node_named_child(n, 0), false);
		s->await = n;
		return;
	}
	if (k == PK_assignment || k == PK_augmented_assignment) {
		visit(s, fl_child(f, n, F_right), false);
		visit(s, fl_child(f, n, F_left), true);
		return;
	}
	if (k == PK_delete_statement) {
		uint32_t c = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < c; i++)
			visit(s, ts_node_named_child(n, i), true);
		return;
	}
	uint32_t c = ts_node_named_child_count(n);
	for (uint32_t i = 0; i < c; i++)
		visit(s, ts_node_named_child(n, i), false);
}

/* Inside `async with <lock>:` within the function? */
static bool under_async_with(struct fl_file *f, TSNode n, TSNode fn)
{
	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p) &&
					   !ts_node_eq(p, fn);
	     p = ts_node_parent(p))
		if (fl_kind(f, p) == PK_with_statement &&
		    ts_node_child_count(p) &&
		    fl_text_eq(f, ts_node_child(p, 0), "async"))
			return true;
	return false;
}

static void check_if(struct fl_file *f, const struct fl_func *fn, TSNode ifs)
{
	enum test_kind kind = T_NONE;
	TSNode cond = fl_child(f, ifs, F_condition);
	const char *subject = classify_test(f, cond, &kind);
	if (!subject || under_async_with(f, ifs, fn->node))
		return;
	struct act_search s = {f, subject, kind, {{0}, NULL, NULL},
			       {{0}, NULL, NULL}, NULL};
	visit(&s, fl_child(f, ifs, F_consequence), false);
	if (ts_node_is_null(s.act))
		return;
	struct fl_finding *fd = fl_report(
		f, &check_check_then_act_across_await, s.act,
		f->is_test ? CONF_LOW
			   : (kind == T_PRESENT ? CONF_HIGH : CONF_MEDIUM),
		"'%s' is checked, then '%s' lets other tasks run, then the code "
		"%s",
		py_one_line(f, cond), py_one_line(f, s.await), s.what);
	fl_trace(f, fd, cond, "'%s' is tested here", py_one_line(f, cond));
	fl_trace(f, fd, s.await,
		 "'%s' suspends '%s': any other task may change '%s' now",
		 py_one_line(f, s.await), fn->qualname, subject);
	fl_trace(f, fd, s.act, "'%s' %s", py_one_line(f, s.act), s.what);
	fl_set_hint(fd,
		    "re-check '%s' after the await, do the await before the "
		    "check, or hold an asyncio.Lock across check and act",
		    subject);
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (!fn->is_async)
			continue;
		/* the ifs of this coroutine (not of nested functions) */
		TSNode body = fl_child(f, fn->node, F_body);
		TSTreeCursor cur = ts_tree_cursor_new(body);
		for (;;) {
			TSNode n = ts_tree_cursor_current_node(&cur);
			unsigned k = fl_kind(f, n);
			bool descend = k != PK_function_definition &&
				       k != PK_lambda && k != PK_class_definition;
			if (k == PK_if_statement)
				check_if(f, fn, n);
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
	}
}

const struct fl_check check_check_then_act_across_await = {
	.code = "CON009",
	.name = "check-then-act-across-await",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-367,CWE-362",
	.summary = "A coroutine checks shared state, awaits, and then acts as "
		   "if the check still held, although other tasks ran in "
		   "between.",
	.fix_hint = "re-check after the await, or hold an asyncio.Lock across "
		    "check and act",
	.file_end = check,
};
