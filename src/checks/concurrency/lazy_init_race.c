/*
 * CON011 lazy-init-race (Python)
 *
 * Heuristic: a function builds a shared object on first use --
 * `if _client is None: _client = make_client()` on a module global it
 * declares `global`, or `if self._pool is None: self._pool = Pool()` on an
 * attribute -- with no lock around the test and the store.  Two threads
 * can both see None and both build one: each goes on with its own
 * object (its own lock, its own connection pool, its own registry), and
 * what one registers the other never sees.  A lock taken only inside the
 * `if`, with no second test under it, does not help (broken double-checked
 * locking).
 *
 * Only objects with an identity count: instances of classes, locks,
 * connections, clients, pools, threads, open files (by the constructor's
 * name); two copies of a computed value are harmless.
 *
 * Confidence: high when the function runs on threads the file starts
 * (threads.c), or when a lock is taken inside the test without testing
 * again (someone expected threads, and the fix does not work); low when
 * the module or the class uses thread locks or threads elsewhere, or only
 * imports threading.  Not reported otherwise: lazy initialisation in
 * single-threaded code is fine.
 *
 * Not reported: initialisers; coroutines (no thread switch between the
 * test and the store); the test and store under a lock; double-checked
 * locking that tests again under the lock; module import-time
 * initialisation; values that are not calls (literals).
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

/* Does condition c test that `target` is not set yet: `X is None`,
 * `X == None`, `not X`? */
static bool tests_unset(struct fl_file *f, TSNode c, const char *target)
{
	c = fl_unparen(f, c);
	switch (fl_kind(f, c)) {
	case PK_not_operator:
		return fl_text_eq(f, fl_unparen(f, fl_child(f, c, F_argument)),
				  target);
	case PK_comparison_operator: {
		if (ts_node_named_child_count(c) != 2)
			return false;
		TSNode l = fl_unparen(f, ts_node_named_child(c, 0));
		TSNode r = fl_unparen(f, ts_node_named_child(c, 1));
		return fl_text_eq(f, l, target) && fl_kind(f, r) == PK_none;
	}
	case PK_boolean_operator:
		/* `X is None or force`: the left test alone decides */
		return tests_unset(f, fl_child(f, c, F_left), target);
	default:
		return false;
	}
}

/* Does function fi declare `global name`? */
struct global_walk {
	struct fl_file *f;
	const char *name;
	TSNode root;
	bool found;
};

static enum fl_visit find_global(void *ud, TSNode n)
{
	struct global_walk *g = ud;
	unsigned k = fl_kind(g->f, n);
	if ((k == PK_function_definition || k == PK_class_definition ||
	     k == PK_lambda) &&
	    !ts_node_eq(n, g->root))
		return FL_SKIP;
	if (k != PK_global_statement)
		return FL_DESCEND;
	uint32_t c = ts_node_named_child_count(n);
	for (uint32_t i = 0; i < c; i++)
		if (fl_text_eq(g->f, ts_node_named_child(n, i), g->name)) {
			g->found = true;
			return FL_STOP;
		}
	return FL_SKIP;
}

static bool declares_global(struct fl_file *f, int fi, const char *name)
{
	struct global_walk g = {f, name, f->m.funcs.v[fi].node, false};
	fl_preorder(g.root, find_global, &g);
	return g.found;
}

/* The lock a with statement takes, or NULL. */
static const char *with_stmt_lock(struct fl_file *f, int ci, TSNode w)
{
	TSNode clause = fl_child_of_kind(f, w, PK_with_clause);
	uint32_t n = ts_node_is_null(clause) ? 0
					     : ts_node_named_child_count(clause);
	for (uint32_t i = 0; i < n; i++) {
		TSNode item = ts_node_named_child(clause, i);
		if (fl_kind(f, item) != PK_with_item)
			continue;
		TSNode v = fl_child(f, item, F_value);
		if (fl_kind(f, v) == PK_as_pattern)
			v = ts_node_named_child(v, 0);
		const char *l = py_with_lock(f, ci, v);
		if (l)
			return l;
	}
	return NULL;
}

/* Module-level evidence that threads run this code: a lock made at
 * import time, or a thread started in the file. */
