/*
 * GRW003 cleanup-never-called (Python)
 *
 * Heuristic: a function or method whose name says it removes stale state
 * -- cleanup*, clean_up*, prune*, evict*, expire*, purge*, reap*, sweep*,
 * gc_*, or remove/drop/delete/clear/discard/forget followed by a word such
 * as stale, expired, old, dead, idle, orphaned (remove_stale_workers,
 * _drop_expired), leading underscores and camelCase allowed -- is defined
 * and nothing in the scanned program refers to its name: no call, no
 * `self.x` or `obj.x` (a callback such as Thread(target=self._prune),
 * loop.call_later(30, self.evict), schedule.every(5).do(prune),
 * atexit.register(_reap)), no import, no string naming it (getattr,
 * registration by name, `__all__`, "app.tasks.prune"), no string prefix
 * it may be built from (getattr(self, "cleanup_" + kind)).  References in
 * every file count: facts by name, settled in the global phase.  A
 * function's references to its own name (recursion, rescheduling itself)
 * do not count: something else has to start it.
 *
 * The trace says what the function removes (containers it pops, deletes
 * from, clears or rebuilds, on self or elsewhere; files it deletes; other
 * removals it calls) and where those containers grow, so the message can
 * say what accumulates.  A container that code which runs (not another
 * unreferenced cleanup) also sweeps -- clears, rebuilds, evicts from, or
 * removes from in a loop -- does not accumulate: dead code rather than a
 * leak, said so at low confidence.  Removing the one key an event names
 * (pop(job_id) on completion) is no sweep: the entries of jobs that never
 * complete stay.
 *
 * Not reported: decorated definitions (@app.task, @periodic, @property,
 * @abstractmethod, @atexit.register: a decorator means someone else calls
 * it); dunder methods; test code, .pyi stubs and helpers named for tests.
 *
 * Confidence: high for private names (a leading underscore: nothing
 * outside may call them) and nested functions; medium for public methods
 * of a class whose name says it is a long-lived service (tracker,
 * registry, manager, server, cache...), as users of a library may call
 * them; low for other public methods and public module-level functions
 * (library API, command-line entry points), for methods of classes
 * deriving from a class the program does not define (a framework may call
 * an override by name), of decorated classes or of classes that look
 * their own attributes up by computed names (getattr(self, name)), and
 * for functions in
 * which no removal is seen or whose containers are emptied elsewhere.  A
 * name only test code refers to is reported as such, at medium at most
 * (low if public).  Methods of classes whose program-defined bases have
 * bases of their own are medium at most.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

/* Words that name a cleanup by themselves (prune, evict_idle), verbs that
 * need a word of staleness after them (remove_stale, drop_expired). */
static const char *const own_words[] = {
	"cleanup", "prune", "evict", "expire", "purge", "reap", "sweep", "gc",
};
static const char *const verb_words[] = {
	"remove", "drop", "delete", "clear", "clean", "discard", "forget",
	"collect", "trim",
};
static const char *const stale_words[] = {
	"stale", "expired", "old", "older", "dead", "inactive", "idle",
	"orphaned", "orphan", "orphans", "abandoned", "outdated", "obsolete",
	"zombie", "zombies", "unused", "finished", "completed", "done",
	"timed", "lapsed", "leftover", "leftovers",
};

static bool cleanup_name(const char *name)
{
	const char *p = name;
	while (*p == '_')
		p++;
	/* quick test on the first letter: most names are not candidates */
	char c = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (!c || !strchr("cpersgdft", c))
		return false;
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	if (!n)
		return false;
	if (in_list(w[0], own_words, ARRAY_SIZE(own_words)))
		return true;
	if (!strcmp(w[0], "clean") && n > 1 && !strcmp(w[1], "up"))
		return true;
	if (!in_list(w[0], verb_words, ARRAY_SIZE(verb_words)))
		return false;
	for (size_t i = 1; i < n; i++)
		if (in_list(w[i], stale_words, ARRAY_SIZE(stale_words)))
			return true;
	return false;
}

/* "cleanup_", "_prune_", "remove_": a prefix some cleanup name may be
 * built from at run time. */
static bool cleanup_prefix(const char *prefix)
{
	char w[8][24];
	size_t n = py_name_words(prefix, w, 8);
	return n == 1 && (in_list(w[0], own_words, ARRAY_SIZE(own_words)) ||
			  in_list(w[0], verb_words, ARRAY_SIZE(verb_words)));
}

