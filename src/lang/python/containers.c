/*
 * containers.c - what the growth rules need to know about containers kept
 * on objects: how one is created, and which operations grow or shrink it.
 */
#include "api.h"

#include <string.h>

static bool named(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* The assignment whose left side is the access node, or a null node. */
TSNode py_access_assignment(struct fl_file *f, const struct fl_access *a)
{
	TSNode p = ts_node_parent(a->node);
	if (fl_kind(f, p) == PK_assignment)
		return p;
	TSNode none = {{0}, NULL, NULL};
	return none;
}

const char *py_container_kind(struct fl_file *f, TSNode value)
{
	value = fl_unparen(f, value);
	switch (fl_kind(f, value)) {
	case PK_dictionary:
		return "dict";
	case PK_list:
		return "list";
	case PK_set:
		return "set";
	case PK_call:
		break;
	default:
		return NULL;
	}
	const char *q = model_resolve(f, fl_text(f, fl_child(f, value, F_function)));
	static const char *const unbounded[] = {
		"dict", "list", "set", "collections.defaultdict",
		"collections.OrderedDict", "collections.Counter", "defaultdict",
		"OrderedDict", "Counter",
	};
	if (named(q, unbounded, ARRAY_SIZE(unbounded)))
		return strrchr(q, '.') ? strrchr(q, '.') + 1 : q;
	if (q && (!strcmp(q, "collections.deque") || !strcmp(q, "deque"))) {
		/* deque(maxlen=N) / deque(items, N) is bounded */
		TSNode args = fl_child(f, value, F_arguments);
		uint32_t n = ts_node_named_child_count(args), pos = 0;
		for (uint32_t i = 0; i < n; i++) {
			TSNode a = ts_node_named_child(args, i);
			if (fl_kind(f, a) == PK_keyword_argument) {
				if (fl_text_eq(f, fl_child(f, a, F_name), "maxlen"))
					return NULL;
			} else if (fl_kind(f, a) != PK_comment && ++pos == 2) {
				return NULL;
			}
		}
		return "deque";
	}
	return NULL;
}

bool py_grows(const struct fl_access *a)
{
	static const char *const grow[] = {
		"append", "appendleft", "add", "setdefault", "update",
		"insert", "extend", "extendleft", "__setitem__",
	};
	return a->kind == ACC_ITEM_STORE ||
	       ((a->kind == ACC_CALL || a->kind == ACC_METHOD) &&
		named(a->method, grow, ARRAY_SIZE(grow)));
}

bool py_shrink_method(const char *method)
{
	static const char *const shrink[] = {
		"pop", "popitem", "popleft", "clear", "remove", "discard",
		"__delitem__",
	};
	return named(method, shrink, ARRAY_SIZE(shrink));
}

bool py_shrinks(const struct fl_access *a)
{
	return a->kind == ACC_ITEM_DEL || a->kind == ACC_DEL ||
	       ((a->kind == ACC_CALL || a->kind == ACC_METHOD) &&
		py_shrink_method(a->method));
}

bool py_is_parameter(struct fl_file *f, int func, const char *name)
{
	TSNode params = fl_child(f, f->m.funcs.v[func].node, F_parameters);
	uint32_t n = ts_node_is_null(params) ? 0
					     : ts_node_named_child_count(params);
	for (uint32_t i = 0; i < n; i++) {
		TSNode p = ts_node_named_child(params, i);
		TSNode id = fl_kind(f, p) == PK_identifier ? p
							   : fl_child(f, p, F_name);
		if (ts_node_is_null(id) && ts_node_named_child_count(p))
			id = ts_node_named_child(p, 0);
		if (fl_text_eq(f, id, name))
			return true;
	}
	return false;
}

bool py_is_init_func(struct fl_file *f, int func)
{
	static const char *const names[] = {
		"__init__", "__post_init__", "__new__", "setUp", "__enter__",
		"__aenter__", "__setstate__", "reset", "_reset", "clear",
		"close", "__init_subclass__",
	};
	return func < 0 ||
	       named(f->m.funcs.v[func].name, names, ARRAY_SIZE(names));
}

/* Split a name into lower-case words: camelCase and snake_case. */
size_t py_name_words(const char *name, char words[][24], size_t max)
{
	size_t n = 0, len = 0;
	for (const char *p = name;; p++) {
		bool boundary = !*p || *p == '_' ||
				(*p >= 'A' && *p <= 'Z' && p > name &&
				 p[-1] >= 'a' && p[-1] <= 'z');
		if (boundary && len) {
			words[n][len] = '\0';
			if (++n == max)
				return n;
			len = 0;
		}
		if (!*p)
			break;
		if (*p == '_')
			continue;
		if (len < 23)
			words[n][len++] =
				(char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	return n;
}

/* First access at or after byte b (accesses are in document order). */
static size_t access_at(const struct fl_file *f, uint32_t b)
{
	size_t lo = 0, hi = f->m.accesses.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ts_node_start_byte(f->m.accesses.v[mid].node) < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void py_class_accesses(const struct fl_file *f, int ci, size_t *lo,
		       size_t *hi)
{
	TSNode n = f->m.classes.v[ci].node;
	*lo = access_at(f, ts_node_start_byte(n));
	*hi = access_at(f, ts_node_end_byte(n));
}
