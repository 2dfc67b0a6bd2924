/*
 * GRW001 unbounded-container (Python)
 *
 * Heuristic: a container kept on an object -- an attribute set to a dict,
 * list, set, defaultdict, OrderedDict, Counter or unbounded deque in
 * __init__ -- that gains entries in a method that runs during the
 * object's life (`self._seen[key] = ...`, `.append`, `.add`,
 * `.setdefault`, `.update`) and loses none anywhere in the scanned
 * program: no pop/popitem/popleft/remove/discard/clear/del of an attribute
 * of that name on any object, and no reassignment outside initialisers.
 * Whole-program: removals in other files count (facts by attribute name).
 *
 * Confidence: high only when the object plays a long-lived role by its
 * class name (server, registry, tracker, pool, monitor, relay, cache,
 * ... -- most objects, parsers, visitors, documents, die with their
 * containers) and the growing method runs per event (on_*, handle*,
 * process*, record*, track*, forward*, dispatch*, heartbeat...) or stores
 * a timestamp; low otherwise (`--confidence low`).  A container handed to
 * other code (an argument, returned, bound to another name) may be
 * emptied there and counts as shrinking.
 *
 * Module-level containers (check_globals) are checked the same way; the
 * module counts as a long-lived role.
 *
 * Not reported: bounded structures (deque(maxlen=...)); local containers;
 * containers cleared anywhere, even by another object or a timer.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static bool is_clock_call(struct fl_file *f, TSNode v);
static bool limit_checked(struct fl_file *f, const struct fl_access *g);

static enum fl_confidence growth_confidence(struct fl_file *f,
					    const struct fl_access *g,
					    bool module)
{
	static const char *const event[] = {
		"on_",	    "handle",  "process", "receive", "recv",
		"record",   "track",   "dispatch", "forward", "submit",
		"enqueue",  "push",    "publish", "ingest",	 "accept",
		"observe",  "heartbeat", "touch", "mark",	 "note",
		"serve",    "poll",    "tick",	  "deliver", "send",
	};
	static const char *const setup[] = {
		"register", "setup", "set_up", "configure", "load", "init",
		"build", "compile", "install", "define", "declare", "add_",
		"parse", "read", "scan", "collect", "populate",
	};
	const char *fn = f->m.funcs.v[g->func].name;
	int ci = f->m.funcs.v[g->func].cls;
	const char *cls = ci >= 0 ? f->m.classes.v[ci].name : "";
	/* Most objects live briefly (a parser, a visitor, a document):
	 * their containers die with them.  Only a long-lived role growing
	 * per event is reported by default. */
	if (f->is_test || (!module && !py_long_lived_class(cls)) ||
	    py_name_starts(fn, setup, ARRAY_SIZE(setup)) || limit_checked(f, g))
		return CONF_LOW;
	if (py_name_starts(fn, event, ARRAY_SIZE(event)))
		return CONF_HIGH;
	/* self._dispatch_times[job_id] = time.monotonic() */
	TSNode asg = ts_node_parent(ts_node_parent(g->node));
	if (g->kind == ACC_ITEM_STORE && fl_kind(f, asg) == PK_assignment &&
	    is_clock_call(f, fl_child(f, asg, F_right)))
		return CONF_HIGH;
	return CONF_LOW;
}

/* time.time(), time.monotonic(), datetime.now(), loop.time()... */
static bool is_clock_call(struct fl_file *f, TSNode v)
{
	static const char *const clocks[] = {
		"time", "monotonic", "monotonic_ns", "time_ns",
		"perf_counter", "now", "utcnow",
	};
	v = fl_unparen(f, v);
	if (fl_kind(f, v) != PK_call)
		return false;
	TSNode fn = fl_child(f, v, F_function);
	if (fl_kind(f, fn) == PK_attribute)
		fn = fl_child(f, fn, F_attribute);
	else if (fl_kind(f, fn) == PK_identifier) {
		const char *q = model_resolve(f, fl_text(f, fn));
		if (!q || strncmp(q, "time.", 5))
			return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++)
		if (fl_text_eq(f, fn, clocks[i]))
			return true;
	return false;
}

