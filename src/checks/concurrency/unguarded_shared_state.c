/*
 * CON010 unguarded-shared-state (Python)
 *
 * Two heuristics over the accesses of one class's attributes (self.x),
 * and the same two over module globals (check_globals):
 *
 * Lockset deviance (Engler et al., "Bugs as Deviant Behavior"): when most
 * accesses to self.x happen with a lock held -- inside `with self._lock:`
 * (or a Condition, an RLock...), between `self._lock.acquire()` and
 * `release()`, or in a private method every caller of which holds the
 * lock -- an access that changes self.x without that lock is probably a
 * mistake.  The counts set the confidence and appear in the message
 * ("guarded by 'self._lock' at 9 of 10 accesses").  Changes are compound
 * updates (`+=`, `self.n = self.n + 1`, `d[k] += 1`), item stores and
 * deletions, mutating method calls (`.append`, `.pop`...), and iterating
 * over it (`for k in self.d:` -- "dictionary changed size during
 * iteration" when another thread inserts); plain reads and plain
 * rebinding (`self.x = v`, atomic in CPython) are not reported.
 *
 * Shared without any lock: when a method runs on a thread the class
 * starts (threading.Thread/Timer target, executor.submit/map,
 * run_in_executor, Thread.run -- see threads.c) and self.x is never
 * accessed under a lock, it reports a compound update in code that runs
 * on several threads at once (a pool), a compound update on one side with
 * a change on the other, and an iteration on one side with a change of
 * size on the other.
 *
 * Not reported: initialisers (`__init__`, `__post_init__`, `setUp`...);
 * coroutines against each other (one event loop runs code between awaits
 * atomically; races across an await are CON009's) -- a coroutine against
 * a thread is a pair like any other, but never counts in deviance; methods named *_locked / *_unlocked /
 * *_nolock (by convention the caller holds the lock); asyncio locks;
 * attributes that are themselves locks, events, queues or other
 * thread-safe objects.
 */
#include "../../core/file.h"
#include "../../core/cfg.h"
#include "../../lang/python/api.h"
#include "c_locks.h"

#include <string.h>

#define MAX_LOCKS 16

struct locks {
	const char *name[MAX_LOCKS]; /* attribute ("_lock") or global name */
	size_t n;
};

static void add_lock(struct locks *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return;
	if (l->n < MAX_LOCKS)
		l->name[l->n++] = name;
}

/* `self._lock.acquire()` earlier in the function with no release of it
 * in between. */
static void acquired_locks(struct fl_file *f, int func, uint32_t at,
			   struct locks *out)
{
	const struct fl_func *fn = &f->m.funcs.v[func];
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func != func || !c->method || !c->callee ||
		    ts_node_start_byte(c->node) >= at ||
		    strcmp(c->method, "acquire") ||
		    strlen(c->callee) <= strlen("acquire"))
			continue;
		const char *recv = c->callee;
		size_t rl = strlen(recv) - strlen("acquire") - 1;
		bool released = false;
		for (uint32_t k = i + 1; k < fn->call_end && !released; k++) {
			const struct fl_call *r = &f->m.calls.v[k];
			released = r->func == func && r->method && r->callee &&
				   !strcmp(r->method, "release") &&
				   ts_node_start_byte(r->node) < at &&
				   strlen(r->callee) == rl + 8 &&
				   !strncmp(r->callee, recv, rl);
		}
		if (released)
			continue;
		const char *dot = NULL;
		for (size_t k = 0; k < rl; k++)
			if (recv[k] == '.')
				dot = recv + k;
		const char *last = arena_strndup(
			f->a, dot ? dot + 1 : recv, rl - (dot ? (size_t)(dot + 1 - recv) : 0));
		if (!py_lock_name(last))
			continue;
		/* "self._lock" and "_lock" as written; a lock further
		 * down (self.state.lock) by its last name */
		bool own = !dot || (!strncmp(recv, "self.", 5) &&
				    dot == recv + 4);
		add_lock(out, own ? arena_strndup(f->a, recv, rl) : last);
	}
}

/* Locks held at node byte `at` of function func of class ci, lexically. */
static void held_at(struct fl_file *f, int ci, int func, int with,
		    uint32_t at, struct locks *out)
{
	out->n = 0;
	for (int w = with; w >= 0; w = f->m.withs.v[w].parent) {
		for (size_t k = (size_t)w; k < f->m.withs.n; k++) {
			const struct fl_with *wi = &f->m.withs.v[k];
			if (wi->first != w)
				break;
			const char *l = py_with_lock(f, ci, wi->value);
			if (l)
				add_lock(out, fl_kind(f, fl_unparen(f, wi->value)) ==
							      PK_attribute
						      ? arena_printf(f->a, "self.%s", l)
						      : l);
		}
	}
	acquired_locks(f, func, at, out);
}

/* The innermost with-item of func enclosing byte `at` (first item of its
 * statement), or -1: for calls, which carry no with index. */
static int with_around(struct fl_file *f, int func, uint32_t at)
{
	int best = -1;
	for (size_t k = 0; k < f->m.withs.n; k++) {
		const struct fl_with *wi = &f->m.withs.v[k];
		if (wi->func != func || wi->first != (int)k)
			continue;
		TSNode stmt = wi->item;
		while (!ts_node_is_null(stmt) &&
		       fl_kind(f, stmt) != PK_with_statement)
			stmt = ts_node_parent(stmt);
		TSNode body = fl_child(f, stmt, F_body);
		if (ts_node_start_byte(body) <= at && at < ts_node_end_byte(body))
			best = (int)k; /* later items are nested deeper */
	}
	return best;
}

