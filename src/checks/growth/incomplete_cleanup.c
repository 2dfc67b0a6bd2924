/*
 * GRW002 incomplete-cleanup (Python)
 *
 * Heuristic: a class keeps several containers keyed by the same id -- in
 * some method, `self.a[worker_id] = ...` / `self.b.setdefault(worker_id,
 * ...)` / `self.c.add(worker_id)` where worker_id is a parameter of that
 * method -- and a removal method (unregister*, remove*, delete*, drop*,
 * forget*, evict*, expire*, purge*, prune*, cleanup*, close*, release*,
 * disconnect*, on_disconnect*, on_close*, detach*, unsubscribe*) taking a
 * parameter of the same name removes that key from some of them
 * (`del self.a[worker_id]`, `self.b.pop(worker_id, None)`,
 * `self.c.discard(worker_id)`) but not from the others.  The entries left
 * behind accumulate with every id that comes and goes (the job system
 * audit's unregister_worker).
 *
 * Not reported: containers keyed by something else; containers the
 * removal method clears or reassigns wholesale; removal methods that
 * remove from none of them (another design).
 */
#include "../../core/file.h"
#include "../../lang/python/api.h"

#include <string.h>

static bool removal_name(const char *n)
{
	static const char *const pre[] = {
		"unregister", "deregister", "remove", "delete", "drop",
		"forget", "evict", "expire", "purge", "prune", "cleanup",
		"clean_up", "close", "release", "disconnect", "on_disconnect",
		"on_close", "detach", "unsubscribe", "discard", "reap",
		"handle_disconnect", "on_leave", "leave", "kill", "stop",
	};
	return py_name_starts(n, pre, ARRAY_SIZE(pre));
}

/* The key expression an access uses (x[key], x.pop(key), x.add(key)), or a
 * null node. */
static TSNode access_key(struct fl_file *f, const struct fl_access *a)
{
	TSNode none = {{0}, NULL, NULL};
	if (a->kind == ACC_ITEM_STORE || a->kind == ACC_ITEM_DEL ||
	    a->kind == ACC_ITEM_LOAD || a->kind == ACC_ITEM_RMW) {
		TSNode sub = ts_node_parent(a->node);
		return fl_unparen(f, fl_child(f, sub, F_subscript));
	}
	if (a->kind == ACC_CALL) {
		TSNode attr = ts_node_parent(a->node);
		TSNode call = ts_node_parent(attr);
		TSNode args = fl_child(f, call, F_arguments);
		if (ts_node_named_child_count(args) > 0)
			return ts_node_named_child(args, 0);
	}
	return none;
}

/* The parameter name an access keys by, or NULL. */
static const char *keyed_by_param(struct fl_file *f, const struct fl_access *a)
{
	TSNode k = access_key(f, a);
	if (fl_kind(f, k) != PK_identifier)
		return NULL;
	const char *name = fl_text(f, k);
	return py_is_parameter(f, a->func, name) ? name : NULL;
}

static bool removes_key(const struct fl_access *a)
{
	if (a->kind == ACC_ITEM_DEL)
		return true;
	return a->kind == ACC_CALL && a->method &&
	       (!strcmp(a->method, "pop") || !strcmp(a->method, "remove") ||
		!strcmp(a->method, "discard"));
}

static bool wholesale(const struct fl_access *a)
{
	return a->kind == ACC_STORE ||
	       (a->kind == ACC_CALL && a->method && !strcmp(a->method, "clear"));
}

/* Parameter names that say nothing about what they identify: two maps
 * keyed by "name" may hold entirely different things. */
static bool generic_key(const char *k)
{
	static const char *const g[] = {
		"name", "key", "k", "id", "ident", "item", "obj", "value",
		"v", "x", "i", "n", "s", "idx", "index", "path", "filename",
		"fn", "file", "url", "arg", "data", "entry", "tag", "label",
		"kind", "type", "typ", "attr", "field", "prefix", "event",
		"msg", "message", "node", "elem", "element",
	};
	for (size_t i = 0; i < ARRAY_SIZE(g); i++)
		if (!strcmp(k, g[i]))
			return true;
	return false;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Does function fn touch self.<one of names>?  The method filling a map
 * that also reads or fills the map the id is removed from ties the two
 * together: its entries belong to that id.  Sibling maps of other kinds
 * of thing that merely share a parameter name do not. */
static bool touches(struct fl_file *f, int fn, const char *const *names,
		    size_t n)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func == fn && in_list(names, n, a->name))
			return true;
	}
	return false;
}

