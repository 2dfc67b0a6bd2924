/*
 * RES001 resource-leaked-on-error-path (Python)
 *
 * Heuristic: a local name bound to a new resource from the opener table
 * (src/lang/python/api.c: files, sockets, database connections, HTTP
 * sessions, processes, archives, temporary files, executors...) that the
 * function releases itself (x.close(), os.close(fd), p.wait()...) -- but
 * only on the straight-line path: the control-flow graph has a path from
 * the acquisition through an exception edge to the function's exit on
 * which the resource is neither released, handed to a with statement,
 * stored, returned nor passed on.  The trace names the call that raises.
 *
 * Also reported, at low confidence: a resource that is never released,
 * stored, returned or passed on at all (CPython's reference counting
 * usually closes it when the function returns).
 *
 * Paths are pruned where the function tests the name for None (`if f:`
 * in a finally clause is true while f is open), and an except clause that
 * releases the resource is taken to cover the exceptions that occur.  A
 * path that needs a bare subscript to raise (no call) is medium
 * confidence.  Processes (subprocess.Popen) are not judged: waiting for
 * them is often left to a later owner on purpose.
 *
 * Not reported: `with open(...) as f`, release in a finally clause or in
 * every handler that re-raises, resources stored on self or in a
 * container, returned, passed to another call (ExitStack.enter_context,
 * closing(), a helper), captured by a nested function.
 *
 * False-positive policy: the finding needs a real path in the graph from
 * the acquisition to the exception exit without a release; calls are
 * assumed to raise only when they are calls, awaits or subscripts.
 */
#include "../../core/hold.h"
#include "../../lang/python/api.h"

#include <string.h>

struct res {
	struct fl_file *f;
	const struct cfg *g;
	const struct py_opener *op;
	const char *name;
};

static enum hold_ev event(void *ud, int n)
{
	struct res *r = ud;
	switch (py_name_event(r->f, cfg_node_code(r->g, n), r->name, r->op)) {
	case EV_CLOSE:
		return H_GIVE;
	case EV_MANAGED:
	case EV_ESCAPE:
	case EV_REBIND:
		return H_STOP;
	default:
		return H_NONE;
	}
}

/* try: sock.connect(addr)
 * except OSError: sock.close(); raise */
static bool handler_gives(void *ud, int dispatch)
{
	struct res *r = ud;
	const struct cfg_node *d = &r->g->nodes.v[dispatch];
	for (uint32_t i = 0; i < d->n; i++) {
		const struct cfg_node *h = &r->g->nodes.v[d->succ[i]];
		if (h->kind != N_HANDLER)
			continue;
		TSNode body = fl_child_of_kind(r->f, h->node, PK_block);
		if (py_name_event(r->f, body, r->name, r->op) == EV_CLOSE)
			return true;
	}
	return false;
}

/* `if f:` / `if f is not None:` -- while f is open it is not None. */
static int absent_branch(void *ud, int n)
{
	struct res *r = ud;
	return cfg_none_branch(r->f, r->g, n, r->name);
}

static bool likely_raise(void *ud, int n)
{
	struct res *r = ud;
	return py_node_likely_raises(r->f, r->g, n);
}

/* Is the name closed, managed or handed on anywhere in the function? */
static bool any_event(struct res *r, int start, enum hold_ev want)
{
	for (size_t i = 0; i < r->g->nodes.n; i++)
		if ((int)i != start && event(r, (int)i) == want)
			return true;
	return false;
}

static void report_never_closed(struct fl_file *f, const struct fl_call *c,
				struct res *r, int start)
{
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	if (any_event(r, start, H_STOP))
		return; /* handed on somewhere: its owner's job */
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node, CONF_LOW,
		"%s '%s' opened by '%s' is never closed in '%s'", r->op->what,
		c->assigned, c->qname, fn->qualname);
	fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
	fl_trace(f, fd, fn->node,
		 "no path through '%s' closes it, stores it or hands it on; "
		 "it stays open until the garbage collector finds it",
		 fn->qualname);
	fl_set_hint(fd, "use 'with %s(...) as %s:'", c->qname, c->assigned);
}

static void check_call(struct fl_file *f, const struct fl_call *c,
		       const struct py_opener *op)
{
	const struct cfg *g = cfg_of(f, c->func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(c->node));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	struct res r = {f, g, op, c->assigned};
	if (!any_event(&r, start, H_GIVE)) {
		report_never_closed(f, c, &r, start);
		return;
	}
	struct hold h = {g,	   start,	  -1, event, handler_gives,
			 absent_branch, &r, likely_raise};
	struct hold_found found;
	if (!hold_find_leak(&h, &found, f->a))
		return;
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	TSNode rn = g->nodes.v[found.raiser].node;
	const char *stmt = py_one_line(f, rn);
	const char *callee = py_node_name(f, g, found.raiser);
	/* A call that raises makes the strongest finding; a subscript
	 * (`d[key]`, `path[0]`) raising is real but less likely.  A local
	 * file is closed by the runtime when its object dies, soon after the
	 * exception is handled: worth fixing, low confidence that it
	 * matters.  Sockets, connections and sessions hold something on the
	 * other side. */
	enum fl_confidence conf = found.by_call ? CONF_HIGH : CONF_MEDIUM;
	if (!op->external || f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node, conf,
		"%s '%s' opened by '%s' is not closed when '%s' raises",
		op->what, c->assigned, c->qname, callee);
	if (!op->external)
		fd->severity = SEV_LOW;
	fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
	fl_trace(f, fd, rn, "'%s' can raise while '%s' is open", stmt,
		 c->assigned);
	fl_trace(f, fd, g->nodes.v[found.give].node,
		 "'%s' is closed here only when nothing before it raised",
		 c->assigned);
	fl_trace(f, fd, fn->node,
		 found.to_raise
			 ? "the exception leaves '%s' with '%s' still open"
			 : "the exception is handled and '%s' returns with '%s' "
			   "still open",
		 fn->qualname, c->assigned);
	fl_set_hint(fd,
		    "use 'with %s(...) as %s:', or close '%s' in a finally "
		    "clause",
		    c->qname, c->assigned, c->assigned);
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->use != USE_ASSIGN || c->func < 0 || !c->assigned ||
		    (c->flags & CALL_AWAITED))
			continue;
		const struct py_opener *op = py_opener(c->qname);
		/* A process is released by waiting for it, which code often
		 * leaves to a later owner on purpose: not judged here. */
		if (op && strcmp(op->what, "process"))
			check_call(f, c, op);
	}
}

const struct fl_check check_resource_leaked_on_error_path = {
	.code = "RES001",
	.name = "resource-leaked-on-error-path",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-404,CWE-772",
	.summary = "A file, socket, connection or process is closed only on "
		   "the straight-line path, so an exception between opening "
		   "and closing leaks it.",
	.fix_hint = "use a with statement, or close it in a finally clause",
	.file_end = check,
};