static bool is_init(struct fl_file *f, int func)
{
	return py_is_init_func(f, func) ||
	       !strcmp(f->m.funcs.v[func].name, "__del__");
}

/* Methods the caller is expected to call with the lock held. */
static bool caller_holds(const char *name)
{
	size_t n = strlen(name);
	static const char *const sfx[] = {"_locked", "_unlocked", "_nolock",
					  "_no_lock", "_while_locked"};
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && !strcmp(name + n - k, sfx[i]))
			return true;
	}
	return false;
}

struct ctx {
	struct fl_file *f;
	int ci;
	/* per function of the class: locks every in-class caller holds
	 * (computed for private methods only) */
	struct locks *callers;
};

/* Locks all callers of private function fi hold (empty if any caller
 * holds none, or there is none): a method called as self.name() from its
 * class (ci), a module function called by its bare name (ci -1). */
static void caller_locks(struct fl_file *f, int ci, int fi, struct locks *out)
{
	out->n = 0;
	const char *name = f->m.funcs.v[fi].name;
	if (name[0] != '_' || (name[1] == '_' && name[strlen(name) - 1] == '_'))
		return;
	if (ci < 0 && f->m.funcs.v[fi].parent >= 0)
		return;
	bool first = true;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		if (ci >= 0 ? f->m.funcs.v[c->func].cls != ci ||
				      strncmp(c->callee, "self.", 5) ||
				      strcmp(c->callee + 5, name)
			    : strcmp(c->callee, name) != 0)
			continue;
		struct locks h;
		uint32_t at = ts_node_start_byte(c->node);
		held_at(f, f->m.funcs.v[c->func].cls, c->func,
			with_around(f, c->func, at), at, &h);
		if (first) {
			*out = h;
			first = false;
			continue;
		}
		/* intersect */
		size_t k = 0;
		for (size_t j = 0; j < out->n; j++) {
			bool in = false;
			for (size_t m = 0; m < h.n && !in; m++)
				in = !strcmp(h.name[m], out->name[j]);
			if (in)
				out->name[k++] = out->name[j];
		}
		out->n = k;
	}
}

enum change { CH_NONE, CH_READ, CH_WRITE, CH_MUTATE, CH_RMW, CH_ITER };

/* The accesses a belongs with: self.x ones, or bare names. */
struct accs {
	const struct fl_access *v;
	size_t n;
};

/* Does the value of assignment asg read the attribute a stores to? */
static bool value_reads(struct fl_file *f, const struct accs *all,
			const struct fl_access *a, TSNode asg)
{
	if (fl_kind(f, asg) != PK_assignment)
		return false;
	TSNode rhs = fl_child(f, asg, F_right);
	if (ts_node_is_null(rhs))
		return false; /* self.x: int */
	uint32_t s = ts_node_start_byte(rhs), e = ts_node_end_byte(rhs);
	for (size_t i = 0; i < all->n; i++) {
		const struct fl_access *b = &all->v[i];
		uint32_t bs = ts_node_start_byte(b->node);
		if (b->func == a->func && bs >= s && bs < e &&
		    !strcmp(b->name, a->name))
			return true;
	}
	return false;
}

/* `self.n = self.n + 1`: a store whose value reads the same attribute. */
static bool store_reads_itself(struct fl_file *f, const struct accs *all,
			       const struct fl_access *a)
{
	return value_reads(f, all, a, py_access_assignment(f, a));
}

/* `d[k] = d.get(k, 0) + 1` / `d[k] = d[k] + v`: an item store whose value
 * reads the same container. */
static bool item_store_reads_itself(struct fl_file *f, const struct accs *all,
				    const struct fl_access *a)
{
	return value_reads(f, all, a,
			   ts_node_parent(ts_node_parent(a->node)));
}

/* for x in self.d / self.d.items() / comprehension over them */
static bool iterated(struct fl_file *f, const struct fl_access *a)
{
	TSNode n = a->node;
	if (a->kind == ACC_CALL) {
		static const char *const views[] = {"items", "keys", "values"};
		bool view = false;
		for (size_t i = 0; i < ARRAY_SIZE(views) && !view; i++)
			view = !strcmp(a->method, views[i]);
		if (!view)
			return false;
		n = ts_node_parent(ts_node_parent(n)); /* the call */
	} else if (a->kind != ACC_LOAD) {
		return false;
	}
	TSNode p = ts_node_parent(n);
	unsigned k = fl_kind(f, p);
	return (k == PK_for_statement || k == PK_for_in_clause) &&
	       ts_node_eq(fl_child(f, p, F_right), n);
}