struct limit_walk {
	struct fl_file *f;
	uint32_t before;
	bool found;
};

static enum fl_visit find_limit(void *ud, TSNode n)
{
	struct limit_walk *lw = ud;
	if (ts_node_start_byte(n) >= lw->before)
		return FL_STOP;
	unsigned k = fl_kind(lw->f, n);
	if (k == PK_function_definition || k == PK_lambda)
		return FL_SKIP;
	if (k != PK_identifier || !py_limit_word(fl_text(lw->f, n)))
		return FL_DESCEND;
	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p);
	     p = ts_node_parent(p)) {
		if (fl_kind(lw->f, p) == PK_comparison_operator) {
			lw->found = true;
			return FL_STOP;
		}
		if (fl_kind(lw->f, p) != PK_attribute)
			break;
	}
	return FL_DESCEND;
}

/* `if self._count >= max_entries: return` before the growth: whoever
 * wrote it thought about a bound, and the container may well respect
 * it. */
static bool limit_checked(struct fl_file *f, const struct fl_access *g)
{
	struct limit_walk lw = {f, ts_node_start_byte(g->node), false};
	TSNode body = fl_child(f, f->m.funcs.v[g->func].node, F_body);
	fl_preorder(body, find_limit, &lw);
	return lw.found;
}

/* `for url in self.urls: self.status[url] = ...`: the keys come from a
 * collection that already exists, so the container is bounded by it. */
static bool keyed_by_loop(struct fl_file *f, const struct fl_access *g)
{
	if (g->kind != ACC_ITEM_STORE)
		return false;
	TSNode key = fl_unparen(f, fl_child(f, ts_node_parent(g->node),
					    F_subscript));
	if (fl_kind(f, key) != PK_identifier)
		return false;
	for (TSNode p = ts_node_parent(g->node); !ts_node_is_null(p);
	     p = ts_node_parent(p)) {
		enum py_kind k = fl_kind(f, p);
		if (k == PK_function_definition || k == PK_class_definition)
			break;
		if (k != PK_for_statement)
			continue;
		TSNode left = fl_child(f, p, F_left);
		if (fl_text_eq(f, left, fl_text(f, key)))
			return true;
		/* for url, opts in self.targets.items() */
		uint32_t n = ts_node_named_child_count(left);
		for (uint32_t i = 0; i < n; i++)
			if (fl_text_eq(f, ts_node_named_child(left, i),
				       fl_text(f, key)))
				return true;
	}
	return false;
}

/* `work = self._pending` / `Worker(self._pending)`: the container is
 * handed to other code, which may well remove from it. */
static bool escapes(struct fl_file *f, const struct fl_access *a)
{
	if (a->kind != ACC_LOAD)
		return false;
	TSNode p = ts_node_parent(a->node);
	switch (fl_kind(f, p)) {
	case PK_argument_list:
	case PK_keyword_argument:
	case PK_return_statement:
		return true;
	case PK_assignment:
		return ts_node_eq(fl_child(f, p, F_right), a->node);
	default:
		return false;
	}
}

/* Facts: every removal from an attribute of some name, on any object. */
static void record_shrinks(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (py_shrinks(a) ||
		    (a->kind == ACC_STORE && !py_is_init_func(f, a->func)) ||
		    escapes(f, a))
			fl_fact(f, FACT_SHRINK, a->name, a->node);
	}
	/* from registry import _handlers; _handlers.pop(k) */
	for (size_t i = 0; i < f->m.gaccesses.n; i++) {
		const struct fl_access *a = &f->m.gaccesses.v[i];
		if (!py_shrinks(a) && !escapes(f, a))
			continue;
		for (size_t k = 0; k < f->m.imports.n; k++)
			if (!strcmp(f->m.imports.v[k].alias, a->name)) {
				fl_fact(f, FACT_SHRINK, a->name, a->node);
				break;
			}
	}
	/* other.x.pop(k), registry._agents.clear(): receivers not self */
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->callee || !c->method || !py_shrink_method(c->method) ||
		    strlen(c->callee) <= strlen(c->method))
			continue;
		size_t len = strlen(c->callee) - strlen(c->method) - 1;
		const char *recv = arena_strndup(f->a, c->callee, len);
		const char *dot = strrchr(recv, '.');
		if (dot)
			fl_fact(f, FACT_SHRINK, dot + 1, c->node);
	}
}

