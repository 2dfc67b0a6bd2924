/*
 * CON010 unguarded-shared-state (Python)
 *
 * Two heuristics over the accesses of one class's attributes (self.x):
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
 * coroutines (one event loop runs code between awaits atomically; races
 * across an await are CON009's); methods named *_locked / *_unlocked /
 * *_nolock (by convention the caller holds the lock); asyncio locks;
 * attributes that are themselves locks, events, queues or other
 * thread-safe objects.
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

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
		const char *name = arena_strndup(
			f->a, dot ? dot + 1 : recv, rl - (dot ? (size_t)(dot + 1 - recv) : 0));
		if (py_lock_name(name))
			add_lock(out, name);
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
				add_lock(out, l);
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

/* Locks all callers of private method fi hold (empty if any caller holds
 * none, or there is no caller in the class). */
static void caller_locks(struct fl_file *f, int ci, int fi, struct locks *out)
{
	out->n = 0;
	const char *name = f->m.funcs.v[fi].name;
	if (name[0] != '_' || (name[1] == '_' && name[strlen(name) - 1] == '_'))
		return;
	bool first = true;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || f->m.funcs.v[c->func].cls != ci || !c->callee ||
		    strncmp(c->callee, "self.", 5) || strcmp(c->callee + 5, name))
			continue;
		struct locks h;
		uint32_t at = ts_node_start_byte(c->node);
		held_at(f, ci, c->func, with_around(f, c->func, at), at, &h);
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

/* Does the value of assignment asg read the attribute a stores to? */
static bool value_reads(struct fl_file *f, const struct fl_access *a,
			TSNode asg)
{
	if (fl_kind(f, asg) != PK_assignment)
		return false;
	TSNode rhs = fl_child(f, asg, F_right);
	if (ts_node_is_null(rhs))
		return false; /* self.x: int */
	uint32_t s = ts_node_start_byte(rhs), e = ts_node_end_byte(rhs);
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *b = &f->m.accesses.v[i];
		uint32_t bs = ts_node_start_byte(b->node);
		if (b->func == a->func && bs >= s && bs < e &&
		    !strcmp(b->name, a->name))
			return true;
	}
	return false;
}

/* `self.n = self.n + 1`: a store whose value reads the same attribute. */
static bool store_reads_itself(struct fl_file *f, const struct fl_access *a)
{
	return value_reads(f, a, py_access_assignment(f, a));
}

/* `d[k] = d.get(k, 0) + 1` / `d[k] = d[k] + v`: an item store whose value
 * reads the same container. */
static bool item_store_reads_itself(struct fl_file *f,
				    const struct fl_access *a)
{
	return value_reads(f, a, ts_node_parent(ts_node_parent(a->node)));
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

static enum change classify(struct fl_file *f, const struct fl_access *a)
{
	switch (a->kind) {
	case ACC_RMW:
	case ACC_ITEM_RMW:
		return CH_RMW;
	case ACC_STORE:
		return store_reads_itself(f, a) ? CH_RMW : CH_WRITE;
	case ACC_ITEM_STORE:
		return item_store_reads_itself(f, a) ? CH_RMW : CH_MUTATE;
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
 * nested in one), not an initialiser, not a coroutine. */
static bool considered(struct fl_file *f, int ci, const struct fl_access *a)
{
	if (a->func < 0)
		return false;
	int m = a->func;
	while (m >= 0 && f->m.funcs.v[m].cls != ci)
		m = f->m.funcs.v[m].parent;
	if (m < 0 || is_init(f, m) || f->m.funcs.v[a->func].is_async ||
	    f->m.funcs.v[m].is_async || caller_holds(f->m.funcs.v[m].name))
		return false;
	return true;
}

struct site {
	const struct fl_access *a;
	enum change ch;
	struct locks held;
};

static void report_deviant(struct fl_file *f, int ci, const char *attr,
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
			"'self.%s' is guarded by 'self.%s' at %zu of %zu "
			"accesses, but '%s' %s it here without the lock: "
			"'%s%s'",
			attr, lock, guarded, total, fn->qualname,
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
				 "'%s' holds 'self.%s' when it %s 'self.%s'",
				 f->m.funcs.v[ex->a->func].qualname, lock,
				 change_what(ex->ch), attr);
		int st = py_ctx_start(f, a->func);
		if (st >= 0)
			fl_trace(f, fd, f->m.calls.v[st].node,
				 "'%s' runs on the thread started here",
				 fn->qualname);
		fl_trace(f, fd, a->node, "'%s' %s 'self.%s' without holding "
					 "'self.%s', so %s",
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
				 "it holds 'self.%s' here, a different lock: "
				 "the two exclude nothing from each other",
				 s[i].held.name[0]);
		fl_set_hint(fd, "do this under 'with self.%s:' as the other "
				"accesses do",
			    lock);
		(void)ci;
	}
}