static enum change classify(struct fl_file *f, const struct accs *all,
			    const struct fl_access *a)
{
	switch (a->kind) {
	case ACC_RMW:
	case ACC_ITEM_RMW:
		return CH_RMW;
	case ACC_STORE:
		return store_reads_itself(f, all, a) ? CH_RMW : CH_WRITE;
	case ACC_ITEM_STORE:
		return item_store_reads_itself(f, all, a) ? CH_RMW : CH_MUTATE;
	case ACC_ITEM_DEL:
	case ACC_DEL:
		return CH_MUTATE;
	case ACC_CALL: {
		static const char *const more[] = {
			"sort", "reverse", "rotate", "__iadd__",
		};
		if (py_grows(a) || py_shrinks(a))
			return CH_MUTATE;
		for (size_t i = 0; i < ARRAY_SIZE(more); i++)
			if (!strcmp(a->method, more[i]))
				return CH_MUTATE;
		return iterated(f, a) ? CH_ITER : CH_READ;
	}
	case ACC_LOAD:
		return iterated(f, a) ? CH_ITER : CH_READ;
	default:
		return CH_READ;
	}
}

/* Does a change of this kind alter the size of the container? */
static bool resizes(const struct fl_access *a, enum change ch)
{
	return ch == CH_MUTATE &&
	       (a->kind == ACC_ITEM_STORE || a->kind == ACC_ITEM_DEL ||
		py_grows(a) || py_shrinks(a));
}

static const char *change_what(enum change ch)
{
	switch (ch) {
	case CH_RMW:
		return "read-modify-writes";
	case CH_MUTATE:
		return "changes";
	case CH_ITER:
		return "iterates over";
	case CH_WRITE:
		return "rebinds";
	default:
		return "reads";
	}
}

/* An access the rule looks at: in a method of the class (or a function
 * nested in one), not an initialiser.  Coroutines are looked at only
 * against threads (on_loop). */
static bool considered(struct fl_file *f, int ci, const struct fl_access *a)
{
	if (a->func < 0)
		return false;
	int m = a->func;
	while (m >= 0 && f->m.funcs.v[m].cls != ci)
		m = f->m.funcs.v[m].parent;
	if (m < 0 || is_init(f, m) || caller_holds(f->m.funcs.v[m].name))
		return false;
	return true;
}

/* Does the access run on the event loop (in a coroutine, or a function
 * nested in one)?  The loop runs the code between two awaits atomically
 * with respect to other coroutines, so coroutines never race each other
 * here (across an await is CON009's) -- but they do race a thread. */
static bool on_loop(struct fl_file *f, int fi)
{
	for (int m = fi; m >= 0; m = f->m.funcs.v[m].parent)
		if (f->m.funcs.v[m].is_async)
			return true;
	return false;
}

struct site {
	const struct fl_access *a;
	enum change ch;
	struct locks held;
	bool loop;         /* on the event loop: see on_loop() */
};

/* What the accesses are to: an attribute of class ci ('self.x'), or a
 * module global (ci -1, 'x'), defined at `home`. */
struct group {
	int ci;
	TSNode home;
};

static void report_deviant(struct fl_file *f, const struct group *g,
			   const char *attr,
			   const char *lock, struct site *s, size_t ns,
			   size_t guarded, size_t total)
{
	/* one finding per function: its first unguarded change */
	for (size_t i = 0; i < ns; i++) {
		if (s[i].ch != CH_RMW && s[i].ch != CH_MUTATE &&
		    s[i].ch != CH_ITER)
			continue;
		bool held = false;
		for (size_t k = 0; k < s[i].held.n && !held; k++)
			held = !strcmp(s[i].held.name[k], lock);
		if (held)
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			bool jh = false;
			for (size_t k = 0; k < s[j].held.n && !jh; k++)
				jh = !strcmp(s[j].held.name[k], lock);
			seen = !jh && s[j].a->func == s[i].a->func &&
			       (s[j].ch == CH_RMW || s[j].ch == CH_MUTATE ||
				s[j].ch == CH_ITER);
		}
		if (seen)
			continue;
		const struct fl_access *a = s[i].a;
		/* Engler: the more sites agree, the stronger the deviance;
		 * two or three sites prove little */
		enum fl_confidence conf =
			guarded >= 4 && guarded * 5 >= total * 4   ? CONF_HIGH
			: guarded >= 3 && guarded * 4 >= total * 3 ? CONF_MEDIUM
								   : CONF_LOW;
		/* one atomic operation (del d[k], .append) breaks less than
		 * a compound update or an iteration */
		if (s[i].ch == CH_MUTATE && conf > CONF_LOW)
			conf = (enum fl_confidence)(conf - 1);
		if (f->is_test)
			conf = CONF_LOW;
		const struct fl_func *fn = &f->m.funcs.v[a->func];
		/* quote the statement, or the loop header */
		TSNode stmt = a->node;
		for (TSNode p = ts_node_parent(stmt); !ts_node_is_null(p) &&
						      fl_kind(f, p) != PK_block;
		     p = ts_node_parent(p)) {
			if (fl_kind(f, p) == PK_for_statement ||
			    fl_kind(f, p) == PK_for_in_clause)
				break;
			stmt = p;
		}
		struct fl_finding *fd = fl_report(
			f, &check_unguarded_shared_state, a->node, conf,
			"%s'%s' is guarded by '%s' at %zu of %zu "
			"accesses, but '%s' %s it here without the lock: "
			"'%s%s'",
			g->ci >= 0 ? "" : "the module global ", attr, lock, guarded, total, fn->qualname,
			change_what(s[i].ch),
			s[i].ch == CH_ITER ? "for ... in " : "",
			py_one_line(f, stmt));
		/* the example: the first guarded change, else access */
		const struct site *ex = NULL;
		for (size_t j = 0; j < ns; j++) {
			bool jh = false;
			for (size_t k = 0; k < s[j].held.n && !jh; k++)
				jh = !strcmp(s[j].held.name[k], lock);
			if (jh && (!ex || (ex->ch == CH_READ &&
					   s[j].ch != CH_READ)))
				ex = &s[j];
		}
		if (ex)
			fl_trace(f, fd, ex->a->node,
				 "'%s' holds '%s' when it %s '%s'",
				 f->m.funcs.v[ex->a->func].qualname, lock,
				 change_what(ex->ch), attr);
		int st = py_ctx_start(f, a->func);
		if (st >= 0)
			fl_trace(f, fd, f->m.calls.v[st].node,
				 "'%s' runs on the thread started here",
				 fn->qualname);
		fl_trace(f, fd, a->node, "'%s' %s '%s' without holding "
					 "'%s', so %s",
			 fn->name, change_what(s[i].ch), attr, lock,
			 s[i].ch == CH_ITER
				 ? "a thread inside the lock can change its "
				   "size mid-loop"
			 : s[i].ch == CH_RMW
				 ? "an update made under the lock between its "
				   "read and its write is lost"
				 : "code inside the lock sees it change under "
				   "its feet");
		if (s[i].held.n)
			fl_trace(f, fd, a->node,
				 "it holds '%s' here, a different lock: "
				 "the two exclude nothing from each other",
				 s[i].held.name[0]);
		fl_set_hint(fd, "do this under 'with %s:' as the other "
				"accesses do",
			    lock);
		(void)g;
	}
}

