/*
 * GRW001 unbounded-container (Python, C)
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
 *
 * C (check_c): a struct field holding a GLib container (GHashTable,
 * GQueue, GList/GSList, GPtrArray/GArray, GAsyncQueue) that a function
 * adds to, when no file removes from a field of that name (the same
 * FACT_SHRINK facts, keyed by field name).  Handing the field to other
 * code counts as removal; releasing the whole container in a teardown
 * function does not.  High confidence needs a per-event function name
 * (the shared word lists) and a long-lived struct type.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"
#include "../../lang/c/scope.h"

#include <string.h>

static bool is_clock_call(struct fl_file *f, TSNode v);
static bool limit_checked(struct fl_file *f, const struct fl_access *g);

/* What a function's name says about how often it runs, shared by the
 * Python and C parts: per event (on_*, handle*, process*, recv*...), at
 * set-up (register*, init*, load*...), or neither. */
static const char *const event_words[] = {
	"on_",	    "handle",  "process", "receive", "recv",
	"record",   "track",   "dispatch", "forward", "submit",
	"enqueue",  "push",    "publish", "ingest",	 "accept",
	"observe",  "heartbeat", "touch", "mark",	 "note",
	"serve",    "poll",    "tick",	  "deliver", "send",
};
static const char *const setup_words[] = {
	"register", "setup", "set_up", "configure", "load", "init",
	"build", "compile", "install", "define", "declare", "add_",
	"parse", "read", "scan", "collect", "populate",
};

static enum fl_confidence growth_confidence(struct fl_file *f,
					    const struct fl_access *g,
					    bool module)
{
	const char *fn = f->m.funcs.v[g->func].name;
	int ci = f->m.funcs.v[g->func].cls;
	const char *cls = ci >= 0 ? f->m.classes.v[ci].name : "";
	/* Most objects live briefly (a parser, a visitor, a document):
	 * their containers die with them.  Only a long-lived role growing
	 * per event is reported by default. */
	if (f->is_test || (!module && !py_long_lived_class(cls)) ||
	    py_name_starts(fn, setup_words, ARRAY_SIZE(setup_words)) || limit_checked(f, g))
		return CONF_LOW;
	if (py_name_starts(fn, event_words, ARRAY_SIZE(event_words)))
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

/* ------------------------------------------------------------------ */
/* C: GLib containers kept in struct fields                             */

/* Does a word of the C name (module prefixes and all: nice_agent_recv,
 * socket_recv_cb) appear in the list?  Trailing '_' of the Python
 * prefixes ("on_", "add_") is dropped. */
static bool c_name_in(const char *name, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char w[24];
		size_t len = strlen(words[i]);
		if (len >= sizeof(w))
			continue;
		memcpy(w, words[i], len + 1);
		while (len && w[len - 1] == '_')
			w[--len] = '\0';
		const char *one = w;
		if (py_name_has_word(name, &one, 1))
			return true;
	}
	return false;
}

enum c_op { C_OTHER = 0, C_GROW, C_SHRINK, C_READ, C_MAKE };

struct c_family {
	const char *prefix;   /* "g_hash_table_" */
	const char *kind;     /* "GHashTable" */
	const char *const *grow, *const *shrink;
};

static const char *const ht_grow[] = {"insert", "replace", "add", NULL};
static const char *const ht_shrink[] = {
	"remove", "steal", "foreach_remove", "foreach_steal", "destroy",
	"unref", "ref", "remove_all", "steal_all", "steal_extended",
	"iter_init", NULL};
static const char *const q_grow[] = {"push_", "insert_", NULL};
static const char *const q_shrink[] = {"pop_", "remove", "clear", "free",
				       "delete_link", "unlink", "steal", NULL};
static const char *const l_grow[] = {"append", "prepend", "insert", "concat",
				     NULL};
static const char *const l_shrink[] = {"remove", "delete_link", "free",
				       "pop_", NULL};