struct grown {
	const struct fl_access *init;   /* self.x = {} in __init__ */
	const struct fl_access *grow;   /* first growth */
	const char *kind;
};

/* Container attributes of class ci that grow and never shrink here. */
static size_t candidates(struct fl_file *f, int ci, struct grown *out,
			 size_t max)
{
	size_t n = 0, lo, hi;
	py_class_accesses(f, ci, &lo, &hi);
	for (size_t i = lo; i < hi && n < max; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->kind != ACC_STORE || a->func < 0 ||
		    f->m.funcs.v[a->func].cls != ci ||
		    !py_is_init_func(f, a->func))
			continue;
		TSNode asg = py_access_assignment(f, a);
		const char *kind = ts_node_is_null(asg)
					   ? NULL
					   : py_container_kind(
						     f, fl_child(f, asg, F_right));
		if (!kind)
			continue;
		const struct fl_access *grow = NULL;
		bool shrinks = false;
		for (size_t k = lo; k < hi; k++) {
			const struct fl_access *b = &f->m.accesses.v[k];
			if (b->func < 0 || strcmp(b->name, a->name) ||
			    f->m.funcs.v[b->func].cls != ci)
				continue;
			if (py_shrinks(b) ||
			    (b->kind == ACC_STORE && !py_is_init_func(f, b->func)))
				shrinks = true;
			else if (!grow && py_grows(b) &&
				 !py_is_init_func(f, b->func) &&
				 !keyed_by_loop(f, b))
				grow = b;
		}
		if (!grow || shrinks)
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(out[k].init->name, a->name);
		if (dup)
			continue;
		out[n++] = (struct grown){a, grow, kind};
	}
	return n;
}

/* Is the global named anywhere at module level or in a class body, other
 * than where it is bound?  `atexit.register(_seen.clear)`, `Handler.cache
 * = _cache`: code outside any function may empty it or hand it on. */
struct module_use {
	struct fl_file *f;
	const struct py_global *b;
	bool found;
};

static enum fl_visit module_use_visit(void *ud, TSNode n)
{
	struct module_use *u = ud;
	unsigned k = fl_kind(u->f, n);
	if (k == PK_function_definition || k == PK_lambda)
		return FL_SKIP;
	if (ts_node_eq(n, u->b->stmt))
		return FL_SKIP;
	if (k == PK_identifier && fl_text_eq(u->f, n, u->b->name)) {
		u->found = true;
		return FL_STOP;
	}
	return FL_DESCEND;
}

static bool used_at_module_level(struct fl_file *f, const struct py_global *b)
{
	struct module_use u = {f, b, false};
	fl_preorder(f->root, module_use_visit, &u);
	return u.found;
}

/* Containers bound at module level (`_seen = {}`): they live as long as
 * the process.  Reported like attributes: a function adds to one and
 * nothing in the program removes from it, rebinds it or hands it on. */