static bool is_dunder(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && name[0] == '_' && name[1] == '_' &&
	       name[n - 1] == '_' && name[n - 2] == '_';
}

/* ------------------------------------------------------------------ */
/* Per-file phase: references to cleanup-like names                    */

/* Record a reference to a cleanup-like name.  self_ref: the reference
 * is `name`, `self.name`, `cls.name`, `super().name` (or a string), which
 * inside a function of that name is the function naming itself. */
static void record_use(struct fl_file *f, const char *name, TSNode at,
		       bool self_ref)
{
	/* def prune(self): ... self.prune() / Timer(60, self.prune): a
	 * function naming itself does not start itself (but
	 * `def purge(self): self._backend.purge()` calls another's) */
	for (int fi = model_func_at(&f->m, ts_node_start_byte(at));
	     self_ref && fi >= 0; fi = f->m.funcs.v[fi].parent)
		if (!strcmp(f->m.funcs.v[fi].name, name))
			return;
	if (f->is_test)
		name = arena_printf(f->a, "test:%s", name);
	fl_fact(f, FACT_NAME_USED, name, at);
}

/* Is identifier n the name a definition, a parameter or a keyword
 * argument binds, rather than a reference? */
static bool binds_name(struct fl_file *f, TSNode n)
{
	TSNode p = ts_node_parent(n);
	switch (fl_kind(f, p)) {
	case PK_function_definition:
	case PK_class_definition:
	case PK_default_parameter:
	case PK_typed_default_parameter:
	case PK_keyword_argument:
		/* def prune(...), f(prune=True), def f(prune=False) */
		return ts_node_eq(fl_child(f, p, F_name), n);
	case PK_parameters:
	case PK_typed_parameter:
		/* def f(self, prune) / def f(prune: bool) */
		return true;
	default:
		return false;
	}
}

static void on_identifier(struct fl_file *f, TSNode n)
{
	char buf[64];
	if (!py_copy_name(f, n, buf, sizeof(buf)) || !cleanup_name(buf) ||
	    binds_name(f, n))
		return;
	TSNode p = ts_node_parent(n);
	bool self_ref = true;
	if (fl_kind(f, p) == PK_attribute) {
		TSNode obj = fl_child(f, p, F_object);
		/* self.prune, cls.prune, super().prune */
		self_ref = fl_text_eq(f, obj, "self") ||
			   fl_text_eq(f, obj, "cls") ||
			   (fl_kind(f, obj) == PK_call &&
			    fl_text_eq(f, fl_child(f, obj, F_function), "super"));
	}
	record_use(f, arena_strdup(f->a, buf), n, self_ref);
}

struct string_ctx {
	struct fl_file *f;
	TSNode at;
};

static void string_name(void *ud, const char *name, bool prefix)
{
	struct string_ctx *sc = ud;
	if (prefix) {
		/* getattr(self, "cleanup_" + kind) */
		if (cleanup_prefix(name))
			fl_fact(sc->f, FACT_NAME_USED,
				arena_printf(sc->f->a, "prefix:%s", name),
				sc->at);
		return;
	}
	if (cleanup_name(name))
		record_use(sc->f, arena_strdup(sc->f->a, name), sc->at, true);
}

/* getattr(obj, "prune"), __all__ = ["purge_expired"],
 * {"task": "app.tasks.reap_orphans"} */
static void on_string(struct fl_file *f, TSNode n)
{
	struct string_ctx sc = {f, n};
	py_string_names(f, n, string_name, &sc);
}

/* A definition the rule may report: a named function whose name says
 * cleanup, not a dunder, not decorated, outside test code and stubs. */
static bool candidate(struct fl_file *f, const struct fl_func *fn)
{
	if (fn->is_lambda || f->is_test || !cleanup_name(fn->name) ||
	    is_dunder(fn->name) || py_is_decorated(f, fn->node))
		return false;
	/* def _cleanup_tests(): a helper for the test suite to call */
	static const char *const tests[] = {"test", "tests"};
	if (py_name_has_word(fn->name, tests, ARRAY_SIZE(tests)))
		return false;
	/* a .pyi stub declares, it defines nothing */
	size_t len = strlen(f->path);
	return len < 4 || strcmp(f->path + len - 4, ".pyi");
}

/* ------------------------------------------------------------------ */
/* Removals from containers                                            */

