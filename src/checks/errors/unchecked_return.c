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
 * pthread_mutex_lock() are left out for that reason.  High confidence.
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
		struct fl_finding *fd = fl_report(
			f, &check_unchecked_return, c->node, CONF_HIGH,
			"result of '%s' is ignored: when it fails, %s",
			c->callee, api->consequence);
		fd->severity = api->severity;
		fl_trace(f, fd, c->node, "'%s' %s when it fails", c->callee,
			 api->fails);
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