/* The context as far as self is concerned: a request handler runs on
 * many threads, but each with its own instance. */
static uint8_t self_ctx(struct fl_file *f, int func)
{
	uint8_t cx = py_func_ctx(f, func);
	return (cx & PYCTX_OWN_SELF) ? 0 : cx;
}

/* ... but all of them share the module's globals. */
static uint8_t group_ctx(struct fl_file *f, const struct group *g, int func)
{
	return g->ci >= 0 ? self_ctx(f, func)
			  : py_func_ctx(f, func) & (uint8_t)~PYCTX_OWN_SELF;
}

static bool ctx_differs(uint8_t a, uint8_t b)
{
	return ((a ^ b) & PYCTX_THREAD) || ((a & b) & PYCTX_MANY);
}

static void report_shared(struct fl_file *f, const struct group *g,
			  const char *attr, struct site *s, size_t ns)
{
	/* one finding per attribute: the strongest pair */
	int best_i = -1, best_j = -1, best_rank = 0;
	for (size_t i = 0; i < ns; i++) {
		uint8_t cx = group_ctx(f, g, s[i].a->func);
		if (!(cx & PYCTX_THREAD))
			continue;
		for (size_t j = 0; j < ns; j++) {
			uint8_t cj = group_ctx(f, g, s[j].a->func);
			if (i != j && !ctx_differs(cx, cj) &&
			    !(cx & PYCTX_MANY))
				continue;
			if (i == j && !(cx & PYCTX_MANY))
				continue;
			int rank = 0;
			enum change a = s[i].ch, b = s[j].ch;
			if (a == CH_RMW && (b == CH_RMW || b == CH_MUTATE))
				rank = 3;
			else if ((a == CH_ITER && resizes(s[j].a, b)) ||
				 (b == CH_ITER && resizes(s[i].a, a)))
				rank = 2;
			else if (b == CH_RMW && a == CH_MUTATE)
				rank = 3;
			if (rank > best_rank) {
				best_rank = rank;
				best_i = (int)i;
				best_j = (int)j;
			}
		}
	}
	if (best_i < 0)
		return;
	const struct site *t = &s[best_i], *o = &s[best_j];
	/* report at the compound update, or at the iteration */
	if (o->ch == CH_RMW && t->ch != CH_RMW)
		t = &s[best_j], o = &s[best_i];
	if (t->ch != CH_RMW && t->ch != CH_ITER && o->ch == CH_ITER)
		t = &s[best_j], o = &s[best_i];
	const struct fl_func *tf = &f->m.funcs.v[t->a->func];
	const struct fl_func *of = &f->m.funcs.v[o->a->func];
	const char *gw = g->ci >= 0 ? "" : "the module global ";
	uint8_t tc = group_ctx(f, g, t->a->func);
	bool same = t == o;
	const char *why =
		t->ch == CH_ITER || o->ch == CH_ITER
			? "the loop can fail with 'changed size during "
			  "iteration' or skip entries"
			: "concurrent updates overwrite each other and are lost";
	struct fl_finding *fd;
	if (same)
		fd = fl_report(f, &check_unguarded_shared_state, t->a->node,
			       f->is_test ? CONF_LOW : CONF_HIGH,
			       "'%s' %s %s'%s' with no lock, and it runs on "
			       "several threads at once: %s",
			       tf->qualname, change_what(t->ch), gw, attr, why);
	else
		fd = fl_report(f, &check_unguarded_shared_state, t->a->node,
			       f->is_test ? CONF_LOW : CONF_MEDIUM,
			       "'%s' %s %s'%s' while '%s' %s it on another "
			       "thread, and no lock guards it: %s",
			       tf->qualname, change_what(t->ch), gw, attr,
			       of->qualname, change_what(o->ch), why);
	int st = py_ctx_start(f, (tc & PYCTX_THREAD) ? t->a->func : o->a->func);
	if (st >= 0)
		fl_trace(f, fd, f->m.calls.v[st].node,
			 "'%s' runs on the thread%s started here",
			 (tc & PYCTX_THREAD) ? tf->qualname : of->qualname,
			 (group_ctx(f, g, (tc & PYCTX_THREAD) ? t->a->func
							  : o->a->func) &
			  PYCTX_MANY)
				 ? "s"
				 : "");
	static const char loop_note[] =
		", on the event loop's thread: between two awaits a coroutine "
		"is atomic with respect to other coroutines, not to threads";
	fl_trace(f, fd, t->a->node, "'%s' %s '%s' here%s", tf->name,
		 change_what(t->ch), attr, t->loop ? loop_note : "");
	if (!same)
		fl_trace(f, fd, o->a->node, "'%s' %s it here%s", of->name,
			 change_what(o->ch),
			 o->loop ? loop_note : ", on another thread");
	if (g->ci >= 0)
		fl_trace(f, fd, g->home, "no access to '%s' holds a lock", attr);
	else
		fl_trace(f, fd, g->home, "'%s' is a module global, shared by "
					 "every thread, and no access to it "
					 "holds a lock",
			 attr);
	if (g->ci >= 0)
		fl_set_hint(fd, "guard every access to '%s' with one "
				"threading.Lock made in '__init__'",
			    attr);
	else
		fl_set_hint(fd, "guard every access to '%s' with one "
				"threading.Lock made next to it at module level",
			    attr);
}