/* One removal: `what` ("self._workers", "_cache", "tracker._seen")
 * loses entries by `how` ("pop", "del", "clear", "rebuild"); `key` is
 * the container's own name ("_workers", "_cache", "_seen"). */
typedef void (*removal_cb)(void *ud, int func, TSNode at, const char *what,
			   const char *key, const char *how);

/* self.x = [e for e in self.x if ...] / self.x = {}: the container is
 * rebuilt without its stale entries. */
static bool rebuilds(struct fl_file *f, const struct fl_access *a)
{
	if (a->kind != ACC_STORE || py_is_init_func(f, a->func))
		return false;
	TSNode asg = py_access_assignment(f, a);
	if (ts_node_is_null(asg))
		return false;
	TSNode v = fl_unparen(f, fl_child(f, asg, F_right));
	switch (fl_kind(f, v)) {
	case PK_list_comprehension:
	case PK_dictionary_comprehension:
	case PK_set_comprehension:
		return true;
	default:
		if (py_container_kind(f, v))
			return true;
		/* self._heap = pruned_heap: a container the class made in
		 * __init__, replaced */
		int ci = a->func >= 0 ? f->m.funcs.v[a->func].cls : -1;
		return ci >= 0 && py_owned_container(f, ci, a->name);
	}
}

static const char *last_part(const char *dotted)
{
	const char *dot = strrchr(dotted, '.');
	return dot ? dot + 1 : dotted;
}

/* Removals seen through the model: self.x.pop(k), del self.x[k],
 * self.x = {...}, _cache.clear(), tracker._seen.pop(k). */
static void model_removals(struct fl_file *f, removal_cb cb, void *ud)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		const char *how = NULL;
		if (py_shrinks(a))
			how = a->method ? a->method : "del";
		else if (rebuilds(f, a))
			how = "rebuild";
		if (how)
			cb(ud, a->func, a->node, fl_text(f, a->node), a->name,
			   how);
	}
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->method || !c->callee || !py_shrink_method(c->method) ||
		    strlen(c->callee) <= strlen(c->method) + 1 ||
		    !strncmp(c->callee, "self.", 5) ||
		    !strncmp(c->callee, "cls.", 4) ||
		    (c->qname && (!strncmp(c->qname, "os.", 3) ||
				  !strncmp(c->qname, "shutil.", 7))))
			continue;
		const char *recv = arena_strndup(
			f->a, c->callee, strlen(c->callee) - strlen(c->method) - 1);
		cb(ud, c->func, c->node, recv, last_part(recv), c->method);
	}
}

/* del _cache[key], del registry.entries[k]: removals from containers
 * that are not attributes of self (those are accesses already). */
static void del_removals(struct fl_file *f, TSNode stmt, int func,
			 removal_cb cb, void *ud)
{
	/* del a[k], b[k]: the targets are an expression list */
	TSNode targets = stmt;
	if (ts_node_named_child_count(stmt) == 1 &&
	    fl_kind(f, ts_node_named_child(stmt, 0)) == PK_expression_list)
		targets = ts_node_named_child(stmt, 0);
	uint32_t nc = ts_node_named_child_count(targets);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode t = ts_node_named_child(targets, i);
		if (fl_kind(f, t) != PK_subscript)
			continue;
		TSNode v = fl_child(f, t, F_value);
		if (fl_kind(f, v) == PK_attribute &&
		    (fl_text_eq(f, fl_child(f, v, F_object), "self") ||
		     fl_text_eq(f, fl_child(f, v, F_object), "cls")))
			continue;
		if (fl_kind(f, v) == PK_identifier ||
		    fl_kind(f, v) == PK_attribute) {
			const char *what = fl_text(f, v);
			cb(ud, func, t, what, last_part(what), "del");
		}
	}
}

/*
 * Does a removal sweep the container -- empty it (clear), rebuild it,
 * evict from its end (popitem, popleft), or remove inside a loop (for k
 * in list(self.x): ... pop(k)) -- rather than drop the one key an event
 * names?  `self._dispatch_times.pop(job_id)` on completion leaves the
 * entries of jobs that never complete: only a sweep makes a stale-entry
 * cleanup redundant.
 */
