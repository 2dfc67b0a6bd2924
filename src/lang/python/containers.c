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

bool py_owned_container(struct fl_file *f, int ci, const char *name)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->kind != ACC_STORE || a->func < 0 ||
		    f->m.funcs.v[a->func].cls != ci || strcmp(a->name, name) ||
		    !py_is_init_func(f, a->func))
			continue;
		TSNode asg = py_access_assignment(f, a);
		if (!ts_node_is_null(asg) &&
		    py_container_kind(f, fl_child(f, asg, F_right)))
			return true;
	}
	return false;
}

const struct fl_call *py_class_getattr_self(struct fl_file *f, int ci)
{
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || f->m.funcs.v[c->func].cls != ci || !c->callee ||
		    strcmp(c->callee, "getattr"))
			continue;
		TSNode args = fl_child(f, c->node, F_arguments);
		if (fl_kind(f, args) != PK_argument_list ||
		    ts_node_named_child_count(args) < 2)
			continue;
		TSNode obj = ts_node_named_child(args, 0);
		TSNode name = ts_node_named_child(args, 1);
		/* getattr(self, name) / getattr(self, "max_" + kind); a
		 * literal name is a plain reference */
		if (fl_text_eq(f, obj, "self") && !py_string_value(f, name))
			return c;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Names: what a name says about the thing it names                    */

bool py_name_has_word(const char *name, const char *const *words, size_t n)
{
	char w[8][24];
	size_t nw = py_name_words(name, w, 8);
	for (size_t i = 0; i < nw; i++)
		if (named(w[i], words, n))
			return true;
	return false;
}

bool py_copy_name(const struct fl_file *f, TSNode n, char *buf, size_t size)
{
	if (ts_node_is_null(n))
		return false;
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e <= s || e - s >= size || e > f->len)
		return false;
	memcpy(buf, f->src + s, e - s);
	buf[e - s] = '\0';
	return true;
}

bool py_name_starts(const char *name, const char *const *pre, size_t n)
{
	while (*name == '_')
		name++;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(name, pre[i], strlen(pre[i])))
			return true;
	return false;
}

bool py_long_lived_class(const char *name)
{
	static const char *const roles[] = {
		"server", "service", "daemon", "manager", "registry",
		"tracker", "pool", "monitor", "relay", "proxy", "scheduler",
		"dispatcher", "broker", "gateway", "coordinator",
		"controller", "supervisor", "watcher", "collector",
		"aggregator", "limiter", "detector", "executor", "forwarder",
		"router", "balancer", "worker", "agent", "store", "cache",
		"hub", "bus", "session", "connection", "client", "queue",
		"engine", "runtime",
	};
	const char *dot = strrchr(name, '.');
	if (dot)
		name = dot + 1;
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	return n && named(w[n - 1], roles, ARRAY_SIZE(roles));
}

const char *py_limit_word(const char *name)
{
	static const char *const words[] = {
		"limit", "limits", "max", "maximum", "capacity", "maxsize",
		"cap", "maxlen", "maxbytes", "maxcount", "threshold",
		"budget", "quota",
	};
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(words); k++)
			if (!strcmp(w[i], words[k]))
				return words[k];
	return NULL;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* One fragment of a string's text: a name, a dotted or colon path
 * ("app.tasks.prune", "jobs:reap"), or nothing at all. */
static void fragment_names(const char *s, size_t len,
			   void (*cb)(void *ud, const char *name, bool prefix),
			   void *ud)
{
	if (!len || len > 200)
		return;
	char buf[201];
	for (size_t i = 0; i < len; i++) {
		if (ident_char(s[i]) || s[i] == '.' || s[i] == ':')
			continue;
		/* "clean_%s" % field, "cleanup_{}".format(kind): a name
		 * built from a prefix */
		if ((s[i] == '%' || s[i] == '{') && i && s[i - 1] == '_' &&
		    !memchr(s, '.', i) && !memchr(s, ':', i)) {
			memcpy(buf, s, i);
			buf[i] = '\0';
			cb(ud, buf, true);
			return;
		}
		/* prose, a template: only attributes it spells count --
		 * "{{ pool.max_size }}", "{0.limit}", "see self.prune()" */
		for (size_t k = 1; k < len; k++) {
			if (s[k - 1] != '.' || !ident_char(s[k]) ||
			    (s[k] >= '0' && s[k] <= '9') || k < 2 ||
			    !(ident_char(s[k - 2]) || s[k - 2] == ')' ||
			      s[k - 2] == ']' || s[k - 2] == '}'))
				continue;
			size_t m = 0;
			while (k + m < len && ident_char(s[k + m]))
				m++;
			memcpy(buf, s + k, m);
			buf[m] = '\0';
			cb(ud, buf, false);
			k += m;
		}
		return;
	}
	for (size_t i = 0; i < len;) {
		size_t k = 0;
		while (i + k < len && ident_char(s[i + k]))
			k++;
		if (k && !(s[i] >= '0' && s[i] <= '9')) {
			memcpy(buf, s + i, k);
			buf[k] = '\0';
			cb(ud, buf, buf[k - 1] == '_');
		}
		i += k + 1;
	}
}

