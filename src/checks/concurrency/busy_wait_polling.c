/*
 * CON007 busy-wait-polling (Python)
 *
 * Heuristic: a sleep (time.sleep, asyncio.sleep, gevent/trio/anyio/
 * eventlet sleep) inside a while loop whose body does nothing but wait:
 * sleeps, logging, `pass`/`continue`, counters and clock readings, and
 * `if <test>: break/return/raise` -- while the loop condition or such a
 * test reads state that something else changes (an attribute, a flag's
 * is_set(), a queue's empty()/qsize(), a future's done(), a len()).
 * The thread (or task) wakes up over and over to look instead of being
 * woken by whoever changes the state: latency of up to one sleep period,
 * CPU burnt for nothing, and the state read without synchronisation.
 *
 * Not reported: retry loops (the body does other work or has a try); a
 * periodic timer whose body does work each tick; a loop that only sleeps
 * until a deadline (no state is polled); loops polling a local variable
 * nothing else can change.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static bool is_sleep(const char *q)
{
	static const char *const names[] = {
		"time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep",
		"anyio.sleep", "eventlet.sleep",
	};
	for (size_t i = 0; q && i < ARRAY_SIZE(names); i++)
		if (!strcmp(q, names[i]))
			return true;
	return false;
}

static bool is_clock(struct fl_file *f, TSNode call)
{
	const char *q = model_resolve(f, fl_text(f, fl_child(f, call, F_function)));
	return q && (!strcmp(q, "time.time") || !strcmp(q, "time.monotonic") ||
		     !strcmp(q, "time.perf_counter") ||
		     !strcmp(q, "loop.time") || strstr(q, ".time"));
}

/* Does the expression read shared state (not only clocks and locals)?
 * Returns the text naming it, or NULL.  *opaque is set when the state is
 * only read through a method of unknown meaning (`self.getecho()`: maybe
 * the OS's state, which nothing can signal). */
static const char *polled_state(struct fl_file *f, TSNode e, bool *opaque)
{
	if (ts_node_is_null(e))
		return NULL;
	TSTreeCursor cur = ts_tree_cursor_new(e);
	const char *found = NULL;
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&cur);
		unsigned k = fl_kind(f, n);
		bool descend = true;
		if (k == PK_call) {
			if (is_clock(f, n)) {
				descend = false;
			} else {
				TSNode fn = fl_child(f, n, F_function);
				TSNode m = fl_kind(f, fn) == PK_attribute
						   ? fl_child(f, fn, F_attribute)
						   : fn;
				static const char *const q[] = {
					"is_set", "empty", "qsize", "done", "full",
					"is_alive", "poll", "locked", "len",
					"exists", "running",
				};
				for (size_t i = 0; i < ARRAY_SIZE(q); i++)
					if (fl_text_eq(f, m, q[i])) {
						found = fl_text(f, n);
						break;
					}
				if (!found && fl_kind(f, fn) == PK_attribute) {
					found = fl_text(f, n);
					*opaque = true;
				}
				descend = !found;
			}
		} else if (k == PK_attribute) {
			found = fl_text(f, n);
		}
		if (found)
			break;
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
	return found;
}

/* Is every call in the statement a sleep, a clock or a logging call? */
static bool only_waiting_calls(struct fl_file *f, TSNode st)
{
	TSTreeCursor cur = ts_tree_cursor_new(st);
	bool ok = true;
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&cur);
		if (fl_kind(f, n) == PK_call) {
			const char *q = model_resolve(
				f, fl_text(f, fl_child(f, n, F_function)));
			if (!is_sleep(q) && !is_clock(f, n) &&
			    !py_is_logging_call(f, n) && strcmp(q, "print")) {
				ok = false;
				break;
			}
		}
		if (ts_tree_cursor_goto_first_child(&cur))
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
	return ok;
}

/* Examine the while body: only waiting?  *state gets what an exit test
 * in it polls. */