static bool sweeps(struct fl_file *f, int func, TSNode at, const char *how)
{
	static const char *const whole[] = {
		"clear", "rebuild", "popitem", "popleft",
	};
	if (in_list(how, whole, ARRAY_SIZE(whole)))
		return true;
	uint32_t start = func >= 0 ? f->m.funcs.v[func].start : 0;
	for (TSNode cur = at, p = ts_node_parent(at);
	     !ts_node_is_null(p) && ts_node_start_byte(p) >= start;
	     cur = p, p = ts_node_parent(p)) {
		unsigned k = fl_kind(f, p);
		/* in the loop's body: `for x in d.pop(k):` pops once */
		if ((k == PK_for_statement || k == PK_while_statement) &&
		    ts_node_eq(fl_child(f, p, F_body), cur))
			return true;
		if (k == PK_function_definition || k == PK_lambda)
			break;
	}
	return false;
}

/* Facts: containers swept by code that is not itself a cleanup-named
 * function -- they are kept in check by code that runs. */
static void live_removal(void *ud, int func, TSNode at, const char *what,
			 const char *key, const char *how)
{
	struct fl_file *f = ud;
	(void)what;
	if ((func >= 0 && cleanup_name(f->m.funcs.v[func].name)) ||
	    !sweeps(f, func, at, how))
		return;
	fl_fact(f, FACT_SHRINK, arena_printf(f->a, "live:%s", key), at);
}

static void on_delete(struct fl_file *f, TSNode n)
{
	del_removals(f, n, model_func_at(&f->m, ts_node_start_byte(n)),
		     live_removal, f);
}

static void check(struct fl_file *f)
{
	py_record_class_facts(f);
	model_removals(f, live_removal, f);
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (!candidate(f, fn))
			continue;
		fl_fact(f, FACT_DEFINES, fn->name, fn->node);
		fl_mention(f, &check_cleanup_never_called, FACT_DEFINES,
			   fn->name, FACT_NAME_USED, fn->name);
	}
}

/* ------------------------------------------------------------------ */
/* Global phase: what the unreferenced function would remove           */

struct removal {
	TSNode at;
	const char *what, *key, *how;
	bool elsewhere;       /* also trimmed by code that runs */
	TSNode other_at;      /* where, when in this file */
	int other_func;
};

struct evidence {
	struct fl_file *f;
	const struct fl_func *fn;
	struct removal r[4];
	size_t nr;
	TSNode other_at;      /* a file deleted, another cleanup called... */
	const char *other;
};

static bool inside(const struct fl_func *outer, int func,
		   const struct fl_model *m)
{
	if (func < 0)
		return false;
	const struct fl_func *inner = &m->funcs.v[func];
	return inner->start >= outer->start && inner->end <= outer->end;
}

static void own_removal(void *ud, int func, TSNode at, const char *what,
			const char *key, const char *how)
{
	struct evidence *ev = ud;
	if (!inside(ev->fn, func, &ev->f->m))
		return;
	for (size_t i = 0; i < ev->nr; i++)
		if (!strcmp(ev->r[i].what, what))
			return;
	if (ev->nr < ARRAY_SIZE(ev->r))
		ev->r[ev->nr++] = (struct removal){at, what, key, how, false,
						   at, -1};
}

/* The same container trimmed by another function of this file (the live
 * facts cover the other files). */
static void other_removal(void *ud, int func, TSNode at, const char *what,
			  const char *key, const char *how)
{
	struct evidence *ev = ud;
	struct fl_file *f = ev->f;
	(void)what;
	if (inside(ev->fn, func, &f->m) || !sweeps(f, func, at, how))
		return;
	/* another cleanup nothing calls trims nothing */
	if (func >= 0 && cleanup_name(f->m.funcs.v[func].name) &&
	    !fl_has_fact(f, FACT_NAME_USED, f->m.funcs.v[func].name))
		return;
	for (size_t i = 0; i < ev->nr; i++)
		if (!ev->r[i].elsewhere && !strcmp(ev->r[i].key, key)) {
			ev->r[i].elsewhere = true;
			ev->r[i].other_at = at;
			ev->r[i].other_func = func;
		}
}

struct del_walk {
	struct evidence *ev;
	int func;
};

static enum fl_visit find_dels(void *ud, TSNode n)
{
	struct del_walk *dw = ud;
	struct fl_file *f = dw->ev->f;
	unsigned k = fl_kind(f, n);
	if (k == PK_class_definition)
		return FL_SKIP;
	if (k == PK_assignment) {
		/* class Threads(list): self[:] = [t for t in self if ...] */
		TSNode left = fl_child(f, n, F_left);
		if (fl_kind(f, left) == PK_subscript &&
		    fl_text_eq(f, fl_child(f, left, F_value), "self"))
			own_removal(dw->ev, dw->func, left, "self", "self",
				    "rebuild");
		return FL_DESCEND;
	}
	if (k != PK_delete_statement)
		return FL_DESCEND;
	del_removals(f, n, dw->func, own_removal, dw->ev);
	return FL_SKIP;
}