void py_string_names(struct fl_file *f, TSNode str,
		     void (*cb)(void *ud, const char *name, bool prefix),
		     void *ud)
{
	uint32_t nc = ts_node_named_child_count(str);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(str, i);
		if (fl_kind(f, ch) != PK_string_content)
			continue;
		uint32_t s = ts_node_start_byte(ch), e = ts_node_end_byte(ch);
		if (e > f->len || e <= s)
			continue;
		fragment_names(f->src + s, e - s, cb, ud);
	}
}

/* ------------------------------------------------------------------ */
/* Classes: where their bases come from                                */

/* Bases that call and read nothing of a subclass's own: object, the
 * typing and abc helpers, built-in exceptions and containers, threads. */
static bool neutral_base(const char *name)
{
	static const char *const neutral[] = {
		"object", "ABC", "Generic", "Protocol", "Exception",
		"BaseException", "dict", "list", "set", "tuple", "str",
		"int", "float", "bytes", "type", "Thread", "Process",
	};
	size_t n = strlen(name);
	if (named(name, neutral, ARRAY_SIZE(neutral)))
		return true;
	/* ValueError, RuntimeWarning, ...: the built-in exceptions */
	return (n > 5 && !strcmp(name + n - 5, "Error")) ||
	       (n > 7 && !strcmp(name + n - 7, "Warning"));
}

/* Visit the base class names of class ci (last dotted component, without
 * subscripts): Generic[T] -> "Generic", abc.ABC -> "ABC".  Keyword
 * arguments (metaclass=...) are not bases. */
static size_t class_bases(struct fl_file *f, int ci, const char **out,
			  size_t max)
{
	TSNode sup = fl_child(f, f->m.classes.v[ci].node, F_superclasses);
	uint32_t nc = ts_node_is_null(sup) ? 0 : ts_node_named_child_count(sup);
	size_t n = 0;
	for (uint32_t i = 0; i < nc && n < max; i++) {
		TSNode b = ts_node_named_child(sup, i);
		if (fl_kind(f, b) == PK_subscript)
			b = fl_child(f, b, F_value);
		if (fl_kind(f, b) == PK_attribute)
			b = fl_child(f, b, F_attribute);
		if (fl_kind(f, b) == PK_identifier)
			out[n++] = fl_text(f, b);
		else if (fl_kind(f, b) != PK_keyword_argument &&
			 fl_kind(f, b) != PK_comment)
			out[n++] = "?";
	}
	return n;
}

static const char *short_class(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot + 1 : name;
}

void py_record_class_facts(struct fl_file *f)
{
	for (size_t ci = 0; ci < f->m.classes.n; ci++) {
		const char *name = short_class(f->m.classes.v[ci].name);
		fl_fact(f, FACT_DEFINES, arena_printf(f->a, "class:%s", name),
			f->m.classes.v[ci].node);
		const char *b[16];
		size_t n = class_bases(f, (int)ci, b, ARRAY_SIZE(b));
		for (size_t k = 0; k < n; k++)
			if (!neutral_base(b[k])) {
				fl_fact(f, FACT_DEFINES,
					arena_printf(f->a, "bases:%s", name),
					f->m.classes.v[ci].node);
				break;
			}
	}
}

enum py_bases py_class_bases(struct fl_file *f, int ci, const char **first)
{
	const char *b[16];
	size_t n = class_bases(f, ci, b, ARRAY_SIZE(b));
	enum py_bases worst = BASES_NONE;
	*first = NULL;
	for (size_t k = 0; k < n; k++) {
		if (neutral_base(b[k]))
			continue;
		enum py_bases kind = BASES_EXTERNAL;
		if (fl_has_fact(f, FACT_DEFINES,
				arena_printf(f->a, "class:%s", b[k])))
			kind = fl_has_fact(f, FACT_DEFINES,
					   arena_printf(f->a, "bases:%s", b[k]))
				       ? BASES_PROGRAM_DEEP
				       : BASES_PROGRAM;
		if (kind > worst) {
			worst = kind;
			*first = b[k];
		}
	}
	return worst;
}

bool py_is_decorated(struct fl_file *f, TSNode def)
{
	TSNode p = ts_node_parent(def);
	return fl_kind(f, p) == PK_decorated_definition;
}