static void check_method(struct fl_file *f, int rf)
{
	const struct fl_func *r = &f->m.funcs.v[rf];
	int ci = r->cls;
	/* which parameter does it remove by, from which containers? */
	const char *key = NULL;
	const char *removed[16];
	size_t nrem = 0;
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func != rf || !removes_key(a))
			continue;
		const char *k = keyed_by_param(f, a);
		if (!k || (key && strcmp(key, k)) || generic_key(k))
			continue;
		key = k;
		if (nrem < ARRAY_SIZE(removed) &&
		    !in_list(removed, nrem, a->name))
			removed[nrem++] = a->name;
	}
	if (!key)
		return;
	/* containers of the class keyed by the same parameter name
	 * elsewhere, neither removed nor emptied here */
	const struct fl_access *left[8];
	size_t nleft = 0;
	for (size_t i = 0; i < f->m.accesses.n && nleft < ARRAY_SIZE(left);
	     i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func < 0 || a->func == rf ||
		    f->m.funcs.v[a->func].cls != ci || !py_grows(a))
			continue;
		const char *k = keyed_by_param(f, a);
		if (!k || strcmp(k, key) || in_list(removed, nrem, a->name) ||
		    !touches(f, a->func, removed, nrem))
			continue;
		bool done = false;
		for (size_t j = 0; j < nleft && !done; j++)
			done = !strcmp(left[j]->name, a->name);
		for (size_t j = 0; j < f->m.accesses.n && !done; j++) {
			const struct fl_access *b = &f->m.accesses.v[j];
			done = b->func == rf && !strcmp(b->name, a->name) &&
			       (wholesale(b) || removes_key(b));
		}
		if (!done && py_owned_container(f, ci, a->name))
			left[nleft++] = a;
	}
	if (!nleft)
		return;
	struct strbuf rl = STRBUF_INIT, ll = STRBUF_INIT;
	for (size_t j = 0; j < nrem; j++)
		strbuf_addf(&rl, "%s'self.%s'", j ? ", " : "", removed[j]);
	for (size_t j = 0; j < nleft; j++)
		strbuf_addf(&ll, "%s'self.%s'", j ? ", " : "", left[j]->name);
	struct fl_finding *fd = fl_report(
		f, &check_incomplete_cleanup, fl_child(f, r->node, F_name),
		f->is_test ? CONF_LOW : CONF_HIGH,
		"'%s' removes '%s' from %s but not from %s, which %s keyed "
		"by the same '%s': those entries are left behind for every "
		"'%s' that goes",
		r->qualname, key, rl.buf, ll.buf,
		nleft > 1 ? "are" : "is", key, key);
	for (size_t j = 0; j < nleft; j++)
		fl_trace(f, fd, left[j]->node, "'%s' adds 'self.%s[%s]' here",
			 f->m.funcs.v[left[j]->func].qualname, left[j]->name,
			 key);
	fl_trace(f, fd, r->node,
		 "'%s' removes '%s' from %s only", r->name, key, rl.buf);
	fl_set_hint(fd, "also remove '%s' from %s in '%s' (pop(%s, None))",
		    key, ll.buf, r->name, key);
	strbuf_release(&rl);
	strbuf_release(&ll);
}

static void check(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.funcs.n; i++) {
		const struct fl_func *fn = &f->m.funcs.v[i];
		if (fn->cls >= 0 && !fn->is_lambda && removal_name(fn->name))
			check_method(f, (int)i);
	}
}

const struct fl_check check_incomplete_cleanup = {
	.code = "GRW002",
	.name = "incomplete-cleanup",
	.family = FAM_GRW,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-401,CWE-459",
	.summary = "A removal method deletes an id from some of the class's "
		   "containers keyed by it but not from the others, whose "
		   "entries are left behind.",
	.fix_hint = "remove the id from every container keyed by it",
	.file_end = check,
};