static const char *const pa_grow[] = {"add", "insert", "extend", NULL};
static const char *const pa_shrink[] = {"remove", "set_size", "free", "unref",
					"ref", "steal", NULL};
static const char *const a_grow[] = {"append_val", "prepend_val",
				     "insert_val", NULL};
static const char *const aq_grow[] = {"push", NULL};
static const char *const aq_shrink[] = {"pop", "try_pop", "timeout_pop",
					"remove", "unref", "ref", NULL};

static const struct c_family c_families[] = {
	{"g_hash_table_", "GHashTable", ht_grow, ht_shrink},
	{"g_queue_", "GQueue", q_grow, q_shrink},
	{"g_list_", "GList", l_grow, l_shrink},
	{"g_slist_", "GSList", l_grow, l_shrink},
	{"g_ptr_array_", "GPtrArray", pa_grow, pa_shrink},
	{"g_array_", "GArray", a_grow, pa_shrink},
	{"g_async_queue_", "GAsyncQueue", aq_grow, aq_shrink},
};

static bool starts(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

/* What a GLib container function does to its first argument. */
static enum c_op c_container_op(const char *callee, const char **kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(c_families); i++) {
		const struct c_family *fm = &c_families[i];
		if (!starts(callee, fm->prefix))
			continue;
		const char *op = callee + strlen(fm->prefix);
		*kind = fm->kind;
		for (size_t k = 0; fm->shrink[k]; k++)
			if (starts(op, fm->shrink[k]))
				return C_SHRINK;
		for (size_t k = 0; fm->grow[k]; k++)
			if (starts(op, fm->grow[k]))
				return C_GROW;
		if (starts(op, "new") || starts(op, "sized_new") ||
		    !strcmp(op, "init"))
			return C_MAKE;
		return C_READ;
	}
	return C_OTHER;
}

struct c_grow {
	const char *field;
	const char *kind;
	TSNode node;            /* the growing call */
	int func;
	enum fl_confidence conf;
};

struct c_scan {
	struct fl_file *f;
	struct c_grow *v;
	size_t n, cap;
	struct c_made {
		const char *field;
		TSNode node;
	} *made;                /* fields given a container in this file */
	size_t nmade, capmade;
};