static void check_globals(struct fl_file *f)
{
	struct py_globals gl;
	py_globals_build(f, &gl);
	if (!gl.n)
		return;
	const struct fl_access **grow =
		ARENA_NEWN(f->a, const struct fl_access *, gl.n);
	bool *gone = ARENA_NEWN(f->a, bool, gl.n);
	for (size_t i = 0; i < f->m.gaccesses.n; i++) {
		const struct fl_access *a = &f->m.gaccesses.v[i];
		const struct py_global *b = py_global_of(f, &gl, a);
		if (!b || !b->container)
			continue;
		size_t k = (size_t)(b - gl.v);
		if (py_shrinks(a) || a->kind == ACC_STORE ||
		    a->kind == ACC_DEL || escapes(f, a))
			gone[k] = true;
		else if (!grow[k] && py_grows(a) && !keyed_by_loop(f, a))
			grow[k] = a;
	}
	for (size_t k = 0; k < gl.n; k++) {
		const struct py_global *b = &gl.v[k];
		if (!grow[k] || gone[k] || used_at_module_level(f, b))
			continue;
		const struct fl_func *gf = &f->m.funcs.v[grow[k]->func];
		struct fl_finding *fd = fl_report(
			f, &check_unbounded_container, grow[k]->node,
			growth_confidence(f, grow[k], true),
			"'%s' (a %s made at module level) gains entries in "
			"'%s' and nothing in the program ever removes any: it "
			"grows for the life of the process",
			b->name, b->container, gf->qualname);
		fl_trace(f, fd, b->stmt, "'%s' is created here, once per "
					 "process",
			 b->name);
		fl_trace(f, fd, grow[k]->node, "'%s' adds to it each time it "
					       "runs",
			 gf->name);
		fl_trace(f, fd, grow[k]->node,
			 "no pop, del, clear, remove, discard or rebinding of "
			 "'%s' anywhere in the scanned program, and it is "
			 "never handed to other code",
			 b->name);
		fl_set_hint(fd, "remove entries when they are done, or bound "
				"it: collections.deque(maxlen=...), "
				"functools.lru_cache, an LRU dict");
		fl_require_no_fact(fd, FACT_SHRINK, b->name, NULL);
	}
}

/* Every candidate is reported here, kept by the global phase only if no
 * file of the program removes from an attribute of that name (a
 * conditional finding: no second pass over the file). */
static void check(struct fl_file *f)
{
	record_shrinks(f);
	check_globals(f);
	struct grown g[64];
	for (size_t ci = 0; ci < f->m.classes.n; ci++) {
		size_t n = candidates(f, (int)ci, g, ARRAY_SIZE(g));
		for (size_t k = 0; k < n; k++) {
			const char *name = g[k].init->name;
			const struct fl_func *gf = &f->m.funcs.v[g[k].grow->func];
			struct fl_finding *fd = fl_report(
				f, &check_unbounded_container, g[k].grow->node,
				growth_confidence(f, g[k].grow, false),
				"'self.%s' (a %s made in '%s') gains entries in "
				"'%s' and nothing in the program ever removes "
				"any: it grows for the life of the object",
				name, g[k].kind,
				f->m.funcs.v[g[k].init->func].name, gf->qualname);
			fl_trace(f, fd, g[k].init->node,
				 "'self.%s' is created here", name);
			fl_trace(f, fd, g[k].grow->node,
				 "'%s' adds to it each time it runs", gf->name);
			fl_trace(f, fd, f->m.classes.v[ci].node,
				 "no pop, del, clear, remove, discard or "
				 "reassignment of '%s' anywhere in the scanned "
				 "program",
				 name);
			fl_set_hint(fd,
				    "remove entries when they are done (and on "
				    "disconnect or timeout), or bound it: "
				    "collections.deque(maxlen=...), an LRU");
			fl_require_no_fact(fd, FACT_SHRINK, name, NULL);
		}
	}
}

const struct fl_check check_unbounded_container = {
	.code = "GRW001",
	.name = "unbounded-container",
	.family = FAM_GRW,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-401,CWE-770",
	.summary = "A container kept on a long-lived object or at module "
		   "level gains entries while the program runs and nothing "
		   "ever removes any, so it grows without bound.",
	.fix_hint = "remove entries when done, or bound the container",
	.file_end = check,
};