static bool module_uses_locks(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 && py_is_lock_ctor(c->qname))
			return true;
	}
	for (size_t i = 0; i < f->m.funcs.n; i++)
		if (py_func_ctx(f, (int)i) & PYCTX_ENTRY)
			return true;
	return false;
}

/* Class-level evidence: the class keeps a thread lock, or one of its
 * methods runs on a thread it starts. */
static bool class_uses_locks(struct fl_file *f, int ci)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func >= 0 && f->m.funcs.v[a->func].cls == ci &&
		    py_lock_name(a->name) && py_with_lock(f, ci, a->node))
			return true;
	}
	for (size_t i = 0; i < f->m.funcs.n; i++)
		if (f->m.funcs.v[i].cls == ci &&
		    (py_func_ctx(f, (int)i) & PYCTX_THREAD))
			return true;
	return false;
}

/* Does the call build something with an identity of its own -- a lock, a
 * connection, a client, a pool, a thread, an open file -- so that two
 * copies are a bug, not merely duplicated work? */
static bool stateful(const struct fl_call *c)
{
	static const char *const words[] = {
		"client", "session", "pool", "connection", "conn", "connect",
		"engine", "executor", "thread", "lock", "socket", "sock",
		"channel", "cursor", "queue", "registry", "producer",
		"consumer", "open", "loop", "scheduler", "driver", "db",
		"database", "redis", "server", "semaphore", "watcher",
		"manager", "pipe", "popen", "subprocess", "transport",
	};
	/* value classes: two equal copies are as good as one */
	static const char *const values[] = {
		"pathlib.Path", "pathlib.PurePath", "decimal.Decimal",
		"fractions.Fraction", "uuid.UUID", "string.Template",
		"collections.namedtuple", "Path", "Decimal", "Fraction",
	};
	if (py_is_lock_ctor(c->qname) || py_opener(c->qname))
		return true;
	const char *m = c->method ? c->method : c->callee;
	if (!m)
		return false;
	for (size_t k = 0; c->qname && k < ARRAY_SIZE(values); k++)
		if (!strcmp(c->qname, values[k]))
			return false;
	/* an instance of a class: an object with an identity (a
	 * TelemetryEmitter, a Registry) */
	if (m[0] >= 'A' && m[0] <= 'Z')
		return true;
	/* the last word says what it makes: make_client, get_pool,
	 * ThreadPoolExecutor; not build_subprocess_arglist */
	char w[8][24];
	size_t n = py_name_words(m, w, 8);
	for (size_t k = 0; n && k < ARRAY_SIZE(words); k++)
		if (!strcmp(w[n - 1], words[k]))
			return true;
	return false;
}

/* Is every call of private method fi within class ci made under a
 * thread lock (and is there at least one)? */
static bool called_under_lock(struct fl_file *f, int ci, int fi)
{
	const char *name = f->m.funcs.v[fi].name;
	if (name[0] != '_')
		return false;
	size_t n = 0;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee || strncmp(c->callee, "self.", 5) ||
		    strcmp(c->callee + 5, name))
			continue;
		bool locked = false;
		for (TSNode p = ts_node_parent(c->node);
		     !ts_node_is_null(p) && !locked; p = ts_node_parent(p)) {
			unsigned k = fl_kind(f, p);
			if (k == PK_function_definition || k == PK_lambda)
				break;
			locked = k == PK_with_statement &&
				 with_stmt_lock(f, ci, p);
		}
		if (!locked)
			return false;
		n++;
	}
	return n > 0;
}

static bool imports_threading(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.imports.n; i++) {
		const char *q = f->m.imports.v[i].qname;
		if (q && (!strncmp(q, "threading", 9) ||
			  !strncmp(q, "concurrent.futures", 18) ||
			  !strncmp(q, "_thread", 7)))
			return true;
	}
	return false;
}

/* Module-level functions of the file from which fi is reached by calls
 * within the file (fi itself included): if another module starts a
 * thread on one of them, fi runs on it.  Returns how many (at most max;
 * max + 1 means more). */