static void check_attr(struct fl_file *f, const struct group *g,
		       const char *attr, struct site *s, size_t ns)
{
	/* the sites on threads first, then those on the event loop (kept in
	 * order): lock deviance is a matter of thread code alone */
	size_t nt = 0;
	for (size_t i = 0; i < ns; i++)
		if (!s[i].loop) {
			struct site t = s[i];
			memmove(&s[nt + 1], &s[nt], (i - nt) * sizeof(*s));
			s[nt++] = t;
		}
	/* the lock held at most accesses */
	const char *lock = NULL;
	size_t guarded = 0;
	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; k < s[i].held.n; k++) {
			size_t c = 0;
			for (size_t j = 0; j < nt; j++)
				for (size_t m = 0; m < s[j].held.n; m++)
					c += !strcmp(s[j].held.name[m],
						     s[i].held.name[k]);
			if (c > guarded) {
				guarded = c;
				lock = s[i].held.name[k];
			}
		}
	if (lock) {
		if (guarded >= 2 && guarded < nt)
			report_deviant(f, g, attr, lock, s, nt, guarded, nt);
		return;
	}
	report_shared(f, g, attr, s, ns);
}

struct named {
	const char *name;
	size_t idx;
};

static int by_name(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->idx < b->idx ? -1 : 1;
}

/* The method of class ci that contains function fi (itself, or the
 * method a nested function or lambda lives in). */
static int method_of(struct fl_file *f, int ci, int fi)
{
	while (fi >= 0 && f->m.funcs.v[fi].cls != ci)
		fi = f->m.funcs.v[fi].parent;
	return fi;
}

