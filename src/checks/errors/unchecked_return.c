/*
 * ERR002 unchecked-return (C)
 *
 * Heuristic: a call to a function of the fallible-API table
 * (src/lang/c/api.c) whose result is dropped: the call is a statement of
 * its own (or the left side of a comma).  `(void)f()` says the drop is
 * deliberate and is not reported.
 *
 * Not caught (yet): results stored and then never tested; functions of the
 * scanned code base whose result is checked at most call sites (the
 * statistical belief comes with the C issue).
 *
 * False positives: the table holds only functions whose ignored result is
 * a defect in practically every use; close(), unlink(), printf() and
 * pthread_mutex_lock() are left out for that reason.  A name that the
 * file or the function declares itself (a parameter `void (*bind)(...)`,
 * a static function called write) is not the library function.  High
 * confidence, low in test files (path_is_test), which provoke failures on
 * purpose.
 */
#include "../../core/file.h"
#include "../../lang/c/api.h"

#include <string.h>

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

static void check(struct fl_file *f)
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
};