static bool waiting_body(struct fl_file *f, TSNode body, const char **state,
			 bool *opaque)
{
	uint32_t n = ts_node_named_child_count(body);
	for (uint32_t i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(body, i);
		switch (fl_kind(f, st)) {
		case PK_comment:
		case PK_pass_statement:
		case PK_continue_statement:
			continue;
		case PK_expression_statement:
			if (!only_waiting_calls(f, st))
				return false;
			continue;
		case PK_if_statement: {
			/* if self.ready: break  /  if time.time() > t: raise */
			if (!ts_node_is_null(fl_child(f, st, F_alternative)))
				return false;
			TSNode cons = fl_child(f, st, F_consequence);
			uint32_t m = ts_node_named_child_count(cons);
			for (uint32_t k = 0; k < m; k++) {
				TSNode s = ts_node_named_child(cons, k);
				unsigned sk = fl_kind(f, s);
				if (sk != PK_break_statement &&
				    sk != PK_return_statement &&
				    sk != PK_raise_statement &&
				    sk != PK_comment &&
				    !(sk == PK_expression_statement &&
				      only_waiting_calls(f, s)))
					return false;
			}
			bool op = false;
			const char *ps = polled_state(
				f, fl_child(f, st, F_condition), &op);
			if (!only_waiting_calls(f, fl_child(f, st, F_condition)) &&
			    !ps)
				return false;
			if (!*state && ps) {
				*state = ps;
				*opaque = op;
			}
			continue;
		}
		default:
			return false;
		}
	}
	return true;
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !(c->flags & CALL_IN_LOOP) || !is_sleep(c->qname))
			continue;
		/* the innermost loop around the sleep */
		TSNode fn = f->m.funcs.v[c->func].node;
		TSNode loop = {{0}, NULL, NULL};
		for (TSNode p = ts_node_parent(c->node);
		     !ts_node_is_null(p) && !ts_node_eq(p, fn);
		     p = ts_node_parent(p)) {
			unsigned k = fl_kind(f, p);
			if (k == PK_for_statement)
				break;
			if (k == PK_while_statement) {
				loop = p;
				break;
			}
		}
		if (ts_node_is_null(loop))
			continue;
		const char *state = NULL;
		bool opaque = false;
		if (!waiting_body(f, fl_child(f, loop, F_body), &state, &opaque))
			continue;
		TSNode cond = fl_child(f, loop, F_condition);
		bool copaque = false;
		const char *cstate = polled_state(f, cond, &copaque);
		if (cstate) {
			state = cstate;
			opaque = copaque;
		}
		if (!state)
			continue; /* a delay loop, or polling a local */
		const char *sleep = fl_text(f, c->node);
		struct fl_finding *fd = fl_report(
			f, &check_busy_wait_polling, c->node,
			f->is_test || opaque ? CONF_LOW : CONF_HIGH,
			"'%s' in a loop that only polls '%s': the %s wakes up "
			"again and again to look instead of being woken when it "
			"changes",
			sleep, state,
			f->m.funcs.v[c->func].is_async ? "task" : "thread");
		fl_trace(f, fd, ts_node_is_null(cond) ? loop : cond,
			 "the loop tests '%s'", state);
		fl_trace(f, fd, c->node,
			 "and sleeps; it does no other work per turn, so each "
			 "change is seen up to one sleep later, and '%s' is "
			 "read without waiting on any signal",
			 state);
		fl_set_hint(fd,
			    "wait on what changes '%s': a threading.Event or "
			    "Condition (asyncio.Event in async code), or a "
			    "queue's get(timeout=...)",
			    state);
	}
}

const struct fl_check check_busy_wait_polling = {
	.code = "CON007",
	.name = "busy-wait-polling",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_LOW,
	.cwe = "CWE-1050,CWE-400",
	.summary = "A loop sleeps and re-checks a flag, queue or state "
		   "instead of waiting on an event, condition or queue that "
		   "is signalled when it changes.",
	.fix_hint = "wait on an Event, Condition or queue with a timeout",
	.file_end = check,
};