static void check_class(struct fl_file *f, int ci, struct named *idx,
			struct site *s, struct locks *cl, uint8_t *cl_done)
{
	size_t n = 0, lo, hi;
	py_class_accesses(f, ci, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		if (considered(f, ci, &f->m.accesses.v[i]))
			idx[n++] = (struct named){f->m.accesses.v[i].name, i};
	qsort(idx, n, sizeof(*idx), by_name);
	for (size_t i = 0; i < n;) {
		const char *name = idx[i].name;
		size_t j = i;
		while (j < n && !strcmp(idx[j].name, name))
			j++;
		if (!py_thread_safe_attr(f, ci, name)) {
			size_t ns = 0;
			for (size_t k = i; k < j; k++) {
				const struct fl_access *b = &f->m.accesses.v[idx[k].idx];
				struct site *x = &s[ns++];
				x->a = b;
				x->loop = on_loop(f, b->func);
				struct accs all = {f->m.accesses.v,
						   f->m.accesses.n};
				x->ch = classify(f, &all, b);
				held_at(f, ci, b->func, b->with,
					ts_node_start_byte(b->node), &x->held);
				int m = method_of(f, ci, b->func);
				if (!cl_done[m]) {
					caller_locks(f, ci, m, &cl[m]);
					cl_done[m] = 1;
				}
				for (size_t q = 0; q < cl[m].n; q++)
					add_lock(&x->held, cl[m].name[q]);
			}
			struct group g = {ci, f->m.classes.v[ci].node};
			check_attr(f, &g, arena_printf(f->a, "self.%s", name),
				   s, ns);
		}
		i = j;
	}
}

/* ------------------------------------------------------------------ */
/* Module globals                                                       */

/* A global worth a look: not a lock or another thread-safe object. */
static bool plain_global(struct fl_file *f, const struct py_global *b)
{
	TSNode val = fl_unparen(f, b->value);
	const char *q = fl_kind(f, val) == PK_call
				? model_resolve(f, fl_text(f, fl_child(
							      f, val, F_function)))
				: NULL;
	return !py_lock_name(b->name) && !(q && py_thread_safe_ctor(q));
}

/* The function that owns fi at module level: fi itself or the function
 * a nested one lives in. */
static int outermost(struct fl_file *f, int fi)
{
	while (f->m.funcs.v[fi].parent >= 0)
		fi = f->m.funcs.v[fi].parent;
	return fi;
}

static void check_globals(struct fl_file *f, struct named *idx,
			  struct site *s, struct locks *cl, uint8_t *cl_done)
{
	struct py_globals gl;
	py_globals_build(f, &gl);
	if (!gl.n)
		return;
	size_t n = 0;
	for (size_t i = 0; i < f->m.gaccesses.n; i++) {
		const struct fl_access *a = &f->m.gaccesses.v[i];
		const struct py_global *b = py_global_of(f, &gl, a);
		if (!b || !plain_global(f, b))
			continue;
		int m = outermost(f, a->func);
		if (is_init(f, m) || caller_holds(f->m.funcs.v[m].name))
			continue;
		idx[n++] = (struct named){a->name, i};
	}
	qsort(idx, n, sizeof(*idx), by_name);
	for (size_t i = 0; i < n;) {
		const char *name = idx[i].name;
		size_t j = i;
		while (j < n && !strcmp(idx[j].name, name))
			j++;
		size_t ns = 0;
		for (size_t k = i; k < j; k++) {
			const struct fl_access *b = &f->m.gaccesses.v[idx[k].idx];
			struct site *x = &s[ns++];
			x->a = b;
			x->loop = on_loop(f, b->func);
			struct accs all = {f->m.gaccesses.v, f->m.gaccesses.n};
			x->ch = classify(f, &all, b);
			int ci = f->m.funcs.v[b->func].cls;
			held_at(f, ci, b->func, b->with,
				ts_node_start_byte(b->node), &x->held);
			int m = outermost(f, b->func);
			if (!cl_done[m]) {
				caller_locks(f, f->m.funcs.v[m].cls, m, &cl[m]);
				cl_done[m] = 1;
			}
			for (size_t q = 0; q < cl[m].n; q++)
				add_lock(&x->held, cl[m].name[q]);
		}
		struct group g = {-1, py_global_find(&gl, name)->stmt};
		check_attr(f, &g, name, s, ns);
		i = j;
	}
}

/* ------------------------------------------------------------------ */
/* C: struct fields guarded by a mutex at most of their accesses        */

struct c_site {
	const char *field;     /* "count" of p->count */
	const char *lock;      /* the lock held ("mu" of &t->mu), or NULL */
	TSNode node;           /* the field expression */
	int func;
	bool change;           /* stored, updated or ++'d */
};

struct c_scan {
	struct fl_file *f;
	const struct cfg *g;
	int func;
	const char **held;     /* per node: a lock held there, or NULL */
	struct c_site *v;
	size_t n, cap;
};

/* Functions that run before the object is shared or after it no longer
 * is: set-up and teardown touch fields without the lock on purpose. */
static bool c_lifecycle(const char *name)
{
	static const char *const words[] = {
		"init", "new", "create", "alloc", "free", "destroy",
		"finalize", "dispose", "cleanup", "deinit", "fini", "clear",
		"reset", "setup", "teardown", "unref", "locked", "unlocked",
		"nolock", "property", "constructed", "construct",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

static enum fl_visit c_field_visit(void *ud, TSNode n)
{
	struct c_scan *sc = ud;
	struct fl_file *f = sc->f;
	if (fl_kind(f, n) != CK_field_expression)
		return FL_DESCEND;
	/* only p->field: a field through a pointer may be shared */
	TSNode op = ts_node_child_by_field_name(n, "operator", 8);
	if (ts_node_is_null(op) || !fl_text_eq(f, op, "->"))
		return FL_DESCEND;
	TSNode fld = fl_child(f, n, F_field);
	if (ts_node_is_null(fld))
		return FL_DESCEND;
	const char *name = fl_text(f, fld);
	if (py_lock_name(name))
		return FL_DESCEND;
	TSNode p = ts_node_parent(n);
	unsigned pk = fl_kind(f, p);
	bool change = (pk == CK_assignment_expression &&
		       ts_node_eq(fl_child(f, p, F_left), n)) ||
		      pk == CK_update_expression;
	/* &p->field handed to a call (a lock, an atomic) is not an access */
	if (pk == CK_pointer_expression)
		return FL_DESCEND;
	int node = sc->g ? cfg_node_at(sc->g, ts_node_start_byte(n)) : -1;
	sc->v = arena_grow(f->a, sc->v, &sc->cap, sc->n, sizeof(*sc->v));
	sc->v[sc->n++] = (struct c_site){name, node >= 0 ? sc->held[node] : NULL,
					 n, sc->func, change};
	return FL_DESCEND;
}

/* Nodes where a lock is held: from each lock call, forward until its
 * unlock, and only inside the block the lock call sits in (a path that
 * leaves the block without unlocking is CON002's business).  False when
 * the function locks only under a test (its caller may hold the lock). */
static bool c_mark_held(struct fl_file *f, const struct cfg *g, int func,
			const char **held)
{
	const struct fl_func *fn = &f->m.funcs.v[func];
	for (uint32_t i = fn->call_begin; i < fn->call_end; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func != func || !c->callee || c->use != USE_DISCARD)
			continue;
		const struct c_lock_api *api = NULL;
		for (size_t k = 0; k < c_lock_napis && !api; k++)
			if (!strcmp(c->callee, c_lock_apis[k].lock))
				api = &c_lock_apis[k];
		if (!api)
			continue;
		TSNode key = c_lock_arg(f, c->node);
		if (ts_node_is_null(key))
			continue;
		/* `if (!locked) lock(m)`: the caller may hold it; the function
		 * is judged by no one */
		if (fl_kind(f, ts_node_parent(ts_node_parent(c->node))) ==
		    CK_if_statement)
			return false;
		const char *lock = py_one_line(f, key);
		int start = cfg_node_at(g, ts_node_start_byte(c->node));
		if (start < 0)
			continue;
		TSNode block = ts_node_parent(ts_node_parent(c->node));
		uint8_t *seen = xmalloc(g->nodes.n);
		int *queue = xmalloc(g->nodes.n * sizeof(*queue));
		memset(seen, 0, g->nodes.n);
		size_t head = 0, tail = 0;
		queue[tail++] = start;
		seen[start] = 1;
		while (head < tail) {
			int n = queue[head++];
			const struct cfg_node *nd = &g->nodes.v[n];
			TSNode code = cfg_node_code(g, n);
			bool unlock = false;
			for (uint32_t k = fn->call_begin; k < fn->call_end && !unlock;
			     k++) {
				const struct fl_call *u = &f->m.calls.v[k];
				unlock = c_unlocks(f, u, func, api, lock) &&
					 !ts_node_is_null(code) &&
					 c_within(code, u->node);
			}
			if (unlock)
				continue;
			if (n != start && !ts_node_is_null(code) &&
			    c_within(block, code) &&
			    ts_node_start_byte(code) > ts_node_start_byte(c->node))
				held[n] = c_lock_field(lock);
			for (uint32_t k = 0; k < nd->n; k++)
				if (!seen[nd->succ[k]]) {
					seen[nd->succ[k]] = 1;
					queue[tail++] = nd->succ[k];
				}
		}
		free(seen);
		free(queue);
	}
	return true;
}

static int c_site_cmp(const void *x, const void *y)
{
	const struct c_site *a = x, *b = y;
	int c = strcmp(a->field, b->field);
	if (c)
		return c;
	uint32_t sa = ts_node_start_byte(a->node), sb = ts_node_start_byte(b->node);
	return sa < sb ? -1 : sa > sb;
}

struct fname {
	const char *name;
	int idx;
};

static int fname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fname *)a)->name,
		      ((const struct fname *)b)->name);
}

