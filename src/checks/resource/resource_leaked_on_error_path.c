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
#include "../../core/cfg.h"
#include "../../lang/python/api.h"

#include <string.h>

enum { S_NONE = 0, S_OPEN = 1 };

struct leak {
	struct fl_file *f;
	const struct cfg *g;
	const struct py_opener *op;
	const char *name;
	int start;
	bool calls_only;  /* only calls raise (not bare subscripts) */
	uint8_t *before_close; /* node can still reach a release */
};

/* Mark the nodes from which some release of the resource is reachable:
 * a raise counts only if it happens "between opening and closing". */
static void mark_before_close(struct leak *l)
{
	const struct cfg *g = l->g;
	l->before_close = arena_alloc(l->f->a, g->nodes.n);
	for (size_t i = 0; i < g->nodes.n; i++)
		if ((int)i != l->start &&
		    py_name_event(l->f, cfg_node_code(g, (int)i), l->name,
				  l->op) == EV_CLOSE)
			l->before_close[i] = 1;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < g->nodes.n; i++) {
			if (l->before_close[i])
				continue;
			const struct cfg_node *nd = &g->nodes.v[i];
			bool reach = nd->exc >= 0 && l->before_close[nd->exc];
			for (uint32_t k = 0; k < nd->n && !reach; k++)
				reach = l->before_close[nd->succ[k]];
			if (reach) {
				l->before_close[i] = 1;
				changed = true;
			}
		}
	}
}

/* Does one of the except clauses behind this dispatch release the
 * resource?  Then the clauses cover the failures that happen in practice:
 *     try: sock.connect(addr)
 *     except OSError: sock.close(); raise
 * and other exception types are not followed. */
static bool handler_releases(struct leak *l, int dispatch)
{
	const struct cfg_node *d = &l->g->nodes.v[dispatch];
	for (uint32_t i = 0; i < d->n; i++) {
		const struct cfg_node *h = &l->g->nodes.v[d->succ[i]];
		if (h->kind != N_HANDLER)
			continue;
		TSNode body = fl_child_of_kind(l->f, h->node, PK_block);
		if (py_name_event(l->f, body, l->name, l->op) == EV_CLOSE)
			return true;
	}
	return false;
}

static uint8_t transfer(void *ud, const struct cfg *g, int n, uint8_t s,
			bool exc)
{
	struct leak *l = ud;
	if (n == l->start && s == S_NONE)
		return exc ? PS_STOP : S_OPEN; /* the opener itself raised */
	if (s != S_OPEN)
		return s;
	if (exc && l->calls_only && !(g->nodes.v[n].flags & NF_RAISES_CALL))
		return PS_STOP;
	/* raise after the code stopped meaning to close it (it was stored,
	 * or the path only leads to other exits): not this bug */
	if (exc && l->before_close && !l->before_close[n])
		return PS_STOP;
	if (g->nodes.v[n].kind == N_DISPATCH && handler_releases(l, n))
		return PS_STOP;
	enum py_event ev = py_name_event(l->f, cfg_node_code(g, n), l->name,
					 l->op);
	switch (ev) {
	case EV_CLOSE:
	case EV_MANAGED:
	case EV_ESCAPE:
		return PS_STOP;
	case EV_REBIND:
		/* `f = open(other)`: the old value is dropped on purpose or
		 * by another bug; either way not this one */
		return exc ? s : PS_STOP;
	default:
		return s;
	}
}

/*
 * `if f:` / `if f is not None:` -- while f is open it is not None.
 * An exception that reaches a try's except clauses is taken to match one
 * of them: the clauses name the failures the author expects there, and a
 * leak that needs some other exception type is not reported.
 */
static bool follow(void *ud, const struct cfg *g, int n, uint32_t i,
		   uint8_t s)
{
	struct leak *l = ud;
	if (s != S_OPEN)
		return true;
	const struct cfg_node *nd = &g->nodes.v[n];
	if (nd->kind == N_DISPATCH)
		return g->nodes.v[nd->succ[i]].kind == N_HANDLER;
	if (nd->kind != N_COND)
		return true;
	return cfg_none_branch(l->f, g, n, l->name) != (int)i;
}

/* Leaving the function with the resource open, after an exception (the
 * search only counts paths that took an exception edge): propagated to
 * the caller, or caught by a handler and returned from normally. */
static bool leaked(void *ud, const struct cfg *g, int n, uint8_t s)
{
	(void)ud;
	return s == S_OPEN && (n == g->raise || n == g->exit);
}

