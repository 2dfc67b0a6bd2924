/*
 * RES002 connection-context-does-not-close (Python)
 *
 * Heuristic: `with sqlite3.connect(...) as conn:` or `with
 * psycopg2.connect(...) as conn:` in a function that never closes `conn`
 * and never hands it on.  These two context managers end a transaction
 * (commit, or roll back on error) when the block ends -- they do not close
 * the connection, whatever the block's shape suggests.  (PyMySQL, mysql-
 * connector and psycopg 3 connections do close on exit and are not
 * reported.)
 *
 * Not reported: `with contextlib.closing(sqlite3.connect(...)) as conn:`;
 * `conn.close()` anywhere in the function (after the block, in finally);
 * a connection returned, stored or passed on; module-level scripts.
 *
 * False-positive policy: the library behaviour is documented and fixed;
 * the only doubt is ownership, and any hand-off silences the finding.
 * High confidence.
 */
#include "../../core/cfg.h"
#include "../../lang/python/api.h"

#include <string.h>

static const char *const keep_open[] = {
	"sqlite3.connect", "sqlite3.dbapi2.connect", "psycopg2.connect",
};

static bool keeps_open(const char *q)
{
	for (size_t i = 0; q && i < ARRAY_SIZE(keep_open); i++)
		if (!strcmp(q, keep_open[i]))
			return true;
	return false;
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.withs.n; i++) {
		const struct fl_with *w = &f->m.withs.v[i];
		if (w->func < 0 || fl_kind(f, w->value) != PK_call)
			continue;
		const char *q = model_resolve(
			f, fl_text(f, fl_child(f, w->value, F_function)));
		if (!keeps_open(q))
			continue;
		const struct cfg *g = cfg_of(f, w->func);
		if (!g)
			continue;
		bool released = false;
		if (w->alias) {
			struct py_opener op = {q, "connection", "close", NULL,
					       true};
			for (size_t n = 0; n < g->nodes.n && !released; n++) {
				if (g->nodes.v[n].kind == N_WITH_ENTER)
					continue; /* the with itself */
				enum py_event ev = py_name_event(
					f, cfg_node_code(g, (int)n), w->alias,
					&op);
				released = ev == EV_CLOSE || ev == EV_ESCAPE ||
					   ev == EV_MANAGED;
			}
		}
		if (released)
			continue;
		const struct fl_func *fn = &f->m.funcs.v[w->func];
		const char *name = w->alias ? w->alias : "the connection";
		struct fl_finding *fd = fl_report(
			f, &check_connection_context_does_not_close, w->value,
			f->is_test ? CONF_LOW : CONF_HIGH,
			"'with %s(...)' commits or rolls back when the block "
			"ends, but does not close %s%s%s",
			q, w->alias ? "'" : "", name, w->alias ? "'" : "");
		fl_trace(f, fd, w->value, "a connection is opened here");
		fl_trace(f, fd, w->item,
			 "at the end of the block, '%s''s context manager "
			 "ends the transaction and leaves the connection open",
			 q);
		fl_trace(f, fd, fn->node,
			 "%s is not closed anywhere in '%s': every call leaves "
			 "one more connection (and its file handle) open",
			 name, fn->qualname);
		fl_set_hint(fd,
			    "use 'with contextlib.closing(%s(...)) as %s:' and "
			    "keep 'with %s:' for the transaction, or close it "
			    "in a finally clause",
			    q, w->alias ? w->alias : "conn",
			    w->alias ? w->alias : "conn");
	}
}

const struct fl_check check_connection_context_does_not_close = {
	.code = "RES002",
	.name = "connection-context-does-not-close",
	.family = FAM_RES,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-404,CWE-772",
	.summary = "A sqlite3 or psycopg2 connection is used as a context "
		   "manager as if that closed it; the block only commits or "
		   "rolls back, and the connection stays open.",
	.fix_hint = "wrap it in contextlib.closing(), or close it in a "
		    "finally clause",
	.file_end = check,
};