/* Per function of the file: does it lock (1), and is it a helper every
 * in-file caller of which locks (2)?  One pass over the calls. */
static uint8_t *c_lock_roles(struct fl_file *f)
{
	size_t nf = f->m.funcs.n;
	uint8_t *role = arena_alloc(f->a, nf ? nf : 1);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		for (size_t k = 0; k < c_lock_napis; k++)
			if (!strcmp(c->callee, c_lock_apis[k].lock)) {
				role[c->func] |= 1;
				break;
			}
	}
	struct fname *names = xmalloc((nf ? nf : 1) * sizeof(*names));
	for (size_t i = 0; i < nf; i++)
		names[i] = (struct fname){f->m.funcs.v[i].name, (int)i};
	qsort(names, nf, sizeof(*names), fname_cmp);
	uint8_t *called = xmalloc(nf ? nf : 1), *unlocked = xmalloc(nf ? nf : 1);
	memset(called, 0, nf ? nf : 1);
	memset(unlocked, 0, nf ? nf : 1);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || !c->callee)
			continue;
		struct fname key = {c->callee, 0};
		const struct fname *hit =
			nf ? bsearch(&key, names, nf, sizeof(*names), fname_cmp)
			   : NULL;
		if (!hit)
			continue;
		called[hit->idx] = 1;
		if (!(role[c->func] & 1))
			unlocked[hit->idx] = 1;
	}
	for (size_t i = 0; i < nf; i++)
		if (called[i] && !unlocked[i])
			role[i] |= 2;
	free(names);
	free(called);
	free(unlocked);
	return role;
}

/* The field accesses of the file's functions, with the lock held at
 * each (sites sorted by field, then position). */
static void c_collect(struct fl_file *f, struct c_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->f = f;
	sc->func = -1;
	uint8_t *role = c_lock_roles(f);
	for (size_t fi = 0; fi < f->m.funcs.n; fi++) {
		if (c_lifecycle(f->m.funcs.v[fi].name))
			continue;
		bool locks = role[fi] & 1;
		/* a helper called only from functions that lock (pop_job()
		 * under the queue's lock): its caller holds it */
		if (!locks && (role[fi] & 2))
			continue;
		/* only functions that lock need the graph; in the others no
		 * lock is held anywhere */
		const struct cfg *g = locks ? cfg_of(f, (int)fi) : NULL;
		if (locks && !g)
			continue;
		sc->g = g;
		sc->func = (int)fi;
		sc->held = g ? arena_alloc(f->a, g->nodes.n * sizeof(*sc->held))
			     : NULL;
		if (g && !c_mark_held(f, g, (int)fi, sc->held))
			continue;
		fl_preorder(fl_child(f, f->m.funcs.v[fi].node, F_body),
			    c_field_visit, sc);
	}
	if (sc->n)
		qsort(sc->v, sc->n, sizeof(*sc->v), c_site_cmp);
}