/* for mapping in (self._by_sender, self._by_receiver): mapping.pop(k):
 * the removal is from those attributes.  Replaces removal i by one per
 * attribute the loop walks over. */
static void through_loop(struct evidence *ev, size_t i)
{
	struct fl_file *f = ev->f;
	const char *var = ev->r[i].what;
	if (strchr(var, '.'))
		return;
	for (TSNode p = ts_node_parent(ev->r[i].at);
	     !ts_node_is_null(p) && ts_node_start_byte(p) >= ev->fn->start;
	     p = ts_node_parent(p)) {
		if (fl_kind(f, p) != PK_for_statement ||
		    !fl_text_eq(f, fl_child(f, p, F_left), var))
			continue;
		TSNode seq = fl_unparen(f, fl_child(f, p, F_right));
		if (fl_kind(f, seq) != PK_tuple && fl_kind(f, seq) != PK_list)
			return;
		struct removal r = ev->r[i];
		uint32_t n = ts_node_named_child_count(seq);
		bool first = true;
		for (uint32_t k = 0; k < n; k++) {
			TSNode e = ts_node_named_child(seq, k);
			if (fl_kind(f, e) != PK_attribute ||
			    !fl_text_eq(f, fl_child(f, e, F_object), "self"))
				continue;
			const char *what = fl_text(f, e);
			const char *key = fl_text(f, fl_child(f, e, F_attribute));
			if (first)
				ev->r[i].what = what, ev->r[i].key = key;
			else if (ev->nr < ARRAY_SIZE(ev->r))
				ev->r[ev->nr++] = (struct removal){
					r.at, what, key, r.how, false, r.at, -1};
			first = false;
		}
		return;
	}
}

static void gather(struct fl_file *f, int fi, struct evidence *ev)
{
	const struct fl_func *fn = &f->m.funcs.v[fi];
	memset(ev, 0, sizeof(*ev));
	ev->f = f;
	ev->fn = fn;
	model_removals(f, own_removal, ev);
	struct del_walk dw = {ev, fi};
	TSNode body = fl_child(f, fn->node, F_body);
	if (!ts_node_is_null(body))
		fl_preorder(body, find_dels, &dw);
	for (size_t i = 0, n = ev->nr; i < n; i++)
		through_loop(ev, i);
	model_removals(f, other_removal, ev);
	for (size_t i = 0; i < ev->nr; i++)
		if (fl_has_fact(f, FACT_SHRINK,
				arena_printf(f->a, "live:%s", ev->r[i].key)))
			ev->r[i].elsewhere = true;
	static const char *const file_removal[] = {
		"os.remove", "os.unlink", "os.rmdir", "shutil.rmtree",
		"os.removedirs",
	};
	static const char *const other_methods[] = {
		"unlink", "rmtree", "rmdir", "delete", "delete_many",
		"close", "kill", "terminate", "cancel", "invalidate",
	};
	/* self.clear(domain), self._remove(key): the class's own removal */
	static const char *const own_removals[] = {
		"remove", "delete", "discard", "pop", "clear", "drop", "evict",
		"forget", "unregister", "expire", "purge", "prune", "cleanup",
	};
	for (uint32_t i = fn->call_begin; i < fn->call_end && !ev->other; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (!c->method || !c->callee)
			continue;
		bool on_self = !strncmp(c->callee, "self.", 5) &&
			       !strchr(c->callee + 5, '.');
		if ((c->qname && in_list(c->qname, file_removal,
					 ARRAY_SIZE(file_removal))) ||
		    in_list(c->method, other_methods,
			    ARRAY_SIZE(other_methods)) ||
		    (on_self && py_name_starts(c->method, own_removals,
					       ARRAY_SIZE(own_removals)) &&
		     strcmp(c->method, fn->name)) ||
		    (cleanup_name(c->method) && strcmp(c->method, fn->name))) {
			ev->other = c->callee;
			ev->other_at = c->node;
		}
	}
}

/* Where a container of the function's class gains entries, outside the
 * function itself; NULL if nowhere. */
