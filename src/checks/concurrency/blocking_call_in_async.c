/*
 * CON005 blocking-call-in-async (Python)
 *
 * Heuristic: inside an `async def` (not in a nested def or lambda), a
 * call of a function from the blocking table (src/lang/python/api.c:
 * time.sleep, requests.*, urllib.request.urlopen, socket.create_connection,
 * subprocess.run/call/check_output, os.system, sqlite3/psycopg2/pymysql
 * connect...) made directly, not awaited.  It stalls the whole event loop:
 * every other task waits.
 *
 * Not reported: `await asyncio.sleep(...)`; a blocking function passed to
 * `run_in_executor` or `asyncio.to_thread` (passed, not called); calls in
 * nested synchronous helpers defined inside the coroutine.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !f->m.funcs.v[c->func].is_async ||
		    (c->flags & CALL_AWAITED))
			continue;
		const char *why = py_blocking_call(c->qname);
		if (!why)
			continue;
		const struct fl_func *fn = &f->m.funcs.v[c->func];
		struct fl_finding *fd = fl_report(
			f, &check_blocking_call_in_async, c->node,
			f->is_test ? CONF_LOW : CONF_HIGH,
			"'%s' blocks the event loop inside coroutine '%s': %s",
			c->callee, fn->qualname, why);
		fl_trace(f, fd, fn->node, "'%s' is a coroutine (async def)",
			 fn->qualname);
		fl_trace(f, fd, c->node,
			 "'%s' runs on the event loop's thread and does not "
			 "return until it is done; no other task runs meanwhile",
			 c->callee);
		fl_set_hint(fd, "%s", py_blocking_fix(c->qname));
	}
}

const struct fl_check check_blocking_call_in_async = {
	.code = "CON005",
	.name = "blocking-call-in-async",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-400",
	.summary = "A coroutine calls a blocking function directly, stalling "
		   "the event loop and every other task on it.",
	.fix_hint = "use the asyncio equivalent, or run it with "
		    "asyncio.to_thread / run_in_executor",
	.file_end = check,
};
