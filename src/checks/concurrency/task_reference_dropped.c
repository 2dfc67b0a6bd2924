/*
 * CON004 task-reference-dropped (Python)
 *
 * Heuristic: `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
 * `<loop>.create_task(...)` whose result is dropped -- a statement of its
 * own (high confidence), or bound to a local name that is never read
 * again (medium; ruff's RUF006 sees only the first shape).  The event loop
 * keeps only a weak reference to tasks: one nobody holds can be garbage-
 * collected before it finishes, and its exception is never retrieved.
 *
 * Not reported: tasks stored (self._tasks.add(t), a list, a dict),
 * returned, awaited, passed on (gather, add_done_callback on a kept
 * name); `tg.create_task(...)` on a TaskGroup or nursery, which holds its
 * tasks.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static bool spawns_task(const struct fl_call *c)
{
	if (!c->qname)
		return false;
	if (!strcmp(c->qname, "asyncio.create_task") ||
	    !strcmp(c->qname, "asyncio.ensure_future") ||
	    !strcmp(c->qname, "asyncio.tasks.create_task"))
		return true;
	/* loop.create_task / self._loop.create_task / get_event_loop()... */
	if (c->method && !strcmp(c->method, "create_task") && c->callee) {
		const char *dot = strrchr(c->callee, '.');
		if (!dot)
			return false;
		size_t n = (size_t)(dot - c->callee);
		const char *recv = c->callee;
		/* the receiver's last component mentions "loop" */
		const char *last = recv;
		for (size_t i = 0; i < n; i++)
			if (recv[i] == '.')
				last = recv + i + 1;
		size_t ln = (size_t)(dot - last);
		for (size_t i = 0; i + 4 <= ln; i++)
			if (!memcmp(last + i, "loop", 4))
				return true;
		return false;
	}
	return false;
}

struct reads {
	TSNode def;
	bool read;
};

static bool note_read(void *ud, const TSNode *path, size_t n)
{
	struct reads *r = ud;
	if (!ts_node_eq(path[n - 1], r->def)) {
		r->read = true;
		return false;
	}
	return true;
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!spawns_task(c))
			continue;
		enum fl_confidence conf;
		if (c->use == USE_DISCARD) {
			conf = CONF_HIGH;
		} else if (c->use == USE_ASSIGN && c->func >= 0 && c->assigned) {
			/* t = create_task(...) and t never read again */
			TSNode asg = ts_node_parent(c->node);
			if (fl_kind(f, asg) != PK_assignment)
				continue;
			struct reads r = {fl_child(f, asg, F_left), false};
			fl_find_names(f, f->m.funcs.v[c->func].node, c->assigned,
				      note_read, &r);
			if (r.read)
				continue;
			conf = CONF_MEDIUM;
		} else {
			continue;
		}
		if (f->is_test)
			conf = CONF_LOW;
		const char *where = c->func >= 0 ? f->m.funcs.v[c->func].qualname
						 : "<module>";
		struct fl_finding *fd = fl_report(
			f, &check_task_reference_dropped, c->node, conf,
			"the task made by '%s' is not kept: the event loop holds "
			"only a weak reference, so it can be garbage-collected "
			"mid-flight and its exception is never seen",
			c->callee);
		fl_trace(f, fd, c->node, "'%s' starts a task here in '%s'",
			 c->callee, where);
		if (c->use == USE_ASSIGN)
			fl_trace(f, fd, c->node,
				 "it is bound to '%s', which is never read "
				 "again: the reference dies with the frame",
				 c->assigned);
		else
			fl_trace(f, fd, c->node,
				 "the returned task is dropped on the spot");
		fl_set_hint(fd,
			    "keep a reference until it is done: add it to a set "
			    "and discard it in add_done_callback, or use "
			    "asyncio.TaskGroup");
	}
}

const struct fl_check check_task_reference_dropped = {
	.code = "CON004",
	.name = "task-reference-dropped",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-404,CWE-755",
	.summary = "An asyncio task is started and its reference dropped, so "
		   "it can be garbage-collected before it finishes and its "
		   "failure is never seen.",
	.fix_hint = "keep the task (a set plus add_done_callback, or a "
		    "TaskGroup)",
	.file_end = check,
};