static const struct fl_access *growth_of(struct fl_file *f, int fi,
					 const char *attr)
{
	const struct fl_func *fn = &f->m.funcs.v[fi];
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func < 0 || strcmp(a->name, attr) || !py_grows(a) ||
		    inside(fn, a->func, &f->m))
			continue;
		if (f->m.funcs.v[a->func].cls == fn->cls &&
		    !py_is_init_func(f, a->func))
			return a;
	}
	return NULL;
}

static bool built_by_prefix(struct fl_file *f, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 1; i + 1 < len; i++) {
		if (name[i] != '_' || name[i - 1] == '_')
			continue;
		const char *key = arena_printf(f->a, "prefix:%.*s", (int)i + 1,
					       name);
		if (fl_has_fact(f, FACT_NAME_USED, key))
			return true;
	}
	return false;
}

/* 'a', 'a' and 'b', 'a', 'b' and 'c': the removals trimmed elsewhere
 * (or not). */
static void join_removals(struct strbuf *sb, const struct evidence *ev,
			  bool elsewhere)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < ev->nr; i++)
		n += ev->r[i].elsewhere == elsewhere;
	for (size_t i = 0; i < ev->nr; i++) {
		if (ev->r[i].elsewhere != elsewhere)
			continue;
		strbuf_addf(sb, "%s'%s'",
			    !k ? "" : k + 1 == n ? " and " : ", ", ev->r[i].what);
		k++;
	}
}

static enum fl_confidence lower(enum fl_confidence a, enum fl_confidence b)
{
	return a < b ? a : b;
}