static bool open_at_exit(void *ud, const struct cfg *g, int n, uint8_t s)
{
	(void)ud;
	return s == S_OPEN && (n == g->exit || n == g->raise);
}

/* The first node (not a copy) where the name gets event `want`. */
static int find_event(struct leak *l, enum py_event want)
{
	for (size_t i = 0; i < l->g->nodes.n; i++) {
		if ((int)i == l->start ||
		    (l->g->nodes.v[i].flags & NF_EXC_COPY))
			continue;
		if (py_name_event(l->f, cfg_node_code(l->g, (int)i), l->name,
				  l->op) == want)
			return (int)i;
	}
	return -1;
}

static bool path_ends_in_raise(const struct cfg *g, const struct path_step *p,
			       size_t len)
{
	return len && p[len - 1].node == g->raise;
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
	struct leak l = {f, g, op, c->assigned, start, true, NULL};
	struct path_rule rule = {transfer, leaked, &l, follow};
	struct path_step path[64];
	const struct fl_func *fn = &f->m.funcs.v[c->func];
	int close = find_event(&l, EV_CLOSE);
	if (close < 0) {
		/* Never released here: reported only if it also never
		 * leaves the function (low confidence). */
		if (find_event(&l, EV_ESCAPE) >= 0 ||
		    find_event(&l, EV_MANAGED) >= 0)
			return;
		struct path_rule r2 = {transfer, open_at_exit, &l, follow};
		if (!paths_find(g, start, S_NONE, &r2, false, path, 64))
			return;
		struct fl_finding *fd = fl_report(
			f, &check_resource_leaked_on_error_path, c->node,
			CONF_LOW,
			"%s '%s' opened by '%s' is never closed in '%s'",
			op->what, c->assigned, c->qname, fn->qualname);
		fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
		fl_trace(f, fd, fn->node,
			 "no path through '%s' closes it, stores it or hands "
			 "it on; it stays open until the garbage collector "
			 "finds it",
			 fn->qualname);
		fl_set_hint(fd, "use 'with %s(...) as %s:'", c->qname,
			    c->assigned);
		return;
	}
	mark_before_close(&l);
	/* A call that raises makes the strongest finding; a subscript
	 * (`d[key]`, `path[0]`) raising is real but less likely. */
	enum fl_confidence conf = CONF_HIGH;
	size_t len = paths_find(g, start, S_NONE, &rule, true, path, 64);
	if (!len) {
		l.calls_only = false;
		conf = CONF_MEDIUM;
		len = paths_find(g, start, S_NONE, &rule, true, path, 64);
	}
	if (!len)
		return;
	/* The exception that leaves: the last exception edge taken (an
	 * earlier one may have been handled). */
	int raiser = -1;
	for (size_t i = 0; i < len; i++)
		if (path[i].exc)
			raiser = path[i].node;
	if (raiser < 0)
		return;
	TSNode rn = g->nodes.v[raiser].node;
	const char *what = fl_text(f, rn);
	size_t wl = strcspn(what, "\n");
	if (wl > 60)
		wl = 60;
	const char *stmt = arena_strndup(f->a, what, wl);
	/* Name the raising call itself when the statement holds one. */
	const char *callee = NULL;
	uint32_t rs = ts_node_start_byte(rn), re = ts_node_end_byte(rn);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *k = &f->m.calls.v[i];
		uint32_t at = ts_node_start_byte(k->node);
		if (at >= rs && at < re && k->callee) {
			callee = k->callee;
			break;
		}
	}
	/* A local file is closed by the runtime when its object dies, soon
	 * after the exception is handled: worth fixing, but low confidence
	 * that it matters.  Sockets, connections and sessions hold
	 * something on the other side. */
	if (!op->external || f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_resource_leaked_on_error_path, c->node, conf,
		"%s '%s' opened by '%s' is not closed when '%s' raises",
		op->what, c->assigned, c->qname, callee ? callee : stmt);
	if (!op->external)
		fd->severity = SEV_LOW;
	fl_trace(f, fd, c->node, "'%s' is opened here", c->assigned);
	fl_trace(f, fd, rn, "'%s' can raise while '%s' is open", stmt,
		 c->assigned);
	fl_trace(f, fd, g->nodes.v[close].node,
		 "'%s' is closed here only when nothing before it raised",
		 c->assigned);
	fl_trace(f, fd, fn->node,
		 path_ends_in_raise(g, path, len)
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
