/*
 * CON007 busy-wait-polling (Python, C)
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
 *
 * C: sleep/usleep/nanosleep/g_usleep... in a while/for/do loop whose body
 * only sleeps, logs, counts, locks around copying state into a local and
 * leaves on `if (test) break/return/goto`, while the loop condition or an
 * exit test reads shared state (c_shared_state).  Any call that does work
 * or really waits (connect, read, poll, waitpid: the API table), or an
 * unknown call in the body, means it is not a polling loop.  Low
 * confidence: state read through an unknown function (maybe the OS's), a
 * sig_atomic_t flag (a signal handler sets it: sigsuspend is the cure),
 * test code.
 */
#include "../../core/file.h"
#include "../../lang/c/api.h"
#include "../../lang/c/scope.h"
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
struct polled {
	struct fl_file *f;
	const char *found;
	bool *opaque;
};

static enum fl_visit polled_visit(void *ud, TSNode n)
{
	struct polled *p = ud;
	struct fl_file *f = p->f;
	unsigned k = fl_kind(f, n);
	if (k == PK_attribute) {
		p->found = fl_text(f, n);
		return FL_STOP;
	}
	if (k != PK_call)
		return FL_DESCEND;
	if (is_clock(f, n))
		return FL_SKIP;
	TSNode fn = fl_child(f, n, F_function);
	TSNode m = fl_kind(f, fn) == PK_attribute ? fl_child(f, fn, F_attribute)
						  : fn;
	static const char *const q[] = {
		"is_set", "empty",   "qsize",  "done", "full",	  "is_alive",
		"poll",	  "locked",  "len",    "exists", "running",
	};
	for (size_t i = 0; i < ARRAY_SIZE(q); i++)
		if (fl_text_eq(f, m, q[i])) {
			p->found = fl_text(f, n);
			return FL_STOP;
		}
	if (fl_kind(f, fn) == PK_attribute) {
		p->found = fl_text(f, n);
		*p->opaque = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

static const char *polled_state(struct fl_file *f, TSNode e, bool *opaque)
{
	if (ts_node_is_null(e))
		return NULL;
	struct polled p = {f, NULL, opaque};
	fl_preorder(e, polled_visit, &p);
	return p.found;
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

/* The finding, in words shared by both languages. */
static void report(struct fl_file *f, const struct fl_call *c, TSNode test,
		   const char *state, enum fl_confidence conf,
		   const char *who, const char *hint)
{
	const char *sleep = fl_text(f, c->node);
	struct fl_finding *fd = fl_report(
		f, &check_busy_wait_polling, c->node, conf,
		"'%s' in a loop that only polls '%s': the %s wakes up again "
		"and again to look instead of being woken when it changes",
		sleep, state, who);
	fl_trace(f, fd, test, "the loop tests '%s'", state);
	fl_trace(f, fd, c->node,
		 "and sleeps; it does no other work per turn, so each change "
		 "is seen up to one sleep later, and '%s' is read without "
		 "waiting on any signal",
		 state);
	fl_set_hint(fd, "%s", hint);
}

static void check_py(struct fl_file *f)
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
		report(f, c, ts_node_is_null(cond) ? loop : cond, state,
		       f->is_test || opaque ? CONF_LOW : CONF_HIGH,
		       f->m.funcs.v[c->func].is_async ? "task" : "thread",
		       arena_printf(f->a,
				    "wait on what changes '%s': a "
				    "threading.Event or Condition (asyncio."
				    "Event in async code), or a queue's "
				    "get(timeout=...)",
				    state));
	}
}

/* ------------------------------------------------------------------ */
/* C                                                                   */

struct c_poll {
	struct fl_file *f;
	TSNode fn;
	TSNode state;      /* what the loop condition or an exit test reads */
	TSNode body_state; /* state copied into a local in the body */
	TSNode opaque;     /* else a test calling a function of unknown
			    * meaning (is_ready(ctx)): it may poll shared
			    * state, or the OS's */
	TSNode test, opaque_test; /* the tests reading them */
	TSNode local_test; /* the first test reading only locals */
	bool tested;       /* some exit test or loop condition exists */
};

struct c_calls {
	struct fl_file *f;
	bool waiting; /* every call only waits, reads a clock or logs */
	bool work;    /* a call that does I/O, blocks on an event, may fail */
};

static enum fl_visit c_calls_visit(void *ud, TSNode n)
{
	struct c_calls *s = ud;
	if (fl_kind(s->f, n) != CK_call_expression)
		return FL_DESCEND;
	const char *name = c_callee(s->f, n);
	enum c_lock_op op = c_lock_op(name);
	if (name && (c_is_sleep(name) || c_is_clock(name) ||
		     c_is_yield_or_log(name) || c_is_atomic_load(name) ||
		     op == LOCK_ACQUIRE || op == LOCK_RELEASE))
		return FL_DESCEND;
	s->waiting = false;
	/* connect(), poll(), read(), waitpid(): real work or a real wait */
	if (!name || c_is_event_wait(name) || c_fallible_lookup(name)) {
		s->work = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

static struct c_calls c_calls_in(struct fl_file *f, TSNode e)
{
	struct c_calls s = {f, true, false};
	if (!ts_node_is_null(e))
		fl_preorder(e, c_calls_visit, &s);
	return s;
}

/* A test that ends the wait: what does it read? */
static bool c_exit_test(struct c_poll *p, TSNode test)
{
	struct fl_file *f = p->f;
	if (ts_node_is_null(test))
		return true; /* for (;;) */
	if (c_calls_in(f, test).work)
		return false;
	bool opaque = false;
	TSNode st = c_shared_state(f, p->fn, test, &opaque);
	/* while (1), while (TRUE), for (;;): no test at all */
	TSNode u = fl_unparen(f, test);
	unsigned k = fl_kind(f, u);
	bool literal = k == CK_number_literal || k == CK_true ||
		       fl_text_eq(f, u, "TRUE");
	p->tested |= !ts_node_is_null(st) || opaque || !literal;
	if (ts_node_is_null(p->state) && !ts_node_is_null(st) && !opaque)
		p->state = st, p->test = test;
	else if (ts_node_is_null(p->opaque) && opaque)
		p->opaque = fl_unparen(f, test), p->opaque_test = test;
	else if (ts_node_is_null(p->local_test) && !literal)
		p->local_test = test;
	return true;
}

static bool c_waiting_stmt(struct c_poll *p, TSNode st, bool in_if);

/* Statements of a block (or one statement) that only wait. */
static bool c_waiting_block(struct c_poll *p, TSNode b, bool in_if)
{
	if (fl_kind(p->f, b) != CK_compound_statement)
		return c_waiting_stmt(p, b, in_if);
	uint32_t n = ts_node_named_child_count(b);
	for (uint32_t i = 0; i < n; i++)
		if (!c_waiting_stmt(p, ts_node_named_child(b, i), in_if))
			return false;
	return true;
}

/* Does the statement only wait: sleep, read a clock, log, count, copy
 * state into a local, lock around that, or leave the loop on a test? */
static bool c_waiting_stmt(struct c_poll *p, TSNode st, bool in_if)
{
	struct fl_file *f = p->f;
	switch (fl_kind(f, st)) {
	case CK_comment:
	case CK_continue_statement:
		return true;
	case CK_break_statement:
	case CK_return_statement:
	case CK_goto_statement:
		/* only as the consequence of an exit test */
		return in_if && !c_calls_in(f, st).work &&
		       c_calls_in(f, st).waiting;
	case CK_expression_statement:
	case CK_declaration: {
		if (!c_calls_in(f, st).waiting)
			return false;
		/* done = atomic_load(&ctx->stop);  int n = q->len; */
		TSNode e = ts_node_named_child(st, 0);
		TSNode rhs = fl_kind(f, e) == CK_assignment_expression
				     ? fl_child(f, e, F_right)
				     : fl_kind(f, st) == CK_declaration ? st
									: e;
		if (ts_node_is_null(p->body_state))
			p->body_state = c_shared_state(f, p->fn, rhs, NULL);
		return true;
	}
	case CK_compound_statement:
		return c_waiting_block(p, st, in_if);
	case CK_if_statement: {
		TSNode cons = fl_child(f, st, F_consequence);
		TSNode alt = fl_child(f, st, F_alternative);
		if (!c_waiting_block(p, cons, true))
			return false;
		if (!ts_node_is_null(alt)) {
			uint32_t n = ts_node_named_child_count(alt);
			for (uint32_t i = 0; i < n; i++)
				if (!c_waiting_block(p, ts_node_named_child(alt, i),
						     true))
					return false;
		}
		TSNode test = fl_child(f, st, F_condition);
		/* if (backoff > 0) usleep(backoff): a conditional sleep, not
		 * a test that ends the wait */
		if (!c_jumps(f, st, true))
			return c_calls_in(f, test).waiting;
		return c_exit_test(p, test);
	}
	default:
		return false;
	}
}

static void c_check_sleep(struct fl_file *f, const struct fl_call *c)
{
	TSNode fn = f->m.funcs.v[c->func].node;
	TSNode loop = {{0}, NULL, NULL}, child = c->node;
	for (TSNode p = ts_node_parent(c->node);
	     !ts_node_is_null(p) && !ts_node_eq(p, fn);
	     child = p, p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		if (k == CK_while_statement || k == CK_for_statement ||
		    k == CK_do_statement) {
			loop = p;
			break;
		}
	}
	TSNode body = fl_child(f, loop, F_body);
	if (ts_node_is_null(loop) || !ts_node_eq(child, body))
		return; /* while (sleep(1) == 0): not a body */
	struct c_poll p = {.f = f, .fn = fn};
	TSNode cond = fl_child(f, loop, F_condition);
	/* the loop's own test first: it names what the loop waits for;
	 * for (tries = 0; tries < 5; tries++) reads only locals */
	if (!c_exit_test(&p, cond) || !c_waiting_block(&p, body, false))
		return;
	TSNode at = ts_node_is_null(cond) ? loop : cond;
	if (ts_node_is_null(p.state) && p.tested) {
		/* done = ctx->done; if (done) break; */
		p.state = p.body_state;
		p.test = ts_node_is_null(p.local_test) ? at : p.local_test;
	}
	bool opaque = ts_node_is_null(p.state);
	if (opaque)
		p.state = p.opaque, p.test = p.opaque_test;
	if (ts_node_is_null(p.state))
		return; /* a delay loop, or polling a local */
	const char *state = py_one_line(f, p.state);
	/* while (!got_sigterm) sleep(1): set by a signal handler, which
	 * no condition variable can signal; sigsuspend() is the cure */
	bool sig = false;
	if (fl_kind(f, p.state) == CK_identifier) {
		const char *ty = c_global_type(f, state);
		sig = ty && strstr(ty, "sig_atomic_t");
	}
	report(f, c, ts_node_is_null(p.test) ? at : p.test, state,
	       f->is_test || opaque || sig ? CONF_LOW : CONF_HIGH, "thread",
	       arena_printf(f->a,
			    "wait on what changes '%s': a condition variable "
			    "(pthread_cond_timedwait, g_cond_wait_until) "
			    "signalled by whoever sets it, or poll() on an "
			    "eventfd or pipe",
			    state));
}

static void check_c(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func >= 0 && (c->flags & CALL_IN_LOOP) &&
		    c_is_sleep(c->callee))
			c_check_sleep(f, c);
	}
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C)
		check_c(f);
	else
		check_py(f);
}

const struct fl_check check_busy_wait_polling = {
	.code = "CON007",
	.name = "busy-wait-polling",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_LOW,
	.cwe = "CWE-1050,CWE-400",
	.summary = "A loop sleeps and re-checks a flag, queue or state "
		   "instead of waiting on an event, condition or queue that "
		   "is signalled when it changes.",
	.fix_hint = "wait on an Event, Condition or queue with a timeout",
	.file_end = check,
};