static void report(struct fl_file *f, int fi, bool tests_only)
{
	const struct fl_func *fn = &f->m.funcs.v[fi];
	bool private = fn->name[0] == '_';
	const char *cls = fn->cls >= 0 ? f->m.classes.v[fn->cls].name : NULL;
	enum fl_confidence conf = CONF_HIGH;
	enum py_bases bases = BASES_NONE;
	const char *base = NULL;
	const struct fl_call *dispatch = NULL;
	if (cls) {
		/* a public method of a library class may be its users' to
		 * call; a service's is the service's own */
		if (!private)
			conf = py_long_lived_class(cls) ? CONF_MEDIUM : CONF_LOW;
		bases = py_class_bases(f, fn->cls, &base);
		/* getattr(self, "do_" + command)(): a method may be called
		 * by a name made at run time */
		dispatch = py_class_getattr_self(f, fn->cls);
		if (dispatch)
			conf = CONF_LOW;
		/* class Cache(cachetools.TTLCache): def expire(...): the
		 * framework calls its own hook */
		if (bases == BASES_EXTERNAL ||
		    py_is_decorated(f, f->m.classes.v[fn->cls].node))
			conf = CONF_LOW;
		else if (bases == BASES_PROGRAM_DEEP)
			conf = lower(conf, CONF_MEDIUM);
	} else if (fn->parent < 0 && !private) {
		/* def cleanup(): ... at module level: library API, or a
		 * command-line entry point named in packaging metadata */
		conf = CONF_LOW;
	}
	struct evidence ev;
	gather(f, fi, &ev);
	/* the containers that nothing else trims: those accumulate */
	size_t nacc = 0;
	for (size_t i = 0; i < ev.nr; i++)
		nacc += !ev.r[i].elsewhere;
	struct strbuf acc = STRBUF_INIT, trimmed = STRBUF_INIT;
	join_removals(&acc, &ev, false);
	join_removals(&trimmed, &ev, true);
	/* nothing removed that we can see, or only containers that other
	 * code trims anyway: dead code more than a leak */
	if (!nacc && !ev.other)
		conf = CONF_LOW;
	if (tests_only)
		conf = lower(conf, private ? CONF_MEDIUM : CONF_LOW);

	const char *never = tests_only
				    ? "is called only from tests, never by the "
				      "program itself"
				    : "is never called anywhere in the program";
	TSNode name = fl_child(f, fn->node, F_name);
	const struct fl_check *ck = &check_cleanup_never_called;
	struct fl_finding *fd;
	if (nacc)
		fd = fl_report(f, ck, name, conf,
			       "'%s' %s: the stale entries it would remove "
			       "from %s accumulate",
			       fn->qualname, never, acc.buf);
	else if (ev.other)
		fd = fl_report(f, ck, name, conf,
			       "'%s' %s: the cleanup it does ('%s') never "
			       "happens",
			       fn->qualname, never, ev.other);
	else if (ev.nr)
		fd = fl_report(f, ck, name, conf,
			       "'%s' %s; other code also removes entries from "
			       "%s, so it may be dead code rather than a leak",
			       fn->qualname, never, trimmed.buf);
	else
		fd = fl_report(f, ck, name, conf,
			       "'%s' %s: whatever it was meant to clean up is "
			       "never cleaned up",
			       fn->qualname, never);
	strbuf_release(&acc);
	strbuf_release(&trimmed);
	if (cls)
		fl_trace(f, fd, name, "'%s' is defined here, a method of '%s'",
			 fn->name, cls);
	else
		fl_trace(f, fd, name, "'%s' is defined here", fn->name);
	for (size_t i = 0; i < ev.nr; i++) {
		const struct removal *r = &ev.r[i];
		if (!strcmp(r->how, "del"))
			fl_trace(f, fd, r->at, "it deletes entries of '%s'",
				 r->what);
		else if (!strcmp(r->how, "rebuild"))
			fl_trace(f, fd, r->at,
				 "it rebuilds '%s' without the stale entries",
				 r->what);
		else
			fl_trace(f, fd, r->at,
				 "it removes entries from '%s' ('%s')", r->what,
				 r->how);
		const struct fl_access *g =
			cls && !strncmp(r->what, "self.", 5)
				? growth_of(f, fi, r->key)
				: NULL;
		if (r->elsewhere && r->other_func >= 0)
			fl_trace(f, fd, r->other_at,
				 "'%s' removes entries from it too",
				 f->m.funcs.v[r->other_func].qualname);
		else if (r->elsewhere)
			fl_trace(f, fd, r->other_at,
				 "code elsewhere in the program removes entries "
				 "from a container named '%s' too",
				 r->key);
		else if (g)
			fl_trace(f, fd, g->node, "'%s' gains entries in '%s'",
				 r->what, f->m.funcs.v[g->func].qualname);
	}
	if (!nacc && ev.other)
		fl_trace(f, fd, ev.other_at, "it calls '%s'", ev.other);
	if (dispatch)
		fl_trace(f, fd, dispatch->node,
			 "'%s' looks its own attributes up by names made at run "
			 "time: '%s' may be called that way",
			 cls, fn->name);
	if (bases == BASES_EXTERNAL)
		fl_trace(f, fd, f->m.classes.v[fn->cls].node,
			 "'%s' derives from '%s', which the scanned program "
			 "does not define: it may call '%s' by name",
			 cls, base, fn->name);
	if (tests_only)
		fl_trace(f, fd, name,
			 "only test code refers to '%s': nothing in the program "
			 "calls it, schedules it or passes it as a callback",
			 fn->name);
	else
		fl_trace(f, fd, name,
			 "nothing in the scanned program calls '%s', schedules "
			 "it, passes it as a callback, or names it in a string",
			 fn->name);
	fl_set_hint(fd,
		    "call '%s' where the state goes stale -- from a periodic "
		    "task (a maintenance loop, threading.Timer, "
		    "loop.call_later) or from the code that retires entries "
		    "-- or delete it",
		    fn->name);
}

static void revisit(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (!candidate(f, fn) ||
		    fl_has_fact(f, FACT_NAME_USED, fn->name) ||
		    built_by_prefix(f, fn->name))
			continue;
		report(f, (int)i,
		       fl_has_fact(f, FACT_NAME_USED,
				   arena_printf(f->a, "test:%s", fn->name)));
	}
}

static const struct fl_hook hooks[] = {
	{LANG_PYTHON, PK_identifier, on_identifier},
	{LANG_PYTHON, PK_string, on_string},
	{LANG_PYTHON, PK_delete_statement, on_delete},
	{0},
};

const struct fl_check check_cleanup_never_called = {
	.code = "GRW003",
	.name = "cleanup-never-called",
	.family = FAM_GRW,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-401,CWE-459",
	.summary = "A function or method written to remove stale state "
		   "(cleanup, prune, evict, expire, purge, reap...) is never "
		   "called, scheduled or passed as a callback anywhere in the "
		   "program, so the state it would remove accumulates.",
	.fix_hint = "call it periodically or from the code that retires "
		    "entries, or delete it",
	.hooks = hooks,
	.file_end = check,
	.revisit = revisit,
};