/* A belief of the whole program: a field changed with a mutex held at 4
 * or more places, and at 80% of them, is changed here with none. */
enum { C_MIN_LOCKED = 4, C_PCT = 80 };

/* First pass: count every change of a field, locked or bare, and ask for
 * a revisit where a bare change might deviate. */
static void check_c(struct fl_file *f)
{
	struct c_scan sc;
	c_collect(f, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		const struct c_site *x = &sc.v[i];
		if (!x->change)
			continue;
		fl_count(f, x->lock ? FACT_FIELD_WRITE_LOCKED
				    : FACT_FIELD_WRITE_BARE,
			 x->field);
		if (!x->lock && !f->is_test)
			fl_mention_belief(f, &check_unguarded_shared_state,
					  FACT_FIELD_WRITE_LOCKED,
					  FACT_FIELD_WRITE_BARE, x->field,
					  FACT_NONE, C_MIN_LOCKED, C_PCT);
	}
}

/* Global phase: report the bare changes the program's counts condemn,
 * one per function and field. */
static void revisit_c(struct fl_file *f)
{
	struct c_scan sc;
	c_collect(f, &sc);
	int last_func = -1;
	const char *last_field = NULL;
	for (size_t a = 0; a < sc.n; a++) {
		const struct c_site *x = &sc.v[a];
		if (!x->change || x->lock)
			continue;
		if (last_field && !strcmp(last_field, x->field) &&
		    x->func == last_func)
			continue;
		uint32_t locked = fl_fact_count(f, FACT_FIELD_WRITE_LOCKED,
						x->field);
		uint32_t bare = fl_fact_count(f, FACT_FIELD_WRITE_BARE,
					      x->field);
		uint64_t total = (uint64_t)locked + bare;
		if (locked < C_MIN_LOCKED || (uint64_t)locked * 100 <
						     total * C_PCT)
			continue;
		last_func = x->func;
		last_field = x->field;
		/* the lock by name, when this file shows it */
		const struct c_site *ex = NULL;
		for (size_t b = 0; b < sc.n && !ex; b++)
			if (sc.v[b].lock && sc.v[b].change &&
			    !strcmp(sc.v[b].field, x->field))
				ex = &sc.v[b];
		const char *lock = ex ? ex->lock : "its mutex";
		const struct fl_func *fn = &f->m.funcs.v[x->func];
		/* Low: reading GLib and SQLite, the unguarded changes at
		 * these thresholds were mostly set-up (a thread filling in
		 * its channel before it signals that it runs, a context just
		 * allocated) that the text does not tell apart. */
		struct fl_finding *fd = fl_report(
			f, &check_unguarded_shared_state, x->node, CONF_LOW,
			"'->%s' is changed with %s%s%s held at %u of %llu places "
			"in the program, but '%s' changes it here without a "
			"lock: '%s'",
			x->field, ex ? "'" : "", lock, ex ? "'" : "", locked,
			(unsigned long long)total, fn->name,
			py_one_line(f, ts_node_parent(x->node)));
		if (ex)
			fl_trace(f, fd, ex->node,
				 "'%s' holds '%s' when it changes '->%s'",
				 f->m.funcs.v[ex->func].name, lock, x->field);
		fl_trace(f, fd, x->node,
			 "'%s' changes '->%s' with no lock held: a thread "
			 "inside the lock can read it half-updated or lose "
			 "this write",
			 fn->name, x->field);
		fl_set_hint(fd, "take the lock the other changes hold around "
				"this one");
	}
}

static void check(struct fl_file *f)
{
	if (f->lang == LANG_C) {
		check_c(f);
		return;
	}
	if (f->m.accesses.n < 2 && f->m.gaccesses.n < 2)
		return;
	size_t most = f->m.accesses.n > f->m.gaccesses.n ? f->m.accesses.n
							 : f->m.gaccesses.n;
	struct named *idx = xmalloc(most * sizeof(*idx));
	struct site *s = xmalloc(most * sizeof(*s));
	struct locks *cl = xmalloc(f->m.funcs.n * sizeof(*cl));
	uint8_t *cl_done = xmalloc(f->m.funcs.n);
	memset(cl_done, 0, f->m.funcs.n);
	for (size_t ci = 0; ci < f->m.classes.n; ci++)
		check_class(f, (int)ci, idx, s, cl, cl_done);
	/* caller locks of methods were for attributes; globals ask anew */
	memset(cl_done, 0, f->m.funcs.n);
	check_globals(f, idx, s, cl, cl_done);
	free(idx);
	free(s);
	free(cl);
	free(cl_done);
}

static void revisit(struct fl_file *f)
{
	if (f->lang == LANG_C)
		revisit_c(f);
}

const struct fl_check check_unguarded_shared_state = {
	.code = "CON010",
	.name = "unguarded-shared-state",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON) | LANG_BIT(LANG_C),
	.severity = SEV_HIGH,
	.cwe = "CWE-362,CWE-567",
	.summary = "An attribute or module global guarded by a lock at most "
		   "of its accesses is changed without it here, or one shared "
		   "with a thread is updated with no lock at all.",
	.fix_hint = "hold the lock that guards the other accesses",
	.file_end = check,
	.revisit = revisit,
};
