/*
 * ERR003 error-logged-and-dropped (Python)
 *
 * Heuristic: an except clause whose body only logs (logger calls, print)
 * -- no raise, no return, no other handling -- around a try body that
 * performs an action (network, files, database, process, a callback,
 * directly or through same-file helpers).  The failure is written down
 * and the function carries on as if the action had worked.
 *
 * Confidence: medium when the control-flow graph shows the function then
 * reporting success (`return True`, `return "ok"`, a non-None constant),
 * low otherwise: logging and carrying on is often the right call, and
 * only the caller's expectations make it wrong.  The trace says why the
 * failure matters.
 *
 * Not reported: log then re-raise; log then return (an error value the
 * caller checks); handlers that do anything besides logging; cleanup
 * contexts (finally, other handlers, close()/__exit__ ...).
 */
#include "../../core/cfg.h"
#include "../../lang/python/api.h"

#include <string.h>

/* Does the handler body only log?  *log gets the (first) logging call. */
static bool only_logs(struct fl_file *f, TSNode body, TSNode *log)
{
	uint32_t n = ts_node_named_child_count(body);
	bool any = false;
	for (uint32_t i = 0; i < n; i++) {
		TSNode s = ts_node_named_child(body, i);
		unsigned k = fl_kind(f, s);
		if (k == PK_comment || k == PK_pass_statement)
			continue;
		if (k != PK_expression_statement)
			return false;
		TSNode e = ts_node_named_child(s, 0);
		if (fl_kind(f, e) != PK_call)
			return false;
		TSNode fn = fl_child(f, e, F_function);
		if (!py_is_logging_call(f, e) && !fl_text_eq(f, fn, "print") &&
		    !fl_text_eq(f, fn, "traceback.print_exc"))
			return false;
		if (!any)
			*log = e;
		any = true;
	}
	return any;
}

struct success {
	struct fl_file *f;
	int handler;
	int ret;         /* the return that claims success */
};

static uint8_t s_transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			  bool exc)
{
	struct success *u = ud;
	(void)g;
	if (exc)
		return PS_STOP;
	return n == u->handler ? 1 : s;
}

/* `return True`, `return "sent"`, `return 1`: success claimed. */
static bool claims_success(void *ud, const struct cfg *g, int n, uint8_t s)
{
	struct success *u = ud;
	const struct cfg_node *nd = &g->nodes.v[n];
	if (s != 1 || nd->kind != N_RETURN ||
	    ts_node_named_child_count(nd->node) != 1)
		return false;
	TSNode v = fl_unparen(u->f, ts_node_named_child(nd->node, 0));
	unsigned k = fl_kind(u->f, v);
	if (k == PK_true || (k == PK_string && ts_node_end_byte(v) -
							   ts_node_start_byte(v) > 2) ||
	    (k == PK_integer && !fl_text_eq(u->f, v, "0"))) {
		u->ret = n;
		return true;
	}
	return false;
}

static void check_handler(struct fl_file *f, const struct fl_try *t,
			  const struct fl_handler *h)
{
	TSNode log = {{0}, NULL, NULL};
	if (t->func < 0 || t->in_finally || t->in_handler ||
	    !only_logs(f, h->body, &log))
		return;
	for (int i = t->func; i >= 0; i = f->m.funcs.v[i].parent)
		if (py_is_cleanup_func(f->m.funcs.v[i].name))
			return;
	const struct fl_call *action = NULL;
	for (uint32_t i = t->body_call_begin; i < t->body_call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func == t->func && !py_is_cleanup_call(c) &&
		    py_call_does_io(f, c)) {
			action = c;
			break;
		}
	}
	if (!action)
		return;
	const struct cfg *g = cfg_of(f, t->func);
	if (!g)
		return;
	int hn = -1;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.v[i].kind == N_HANDLER &&
		    ts_node_eq(g->nodes.v[i].node, h->node))
			hn = (int)i;
	if (hn < 0)
		return;
	struct success u = {f, hn, -1};
	struct path_rule rule = {s_transfer, claims_success, &u, NULL};
	struct path_step path[64];
	bool success = paths_find(g, hn, 0, &rule, false, path, 64) > 0;
	const struct fl_func *fn = &f->m.funcs.v[t->func];
	const char *callee = action->callee ? action->callee : action->method;
	TSNode at = ts_node_is_null(h->type) ? ts_node_child(h->node, 0) : h->type;
	enum fl_confidence conf = success ? CONF_MEDIUM : CONF_LOW;
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_error_logged_and_dropped, at, conf,
		"the failure of '%s' is logged and dropped: '%s' carries on as "
		"if it had worked%s",
		callee, fn->qualname,
		success ? " and reports success" : "");
	fl_trace(f, fd, action->node, "'%s' can fail (%s)", callee,
		 py_effect_name(py_call_effect(f, action)));
	fl_trace(f, fd, log, "the except clause only logs it");
	if (success)
		fl_trace(f, fd, g->nodes.v[u.ret].node,
			 "then '%s' returns '%s': the caller is told it worked",
			 fn->qualname,
			 py_one_line(f, ts_node_named_child(g->nodes.v[u.ret].node, 0)));
	else
		fl_trace(f, fd, h->node,
			 "then control falls through to the code after the "
			 "try, which runs as if '%s' had succeeded",
			 callee);
	fl_set_hint(fd,
		    "after logging, re-raise, or return a value the caller "
		    "checks; if carrying on is right, say why in a comment");
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.tries.n; i++) {
		const struct fl_try *t = &f->m.tries.v[i];
		for (int h = t->first_handler; h >= 0;
		     h = f->m.handlers.v[h].next)
			check_handler(f, t, &f->m.handlers.v[h]);
	}
}

const struct fl_check check_error_logged_and_dropped = {
	.code = "ERR003",
	.name = "error-logged-and-dropped",
	.family = FAM_ERR,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-390,CWE-754",
	.summary = "An except clause only logs the failure of an action and "
		   "carries on, so the function continues -- or reports "
		   "success -- as if it had worked.",
	.fix_hint = "re-raise after logging, or return a value the caller "
		    "checks",
	.file_end = check,
};