/* The context as far as self is concerned: a request handler runs on
 * many threads, but each with its own instance. */
static uint8_t self_ctx(struct fl_file *f, int func)
{
	uint8_t cx = py_func_ctx(f, func);
	return (cx & PYCTX_OWN_SELF) ? 0 : cx;
}

static bool ctx_differs(uint8_t a, uint8_t b)
{
	return ((a ^ b) & PYCTX_THREAD) || ((a & b) & PYCTX_MANY);
}

static void report_shared(struct fl_file *f, int ci, const char *attr,
			  struct site *s, size_t ns)
{
	/* one finding per attribute: the strongest pair */
	int best_i = -1, best_j = -1, best_rank = 0;
	for (size_t i = 0; i < ns; i++) {
		uint8_t cx = self_ctx(f, s[i].a->func);
		if (!(cx & PYCTX_THREAD))
			continue;
		for (size_t j = 0; j < ns; j++) {
			uint8_t cj = self_ctx(f, s[j].a->func);
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
	uint8_t tc = self_ctx(f, t->a->func);
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
			       "'%s' %s 'self.%s' with no lock, and it runs on "
			       "several threads at once: %s",
			       tf->qualname, change_what(t->ch), attr, why);
	else
		fd = fl_report(f, &check_unguarded_shared_state, t->a->node,
			       f->is_test ? CONF_LOW : CONF_MEDIUM,
			       "'%s' %s 'self.%s' while '%s' %s it on another "
			       "thread, and no lock guards it: %s",
			       tf->qualname, change_what(t->ch), attr,
			       of->qualname, change_what(o->ch), why);
	int st = py_ctx_start(f, (tc & PYCTX_THREAD) ? t->a->func : o->a->func);
	if (st >= 0)
		fl_trace(f, fd, f->m.calls.v[st].node,
			 "'%s' runs on the thread%s started here",
			 (tc & PYCTX_THREAD) ? tf->qualname : of->qualname,
			 (self_ctx(f, (tc & PYCTX_THREAD) ? t->a->func
							  : o->a->func) &
			  PYCTX_MANY)
				 ? "s"
				 : "");
	fl_trace(f, fd, t->a->node, "'%s' %s 'self.%s' here", tf->name,
		 change_what(t->ch), attr);
	if (!same)
		fl_trace(f, fd, o->a->node, "'%s' %s it here, on another thread",
			 of->name, change_what(o->ch));
	fl_trace(f, fd, f->m.classes.v[ci].node,
		 "no access to 'self.%s' holds a lock", attr);
	fl_set_hint(fd, "guard every access to 'self.%s' with one "
			"threading.Lock made in '__init__'",
		    attr);
}

static void check_attr(struct fl_file *f, int ci, const char *attr,
		       struct site *s, size_t ns)
{
	/* the lock held at most accesses */
	const char *lock = NULL;
	size_t guarded = 0;
	for (size_t i = 0; i < ns; i++)
		for (size_t k = 0; k < s[i].held.n; k++) {
			size_t c = 0;
			for (size_t j = 0; j < ns; j++)
				for (size_t m = 0; m < s[j].held.n; m++)
					c += !strcmp(s[j].held.name[m],
						     s[i].held.name[k]);
			if (c > guarded) {
				guarded = c;
				lock = s[i].held.name[k];
			}
		}
	if (lock) {
		if (guarded >= 2 && guarded < ns)
			report_deviant(f, ci, attr, lock, s, ns, guarded, ns);
		return;
	}
	report_shared(f, ci, attr, s, ns);
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
				x->ch = classify(f, b);
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
			check_attr(f, ci, name, s, ns);
		}
		i = j;
	}
}

static void check(struct fl_file *f)
{
	if (!f->m.classes.n || f->m.accesses.n < 2)
		return;
	struct named *idx = xmalloc(f->m.accesses.n * sizeof(*idx));
	struct site *s = xmalloc(f->m.accesses.n * sizeof(*s));
	struct locks *cl = xmalloc(f->m.funcs.n * sizeof(*cl));
	uint8_t *cl_done = xmalloc(f->m.funcs.n);
	memset(cl_done, 0, f->m.funcs.n);
	for (size_t ci = 0; ci < f->m.classes.n; ci++)
		check_class(f, (int)ci, idx, s, cl, cl_done);
	free(idx);
	free(s);
	free(cl);
	free(cl_done);
}

const struct fl_check check_unguarded_shared_state = {
	.code = "CON010",
	.name = "unguarded-shared-state",
	.family = FAM_CON,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_HIGH,
	.cwe = "CWE-362,CWE-567",
	.summary = "An attribute guarded by a lock at most of its accesses is "
		   "changed without it here, or one shared with a thread the "
		   "class starts is updated with no lock at all.",
	.fix_hint = "hold the lock that guards the other accesses",
	.file_end = check,
};