static size_t entries_of(struct fl_file *f, int fi, int *out, size_t max)
{
	int reach[64];
	size_t nr = 0, n = 0;
	reach[nr++] = fi;
	for (size_t r = 0; r < nr; r++) {
		int t = reach[r];
		const struct fl_func *tf = &f->m.funcs.v[t];
		if (tf->parent < 0 && tf->cls < 0 && !tf->is_lambda) {
			if (n == max)
				return max + 1;
			out[n++] = t;
		}
		for (size_t i = 0; i < f->m.calls.n && nr < 64; i++) {
			const struct fl_call *c = &f->m.calls.v[i];
			if (c->func < 0 || py_local_func(f, c->func, c->callee) != t)
				continue;
			bool seen = false;
			for (size_t k = 0; k < nr && !seen; k++)
				seen = reach[k] == c->func;
			if (!seen)
				reach[nr++] = c->func;
		}
	}
	return n;
}

static void check_call(struct fl_file *f, const struct fl_call *c,
		       bool mod_locks, bool imports, bool revisit)
{
	int fi = c->func;
	const struct fl_func *fn = &f->m.funcs.v[fi];
	if (fn->is_async || fn->is_lambda || py_is_init_func(f, fi))
		return;
	TSNode asg = ts_node_parent(c->node);
	if (fl_kind(f, asg) != PK_assignment ||
	    !ts_node_eq(fl_child(f, asg, F_right), c->node))
		return;
	TSNode left = fl_child(f, asg, F_left);
	const char *target = fl_text(f, left);
	int ci = -1;
	for (int p = fi; p >= 0 && ci < 0; p = f->m.funcs.v[p].parent)
		ci = f->m.funcs.v[p].cls;
	bool attr = fl_kind(f, left) == PK_attribute;
	if (attr) {
		TSNode obj = fl_child(f, left, F_object);
		if (!fl_text_eq(f, obj, "self") && !fl_text_eq(f, obj, "cls"))
			return;
	} else if (fl_kind(f, left) != PK_identifier) {
		return;
	}
	if (!stateful(c))
		return; /* two copies of a computed value are harmless */
	/* From the store outwards: the lazy tests and the locks taken. */
	enum { EV_TEST = 1, EV_LOCK } ev[32];
	TSNode evn[32];
	const char *evl[32];
	size_t nev = 0;
	TSNode child = asg;
	for (TSNode p = ts_node_parent(asg); !ts_node_is_null(p) && nev < 32;
	     child = p, p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		if (k == PK_function_definition || k == PK_lambda ||
		    k == PK_class_definition)
			break;
		const char *l;
		if (k == PK_with_statement && (l = with_stmt_lock(f, ci, p))) {
			evl[nev] = l;
			evn[nev] = p;
			ev[nev++] = EV_LOCK;
		} else if (k == PK_if_statement &&
			   ts_node_eq(fl_child(f, p, F_consequence), child) &&
			   tests_unset(f, fl_child(f, p, F_condition), target)) {
			evl[nev] = NULL;
			evn[nev] = p;
			ev[nev++] = EV_TEST;
		}
	}
	size_t outer = nev;
	for (size_t i = 0; i < nev; i++)
		if (ev[i] == EV_TEST)
			outer = i;
	if (outer == nev)
		return;
	TSNode test = evn[outer];
	const char *lock_inside = NULL;
	bool tested_under_lock = false;
	for (size_t i = 0; i < nev; i++) {
		if (ev[i] == EV_LOCK && i > outer)
			return; /* the whole test runs under a lock */
		if (ev[i] == EV_LOCK && i < outer) {
			lock_inside = evl[i];
			for (size_t j = 0; j < i; j++)
				tested_under_lock |= ev[j] == EV_TEST;
		}
	}
	if (tested_under_lock)
		return; /* double-checked locking */
	if (!attr && !declares_global(f, fi, target))
		return; /* a local: nobody else sees it */
	if (ci >= 0 && called_under_lock(f, ci, fi))
		return; /* every caller holds a lock */
	uint8_t cx = py_func_ctx(f, fi);
	enum fl_confidence conf;
	const char *why;
	/* threads started on this code by another module */
	int ent[8];
	size_t ne = (cx & PYCTX_THREAD) || lock_inside
			    ? 0
			    : entries_of(f, fi, ent, ARRAY_SIZE(ent));
	if (ne > ARRAY_SIZE(ent))
		ne = 0;
	int started_elsewhere = -1;
	for (size_t k = 0; revisit && k < ne && started_elsewhere < 0; k++)
		if (fl_has_fact(f, FACT_THREAD_TARGET,
				py_module_key(f, ent[k])))
			started_elsewhere = ent[k];
	if (revisit && started_elsewhere < 0)
		return;
	if (!revisit)
		for (size_t k = 0; k < ne; k++)
			fl_mention(f, &check_lazy_init_race, FACT_THREAD_TARGET,
				   py_module_key(f, ent[k]), FACT_NONE, NULL);
	if (started_elsewhere >= 0) {
		conf = CONF_HIGH;
		why = "";
	} else if (cx & PYCTX_THREAD) {
		conf = CONF_HIGH;
		why = "it runs on threads this module starts";
	} else if (lock_inside) {
		/* someone expected threads here, and the lock they added
		 * does not close the race */
		conf = CONF_HIGH;
		why = "a lock is taken, so threads are expected here";
	} else if (attr ? class_uses_locks(f, ci) : mod_locks) {
		/* evidence of threads somewhere in the module or class, not
		 * that this code runs on several: most such lazy
		 * initialisation in the standard library is single-threaded
		 * in practice */
		conf = CONF_LOW;
		why = attr ? "the class already guards other state with a "
			     "thread lock"
			   : "this module already makes a thread lock or "
			     "starts threads";
	} else if (imports) {
		conf = CONF_LOW;
		why = "this module imports threading";
	} else {
		return;
	}
	if (f->is_test)
		conf = CONF_LOW;
	/* a low finding must give way to the high one a revisit may make:
	 * possible for at most two entries (two conditions) */
	if (conf < CONF_HIGH && ne > 2)
		return;
	const char *what = c->qname ? c->qname : c->callee ? c->callee : "...";
	struct fl_finding *fd = fl_report(
		f, &check_lazy_init_race, left, conf,
		"'%s' is created on first use in '%s' %s: two threads can "
		"both find it unset and each build its own '%s()', and one "
		"of them keeps using an object nobody else sees",
		target, fn->qualname,
		lock_inside ? "with the test outside the lock"
			    : "without a lock",
		what);
	fl_trace(f, fd, test, "'%s' tests whether '%s' is set yet",
		 fn->name, target);
	if (lock_inside)
		fl_trace(f, fd, asg,
			 "the lock is taken only after the test, and '%s' is "
			 "not tested again under it",
			 target);
	fl_trace(f, fd, c->node,
		 "another thread can pass the same test before this store "
		 "of '%s()' happens",
		 what);
	int st = py_ctx_start(f, fi);
	if (started_elsewhere >= 0)
		fl_trace(f, fd, f->m.funcs.v[started_elsewhere].node,
			 "another module of the program starts a thread on "
			 "'%s'%s",
			 py_module_key(f, started_elsewhere),
			 started_elsewhere == fi ? "" : ", which calls this");
	else if (st >= 0)
		fl_trace(f, fd, f->m.calls.v[st].node,
			 "'%s' runs on the thread started here", fn->qualname);
	else
		fl_trace(f, fd, fn->node, "threads are likely: %s", why);
	/* a low finding gives way to the high one the revisit makes */
	for (size_t k = 0; conf < CONF_HIGH && k < ne; k++)
		fl_require_no_fact(fd, FACT_THREAD_TARGET,
				   py_module_key(f, ent[k]), NULL);
	fl_set_hint(fd,
		    "create it at import time or in __init__, or test and "
		    "store under one lock (test again after taking it)");
}

static void each(struct fl_file *f, bool revisit)
{
	bool imports = imports_threading(f);
	bool mod_locks = false, mod_known = false;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 ||
		    (c->use != USE_ASSIGN && c->use != USE_ASSIGN_ATTR) ||
		    (c->flags & CALL_AWAITED))
			continue;
		if (!mod_known) {
			mod_locks = module_uses_locks(f);
			mod_known = true;
		}
		check_call(f, c, mod_locks, imports, revisit);
	}
}

static void check(struct fl_file *f)
{
	py_record_thread_facts(f);
	each(f, false);
}

static void revisit(struct fl_file *f)
{
	each(f, true);
}

const struct fl_check check_lazy_init_race = {
	.code = "CON011",
	.name = "lazy-init-race",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-362,CWE-609",
	.summary = "A shared object is created on first use, tested and "
		   "stored with no lock: two threads can each create their "
		   "own.",
	.fix_hint = "create it eagerly, or test and store under one lock",
	.file_end = check,
	.revisit = revisit,
};