/* Functions that set an object up or tear it down. */
static bool c_lifecycle(const char *name)
{
	static const char *const words[] = {
		"init", "new", "create", "alloc", "free", "destroy",
		"finalize", "dispose", "cleanup", "deinit", "fini", "clear",
		"reset", "construct", "constructed", "copy", "dup", "class",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

static enum fl_confidence c_growth_confidence(struct fl_file *f, int func,
					      bool long_lived)
{
	const char *fn = f->m.funcs.v[func].name;
	static const char *const cb[] = {"on", "cb", "callback"};
	if (f->is_test || !long_lived ||
	    c_name_in(fn, setup_words, ARRAY_SIZE(setup_words)))
		return CONF_LOW;
	if (c_name_in(fn, event_words, ARRAY_SIZE(event_words)) ||
	    py_name_has_word(fn, cb, ARRAY_SIZE(cb)))
		return CONF_HIGH;
	return CONF_LOW;
}

/* Is the field reached through a struct that is a local of the function
 * (`struct ctx c; g_queue_push_tail(&c.q, x)`)?  It dies with the call. */
static bool c_local_struct(struct fl_file *f, TSNode fe, int func)
{
	TSNode op = ts_node_child_by_field_name(fe, "operator", 8);
	if (ts_node_is_null(op) || !fl_text_eq(f, op, "."))
		return false;
	TSNode base = c_base_var(f, fe);
	return !ts_node_is_null(base) && func >= 0 &&
	       c_is_local(f, f->m.funcs.v[func].node, fl_text(f, base), NULL) &&
	       !c_is_param(f, f->m.funcs.v[func].node, fl_text(f, base));
}

static bool c_teardown(const char *name)
{
	static const char *const words[] = {
		"finalize", "dispose", "free", "destroy", "unref", "cleanup",
		"fini", "deinit",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

/* Does the call release the whole container (g_hash_table_unref,
 * g_list_free_full, g_clear_pointer(&p->x, ...), a project's own
 * table_free) rather than take entries out of it (remove, steal, pop)? */
static bool c_destroys(const char *callee, enum c_op op)
{
	static const char *const takes[] = {"remove", "steal", "pop",
					    "delete_link", "unlink",
					    "set_size", "foreach_remove"};
	if (!callee)
		return false;
	if (op == C_OTHER)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(takes); i++)
		if (strstr(callee, takes[i]))
			return false;
	return true;
}

static bool c_initialiser(const char *name)
{
	static const char *const words[] = {
		"init", "new", "create", "alloc", "construct", "constructed",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

static void c_made(struct c_scan *sc, const char *field, TSNode at)
{
	for (size_t i = 0; i < sc->nmade; i++)
		if (!strcmp(sc->made[i].field, field))
			return;
	sc->made = arena_grow(sc->f->a, sc->made, &sc->capmade, sc->nmade,
			      sizeof(*sc->made));
	sc->made[sc->nmade++] = (struct c_made){field, at};
}

struct c_type_scan {
	struct fl_file *f;
	const char *type;
};

static bool c_type_cb(void *ud, const TSNode *path, size_t n)
{
	struct c_type_scan *s = ud;
	struct fl_file *f = s->f;
	for (size_t i = n - 1; i-- > 0;) {
		unsigned k = fl_kind(f, path[i]);
		if (k == CK_pointer_declarator || k == CK_array_declarator ||
		    k == CK_parenthesized_declarator ||
		    k == CK_attributed_declarator ||
		    (k == CK_init_declarator &&
		     ts_node_eq(fl_child(f, path[i], F_declarator), path[i + 1])))
			continue;
		if ((k == CK_declaration || k == CK_parameter_declaration) &&
		    !ts_node_eq(fl_child(f, path[i], F_type), path[i + 1])) {
			s->type = fl_text(f, fl_child(f, path[i], F_type));
			return false;
		}
		break;
	}
	return true;
}

/* Does the struct the field belongs to live as long as the program?  By
 * the type of the variable it is reached through (`GDBusConnection
 * *connection`, `Relay *r = data`, `struct peer_table *t`): a role such as
 * server, connection, agent, relay, pool, registry or table (py's
 * long-lived roles), or a global. */
static bool c_long_lived(struct fl_file *f, TSNode fe, int func)
{
	static const char *const extra[] = {"table", "daemon", "state"};
	TSNode base = c_base_var(f, fe);
	if (ts_node_is_null(base) || func < 0)
		return false;
	const char *name = fl_text(f, base);
	struct c_type_scan s = {f, NULL};
	fl_find_names(f, f->m.funcs.v[func].node, name, c_type_cb, &s);
	if (!s.type)
		return c_global_type(f, name) != NULL;
	char buf[96];
	size_t len = strlen(s.type);
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s.type, len + 1);
	/* GDBusConnectionPrivate, NiceAgentPriv: the object's own part */
	static const char *const tails[] = {"Private", "Priv", "_private",
					    "_priv", "_t"};
	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		size_t tl = strlen(tails[i]);
		if (len > tl && !strcmp(buf + len - tl, tails[i])) {
			buf[len - tl] = '\0';
			break;
		}
	}
	return py_long_lived_class(buf) ||
	       c_name_in(buf, extra, ARRAY_SIZE(extra));
}

struct c_fresh_scan {
	struct fl_file *f;
	bool fresh;
};

static bool c_fresh_cb(void *ud, const TSNode *path, size_t n)
{
	static const char *const makers[] = {"new", "alloc", "create", "dup",
					     "copy", "malloc", "calloc"};
	struct c_fresh_scan *s = ud;
	struct fl_file *f = s->f;
	size_t i = n - 1;
	while (i >= 2 && fl_kind(f, path[i - 1]) == CK_pointer_declarator)
		i--; /* T *m = ... */
	if (i < 1)
		return true;
	TSNode p = path[i - 1], v = {{0}, NULL, NULL};
	unsigned k = fl_kind(f, p);
	if (k == CK_init_declarator &&
	    ts_node_eq(fl_child(f, p, F_declarator), path[i]))
		v = fl_child(f, p, F_value);
	else if (k == CK_assignment_expression &&
		 ts_node_eq(fl_child(f, p, F_left), path[i]))
		v = fl_child(f, p, F_right);
	v = c_plain(f, v);
	if (fl_kind(f, v) != CK_call_expression)
		return true;
	const char *callee = c_callee(f, v);
	for (size_t m = 0; callee && m < ARRAY_SIZE(makers); m++)
		if (strstr(callee, makers[m])) { /* g_new0, g_slice_new0 */
			s->fresh = true;
			return false;
		}
	return true;
}

/* `Message *m = message_new (); m->parts = g_list_append (m->parts, x)`:
 * the struct is made by this call and dies with what it is for. */
static bool c_fresh_struct(struct fl_file *f, TSNode fe, int func)
{
	TSNode base = c_base_var(f, fe);
	if (ts_node_is_null(base) || func < 0)
		return false;
	struct c_fresh_scan s = {f, false};
	fl_find_names(f, f->m.funcs.v[func].node, fl_text(f, base), c_fresh_cb,
		      &s);
	return s.fresh;
}

static enum fl_visit c_visit(void *ud, TSNode n)
{
	struct c_scan *sc = ud;
	struct fl_file *f = sc->f;
	if (fl_kind(f, n) != CK_field_expression)
		return FL_DESCEND;
	/* climb over casts, parentheses and `&` to the context */
	TSNode at = n, p = ts_node_parent(n);
	for (int i = 0; i < 8 && !ts_node_is_null(p); i++) {
		unsigned k = fl_kind(f, p);
		if (k == CK_parenthesized_expression || k == CK_cast_expression ||
		    (k == CK_pointer_expression &&
		     f->src[ts_node_start_byte(p)] == '&')) {
			at = p;
			p = ts_node_parent(p);
			continue;
		}
		break;
	}
	if (ts_node_is_null(p))
		return FL_DESCEND;
	TSNode fld = fl_child(f, n, F_field);
	if (ts_node_is_null(fld))
		return FL_DESCEND;
	const char *name = fl_text(f, fld);
	int func = model_func_at(&f->m, ts_node_start_byte(n));
	unsigned pk = fl_kind(f, p);
	if (pk == CK_argument_list) {
		TSNode call = ts_node_parent(p);
		const char *callee = c_callee(f, call);
		const char *kind = NULL;
		enum c_op op = callee ? c_container_op(callee, &kind) : C_OTHER;
		bool first = ts_node_eq(ts_node_named_child(p, 0), at);
		if (!first || op == C_OTHER || op == C_SHRINK) {
			/* removed from, or handed to code that may remove */
			if (!(first && func >= 0 &&
			      c_teardown(f->m.funcs.v[func].name) &&
			      c_destroys(callee, op)))
				fl_fact(f, FACT_SHRINK, name, n);
			return FL_DESCEND;
		}
		if (op == C_MAKE) { /* g_queue_init(&p->q) */
			c_made(sc, name, call);
			return FL_DESCEND;
		}
		if (op != C_GROW || func < 0 || c_local_struct(f, n, func) ||
		    c_fresh_struct(f, n, func) ||
		    c_lifecycle(f->m.funcs.v[func].name))
			return FL_DESCEND;
		sc->v = arena_grow(f->a, sc->v, &sc->cap, sc->n, sizeof(*sc->v));
		sc->v[sc->n++] = (struct c_grow){name, kind, call, func,
						 c_growth_confidence(
						 f, func, c_long_lived(f, n, func))};
		return FL_DESCEND;
	}
	if (pk == CK_assignment_expression &&
	    ts_node_eq(fl_child(f, p, F_left), at)) {
		TSNode r = c_plain(f, fl_child(f, p, F_right));
		const char *callee = fl_kind(f, r) == CK_call_expression
					     ? c_callee(f, r)
					     : NULL;
		const char *kind = NULL;
		enum c_op op = callee ? c_container_op(callee, &kind) : C_OTHER;
		if (op == C_GROW || op == C_SHRINK || op == C_READ)
			return FL_DESCEND; /* x = g_list_append(x, ...) */
		if (op == C_MAKE) { /* p->peers = g_hash_table_new(...) */
			c_made(sc, name, p);
			return FL_DESCEND;
		}
		/* `p->list = NULL` in an initialiser starts it empty */
		if (func >= 0 && c_initialiser(f->m.funcs.v[func].name) &&
		    fl_kind(f, r) == CK_null)
			c_made(sc, name, p);
		else
			fl_fact(f, FACT_SHRINK, name, n);
		return FL_DESCEND;
	}
	/* handed on: `t = p->peers`, `T *t = p->peers`, `return p->peers` */
	if ((pk == CK_assignment_expression &&
	     ts_node_eq(fl_child(f, p, F_right), at) &&
	     fl_kind(f, ts_node_parent(p)) != CK_for_statement) ||
	    pk == CK_init_declarator || pk == CK_return_statement ||
	    pk == CK_initializer_list)
		fl_fact(f, FACT_SHRINK, name, n);
	return FL_DESCEND;
}

/* A struct field holding a GLib container that a per-event function adds
 * to; reported on the condition that no file of the program removes from
 * a field of that name (FACT_SHRINK, shared with the Python part). */
static void check_c(struct fl_file *f)
{
	struct c_scan sc = {0};
	sc.f = f;
	fl_preorder(f->root, c_visit, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		const struct c_grow *g = &sc.v[i];
		/* one finding per field: its most confident growth */
		bool dup = false;
		for (size_t k = 0; k < sc.n && !dup; k++)
			dup = k != i && !strcmp(sc.v[k].field, g->field) &&
			      (sc.v[k].conf > g->conf ||
			       (sc.v[k].conf == g->conf && k < i));
		if (dup)
			continue;
		const struct c_made *m = NULL;
		for (size_t k = 0; k < sc.nmade && !m; k++)
			if (!strcmp(sc.made[k].field, g->field))
				m = &sc.made[k];
		bool list = !strcmp(g->kind, "GList") || !strcmp(g->kind, "GSList");
		enum fl_confidence conf = m || list ? g->conf : CONF_LOW;
		const struct fl_func *gf = &f->m.funcs.v[g->func];
		struct fl_finding *fd = fl_report(
			f, &check_unbounded_container, g->node, conf,
			"'->%s' (a %s) gains entries in '%s' and nothing in the "
			"program ever removes any: it grows for the life of the "
			"struct",
			g->field, g->kind, gf->name);
		if (m)
			fl_trace(f, fd, m->node, "'->%s' is created here",
				 g->field);
		fl_trace(f, fd, g->node, "'%s' adds to it each time it runs",
			 gf->name);
		fl_trace(f, fd, g->node,
			 "no remove, steal, pop, set_size or reassignment of a "
			 "field named '%s' anywhere in the scanned program, and "
			 "it is never handed to other code (releasing it in a "
			 "finalizer ends the struct's life, it does not bound "
			 "the container)",
			 g->field);
		fl_set_hint(fd, "remove the entry when it is done (on "
				"disconnect, close or timeout), or bound the "
				"container");
		fl_require_no_fact(fd, FACT_SHRINK, g->field, NULL);
	}
}

/* Every candidate is reported here, kept by the global phase only if no
 * file of the program removes from an attribute of that name (a
 * conditional finding: no second pass over the file). */
static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
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
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-401,CWE-770",
	.summary = "A container kept on a long-lived object or at module "
		   "level gains entries while the program runs and nothing "
		   "ever removes any, so it grows without bound.",
	.fix_hint = "remove entries when done, or bound the container",
	.file_end = check,
};
