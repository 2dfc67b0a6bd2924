/*
 * CON003 counter-or-semaphore-not-restored (Python)
 *
 * Heuristic: a counter that lives beyond the call (an attribute or a
 * subscript: `self.in_flight += 1`, `stats["active"] += 1`) incremented
 * and later decremented in the same function, or a semaphore-like object
 * (by name: sem, slot, limit, permit...) acquired and later released,
 * where the control-flow graph has a path from the increment through a
 * raising call (an await counts: cancellation raises there) to the exit
 * that skips every decrement.  For counters the raise must come from an
 * await or an action (network, files, database, a callback): counts of
 * work in flight, not tallies of pure computation.  The count then drifts for good: limits
 * fill up, "in flight" never drains, accounts lock out (the SMTP relay
 * audit's counter leaks).
 *
 * Not reported: decrements in finally; pairs split across functions (one
 * method increments, another decrements) -- known-fn; plain locals.
 * Not caught yet (known-fn): a decrement that can run twice for one
 * increment (in finally and in a disconnect callback).
 *
 * False-positive policy: as CON002 -- a real path, the raise before the
 * decrement, the same expression text on both sides.
 */
#include "../../lang/python/pairs.h"

#include <string.h>

void report_acquire(struct fl_file *f, const struct fl_call *c,
		    const struct fl_check *ck, bool semaphore);

/* Does the raising node await something or perform an action? */
static bool raiser_is_work(struct fl_file *f, const struct py_pair *p,
			   const struct hold_found *found)
{
	const struct fl_func *fn = &f->m.funcs.v[p->g->func];
	TSNode rn = p->g->nodes.v[found->raiser].node;
	uint32_t s = ts_node_start_byte(rn), e = ts_node_end_byte(rn);
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *k = &f->m.calls.v[i];
		uint32_t at = ts_node_start_byte(k->node);
		if (at < s || at >= e)
			continue;
		if (py_call_does_io(f, k))
			return true;
	}
	return false;
}

static void check_counter(struct fl_file *f, int func, TSNode stmt,
			  TSNode target_node)
{
	const struct cfg *g = cfg_of(f, func);
	if (!g)
		return;
	int start = cfg_node_at(g, ts_node_start_byte(stmt));
	if (start < 0 || g->nodes.v[start].kind != N_STMT)
		return;
	const char *target = fl_text(f, target_node);
	struct py_pair p = {f, g, target, OP_DEC};
	struct hold_found found;
	if (!py_pair_leak(&p, start, -1, &found))
		return;
	/* Counters of work in flight drift when the work fails: the raise
	 * must come from an await (cancellation, I/O) or an action (network,
	 * files, a database, a callback).  Bookkeeping in pure computation
	 * (indent levels, algorithm tallies) is not judged. */
	if (!raiser_is_work(f, &p, &found))
		return;
	const char *raiser = py_raising_call(f, &p, &found);
	enum fl_confidence conf = found.by_call ? CONF_HIGH : CONF_MEDIUM;
	if (f->is_test)
		conf = CONF_LOW;
	struct fl_finding *fd = fl_report(
		f, &check_counter_not_restored, stmt, conf,
		"'%s' is incremented here but not decremented when '%s' "
		"raises: the count drifts up for good",
		target, raiser);
	fl_trace(f, fd, stmt, "'%s' goes up here", target);
	py_pair_trace(f, fd, &p, &found,
		      arena_printf(f->a, "'%s' is raised", target),
		      arena_printf(f->a, "'%s' is decremented", target));
	fl_set_hint(fd, "decrement '%s' in a finally clause", target);
}

/* Walk the functions' statements for `<attr or subscript> += ...`.  The
 * model has no assignment list, so each function's own CFG nodes are
 * scanned (built only for functions that hold a `+=` at all). */
static void check_counters(struct fl_file *f)
{
	for (size_t fi = 0; fi < f->m.funcs.n; fi++) {
		const struct fl_func *fn = &f->m.funcs.v[fi];
		if (fn->is_lambda)
			continue;
		/* cheap test before building the graph */
		uint32_t s = fn->start, e = fn->end;
		bool has = false, dec = false;
		for (uint32_t i = s; i + 1 < e; i++) {
			if (f->src[i + 1] != '=')
				continue;
			if (f->src[i] == '+')
				has = true;
			else if (f->src[i] == '-')
				dec = true;
		}
		if (!has || !dec)
			continue;
		const struct cfg *g = cfg_of(f, (int)fi);
		if (!g)
			continue;
		for (size_t n = 0; n < g->nodes.n; n++) {
			const struct cfg_node *nd = &g->nodes.v[n];
			/* increments in except clauses compensate a failure */
			if (nd->kind != N_STMT ||
			    (nd->flags & (NF_EXC_COPY | NF_IN_HANDLER)))
				continue;
			TSNode st = nd->node;
			if (fl_kind(f, st) != PK_expression_statement)
				continue;
			TSNode a = ts_node_named_child(st, 0);
			if (fl_kind(f, a) != PK_augmented_assignment)
				continue;
			TSNode op = fl_child(f, a, F_operator);
			TSNode left = fl_child(f, a, F_left);
			TSNode right = fl_child(f, a, F_right);
			unsigned lk = fl_kind(f, left);
			/* a count: `+= 1`, not `handlers += cb` */
			if (!fl_text_eq(f, op, "+=") ||
			    (lk != PK_attribute && lk != PK_subscript) ||
			    (fl_kind(f, right) != PK_integer &&
			     fl_kind(f, right) != PK_float))
				continue;
			check_counter(f, (int)fi, st, left);
		}
	}
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->method || strcmp(c->method, "acquire") ||
		    !c->callee || !strchr(c->callee, '.'))
			continue;
		if (c->use != USE_DISCARD && c->use != USE_COND)
			continue;
		size_t tl = strlen(c->callee) - strlen(".acquire");
		char target[256];
		if (tl >= sizeof(target))
			continue;
		memcpy(target, c->callee, tl);
		target[tl] = '\0';
		if (py_is_semaphore_name(target))
			report_acquire(f, c, &check_counter_not_restored, true);
	}
	check_counters(f);
}

const struct fl_check check_counter_not_restored = {
	.code = "CON003",
	.name = "counter-or-semaphore-not-restored",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_HIGH,
	.cwe = "CWE-460,CWE-667",
	.summary = "A counter is incremented or a semaphore slot taken, and "
		   "an exception before the matching decrement or release "
		   "skips it, so the count drifts for good.",
	.fix_hint = "restore the count in a finally clause",
	.file_end = check,
};
