/*
 * GRW004 limit-never-enforced (Python)
 *
 * Heuristic: an initialiser (__init__, __post_init__, __new__,
 * configure*, setup*) stores on self a setting whose name says it is a
 * bound -- max anywhere (max_clients, retry_max_delay, maxsize), limit
 * first or last, capacity/quota/budget/cap last -- from configuration: a
 * parameter (`self._max_clients = max_clients`) or a configuration lookup
 * (`config.max_clients`, `settings["max_clients"]`, `cfg.get(...)`,
 * `os.environ[...]`), possibly converted or defaulted (`int(...)`, `x or
 * 100`, `max(1, x)`).  Nothing anywhere in the scanned program reads an
 * attribute of that name: no load of `<anything>.<name>` in any file, and
 * no string naming it (getattr(obj, "max_clients"), attrgetter, field
 * lists, "{0.max_clients}").  Whoever configured the limit believes it
 * holds; the code never compares anything with it.  Whole-program: reads
 * in any file count (facts by attribute name).
 *
 * A load that only passes the setting on to another limit
 * (`self._max = config.max_clients`, `self.max_x = other.max_x`) is not a
 * read: the limit it is stored in is the one to check.  The original of a
 * setting passed on is not reported; a copy under the same name is.
 *
 * Any other read counts as enforcement -- a comparison, an argument, a
 * log line, a repr: precision first.  So does a use of the source itself
 * in the initialiser (`self.max_workers = max_workers` next to
 * `ThreadPoolExecutor(max_workers)`: the executor enforces it), except
 * validation (`if max_workers < 1: raise`, assert, isinstance, a log
 * call) and normalisation (`max_workers = max_workers or 4`).
 *
 * Not reported: classes with decorators (dataclasses, attrs) or record
 * bases (NamedTuple, TypedDict, pydantic BaseModel, Enum...), whose
 * fields external code reads; classes that hand their whole state to
 * other code (self.__dict__, vars(self), asdict(self), and vars(obj) /
 * obj.__dict__ elsewhere on an object named like the class) or read
 * their attributes by computed names (getattr(self, name)); test code; a
 * copy
 * of an attribute that is itself read (the limit is enforced there);
 * thresholds (they trigger actions, they bound nothing).
 *
 * Confidence: high for private attributes (a leading underscore: only
 * the class itself can enforce them); medium for public attributes of a
 * class whose name says it is a long-lived service (limiter, pool,
 * queue, dispatcher...) when the limit counts things (clients, entries,
 * depth...) and a container of the class grows after initialisation;
 * low for other public attributes (read by a library's users or by
 * reflection), for constants and computed values (no configuration chose
 * them), and for classes deriving from a class the program does not
 * define (the base may read the attribute).
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

/* A name that says it is a bound: max anywhere (max_clients,
 * retry_max_delay, maxsize), limit first or last (limit_per_host,
 * hop_limit), capacity, quota, budget or cap last (queue_capacity, but
 * not capacity_type).  Thresholds trigger actions rather than bound
 * anything, and max_seen or fulfilled_capacity measure: not limits
 * here. */
static bool limit_attr(const char *name)
{
	static const char *const anywhere[] = {
		"max", "maximum", "maxsize", "maxlen", "maxbytes", "maxcount",
	};
	static const char *const last[] = {
		"limit", "limits", "capacity", "quota", "budget", "cap",
	};
	/* a measured quantity, not a setting: max_seen, peak_max,
	 * fulfilled_capacity, remaining_quota */
	static const char *const measured[] = {
		"current", "cur", "used", "available", "remaining", "fulfilled",
		"actual", "observed", "seen", "measured", "free", "spare",
		"peak", "reached", "exceeded", "hit", "hits", "last",
	};
	if (!py_limit_word(name))
		return false; /* quick: no bound word at all */
	if (py_name_has_word(name, measured, ARRAY_SIZE(measured)))
		return false;
	if (py_name_has_word(name, anywhere, ARRAY_SIZE(anywhere)))
		return true;
	char w[8][24];
	size_t n = py_name_words(name, w, 8);
	/* self.cap: a capability, a capture */
	if (n == 1 && !strcmp(w[0], "cap"))
		return false;
	return n && (in_list(w[n - 1], last, ARRAY_SIZE(last)) ||
		     !strcmp(w[0], "limit"));
}

/* The assignment whose right-hand side contains n (within its
 * statement), or a null node. */
static TSNode rhs_assignment(struct fl_file *f, TSNode n)
{
	TSNode none = {{0}, NULL, NULL};
	TSNode cur = n;
	for (int depth = 0; depth < 24; depth++) {
		TSNode p = ts_node_parent(cur);
		if (ts_node_is_null(p))
			return none;
		switch (fl_kind(f, p)) {
		case PK_assignment:
			return ts_node_eq(fl_child(f, p, F_right), cur) ? p : none;
		case PK_block:
		case PK_module:
		case PK_expression_statement:
		case PK_lambda:
		case PK_function_definition:
		case PK_class_definition:
			return none;
		default:
			cur = p;
		}
	}
	return none;
}

/* self._max_clients = config.max_tracked_clients, self.max_x =
 * min(other.max_x, 100), getattr(cfg, "max_clients"): the setting is
 * passed on to another limit, not enforced.  The limit it is stored in is
 * the one to check. */
static bool passed_on(struct fl_file *f, TSNode n)
{
	TSNode left = fl_child(f, rhs_assignment(f, n), F_left);
	if (fl_kind(f, left) != PK_attribute)
		return false;
	char buf[64];
	return py_copy_name(f, fl_child(f, left, F_attribute), buf,
			    sizeof(buf)) &&
	       limit_attr(buf);
}

/* A read of a limit-like name: a fact for the global phase. */
static void record_read(struct fl_file *f, const char *name, TSNode at)
{
	if (passed_on(f, at))
		fl_fact(f, FACT_LIMIT_SET, arena_printf(f->a, "copy:%s", name),
			at);
	else
		fl_fact(f, FACT_LIMIT_READ, name, at);
}

/* ------------------------------------------------------------------ */
/* Per-file phase: reads of limit-like attributes                      */

/* The last word of the name an expression ends in (`limiter`,
 * `self._rate_limiter` -> "limiter"), or NULL. */
static const char *last_word(struct fl_file *f, TSNode e, char *out,
			     size_t size)
{
	e = fl_unparen(f, e);
	if (fl_kind(f, e) == PK_attribute)
		e = fl_child(f, e, F_attribute);
	char name[64], w[8][24];
	if (fl_kind(f, e) != PK_identifier ||
	    !py_copy_name(f, e, name, sizeof(name)))
		return NULL;
	size_t n = py_name_words(name, w, 8);
	if (!n || strlen(w[n - 1]) >= size)
		return NULL;
	strcpy(out, w[n - 1]);
	return out;
}

/* vars(limiter), asdict(config), registry.__dict__: another object's
 * whole state goes to code that may read any attribute.  Its class is
 * not known; the last word of its name ("limiter") stands for classes
 * whose name ends the same way (RateLimiter). */
static void record_exposed(struct fl_file *f, TSNode obj)
{
	char word[24];
	if (fl_text_eq(f, obj, "self") || fl_text_eq(f, obj, "cls") ||
	    !last_word(f, obj, word, sizeof(word)))
		return;
	fl_fact(f, FACT_LIMIT_READ, arena_printf(f->a, "exposed:%s", word),
		obj);
}

static void on_attribute(struct fl_file *f, TSNode n)
{
	char buf[64];
	if (!py_copy_name(f, fl_child(f, n, F_attribute), buf, sizeof(buf)))
		return;
	if (!strcmp(buf, "__dict__")) {
		record_exposed(f, fl_child(f, n, F_object));
		return;
	}
	if (!limit_attr(buf))
		return;
	TSNode p = ts_node_parent(n);
	switch (fl_kind(f, p)) {
	case PK_assignment:
		/* self.max_x = ... stores; ... = self.max_x reads */
		if (ts_node_eq(fl_child(f, p, F_left), n))
			return;
		break;
	case PK_pattern_list:
	case PK_tuple_pattern:
	case PK_list_pattern:
	case PK_delete_statement:
		return;
	default:
		break;
	}
	record_read(f, arena_strdup(f->a, buf), n);
}

struct string_ctx {
	struct fl_file *f;
	TSNode at;
};

/* __slots__ = ("max_size",) declares the attribute, reads nothing. */
static bool in_slots(struct fl_file *f, TSNode n)
{
	TSNode left = fl_child(f, rhs_assignment(f, n), F_left);
	return fl_text_eq(f, left, "__slots__");
}

static void string_name(void *ud, const char *name, bool prefix)
{
	struct string_ctx *sc = ud;
	struct fl_file *f = sc->f;
	if (prefix) {
		/* getattr(self, "max_" + kind) reads every max_* */
		if (limit_attr(name))
			fl_fact(f, FACT_LIMIT_READ,
				arena_printf(f->a, "prefix:%s", name), sc->at);
		return;
	}
	if (limit_attr(name) && !in_slots(f, sc->at))
		record_read(f, name, sc->at);
}

static void on_string(struct fl_file *f, TSNode n)
{
	struct string_ctx sc = {f, n};
	py_string_names(f, n, string_name, &sc);
}

/* ------------------------------------------------------------------ */
/* Candidate stores                                                    */

enum origin {
	FROM_PARAM = 1,  /* a parameter of the initialiser */
	FROM_CONFIG,     /* settings.MAX, os.environ[...], self._cfg.max */
	FROM_CONST,      /* a literal or a module constant */
	FROM_OTHER,      /* computed */
};

struct store {
	const struct fl_access *a;
	TSNode value;         /* the right-hand side */
	TSNode src;           /* the parameter or lookup it comes from */
	enum origin origin;
	bool copy;            /* value is other.<same name> */
};

static bool init_func(const char *name)
{
	static const char *const init[] = {
		"__init__", "__post_init__", "__new__",
	};
	static const char *const pre[] = {
		"configure", "setup", "set_up", "initialize", "initialise",
	};
	return in_list(name, init, ARRAY_SIZE(init)) ||
	       py_name_starts(name, pre, ARRAY_SIZE(pre));
}

/* Classes whose fields are read by code outside the program: records
 * and models. */
static bool record_class(struct fl_file *f, int ci)
{
	static const char *const records[] = {
		"NamedTuple", "TypedDict", "BaseModel", "BaseSettings",
		"Struct", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag",
		"SimpleNamespace", "Namespace", "Model", "Schema",
	};
	const struct fl_class *c = &f->m.classes.v[ci];
	if (py_is_decorated(f, c->node))
		return true;
	TSNode sup = fl_child(f, c->node, F_superclasses);
	uint32_t n = ts_node_is_null(sup) ? 0 : ts_node_named_child_count(sup);
	for (uint32_t i = 0; i < n; i++) {
		TSNode b = ts_node_named_child(sup, i);
		if (fl_kind(f, b) == PK_attribute)
			b = fl_child(f, b, F_attribute);
		if (fl_kind(f, b) == PK_identifier &&
		    in_list(fl_text(f, b), records, ARRAY_SIZE(records)))
			return true;
	}
	return false;
}

/* self.__dict__, vars(self), asdict(self): the class hands its whole
 * state to other code, which may read any attribute. */
/* Calls that hand an object's whole state to their caller (a copy,
 * copy.copy(obj), reads nothing by name). */
static const char *const whole_state[] = {
	"vars", "asdict", "astuple", "dataclasses.asdict",
	"dataclasses.astuple", "attr.asdict", "attrs.asdict",
};

/* The first argument of a call, or a null node. */
static TSNode first_arg(struct fl_file *f, TSNode call)
{
	TSNode none = {{0}, NULL, NULL};
	TSNode args = fl_child(f, call, F_arguments);
	if (fl_kind(f, args) == PK_argument_list &&
	    ts_node_named_child_count(args))
		return ts_node_named_child(args, 0);
	return none;
}

static bool exposes_state(struct fl_file *f, int ci)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func >= 0 && f->m.funcs.v[a->func].cls == ci &&
		    !strcmp(a->name, "__dict__"))
			return true;
	}
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->func < 0 || f->m.funcs.v[c->func].cls != ci ||
		    !c->qname ||
		    !in_list(c->qname, whole_state, ARRAY_SIZE(whole_state)))
			continue;
		if (fl_text_eq(f, first_arg(f, c->node), "self"))
			return true;
	}
	return false;
}

/* Words of names that hold configuration. */
static bool config_word(const char *name)
{
	static const char *const words[] = {
		"config", "conf", "cfg", "configuration", "settings",
		"setting", "options", "opts", "environ", "getenv", "env",
		"params", "parameters", "kwargs", "defaults", "profile",
	};
	return py_name_has_word(name, words, ARRAY_SIZE(words));
}

struct origin_walk {
	struct fl_file *f;
	int func;
	const char *name;     /* the stored attribute */
	TSNode param;         /* a parameter used as the value */
	TSNode lookup;        /* config.max_x, opts["max"], cfg.get(...) */
	bool copy;            /* other.<name> */
};

/* The lookup an identifier starts: the longest chain of attributes and
 * subscripts on it, and the call when the chain ends in .get(...)
 * (config.limits.max_clients, opts["max"], cfg.get("max", 10)). */
static TSNode lookup_of(struct fl_file *f, TSNode id)
{
	TSNode cur = id;
	for (int depth = 0; depth < 16; depth++) {
		TSNode p = ts_node_parent(cur);
		unsigned k = fl_kind(f, p);
		if ((k == PK_attribute &&
		     ts_node_eq(fl_child(f, p, F_object), cur)) ||
		    (k == PK_subscript &&
		     ts_node_eq(fl_child(f, p, F_value), cur))) {
			cur = p;
			continue;
		}
		if (k == PK_call && !ts_node_eq(cur, id) &&
		    ts_node_eq(fl_child(f, p, F_function), cur))
			cur = p;
		break;
	}
	return cur;
}

/* Does an attribute on the chain from id to l name configuration
 * (os.environ, self._settings, app.config)? */
static bool chain_says_config(struct fl_file *f, TSNode id, TSNode l)
{
	TSNode cur = id;
	for (int depth = 0; depth < 16 && !ts_node_eq(cur, l); depth++) {
		cur = ts_node_parent(cur);
		if (fl_kind(f, cur) == PK_attribute &&
		    config_word(fl_text(f, fl_child(f, cur, F_attribute))))
			return true;
	}
	return false;
}

static enum fl_visit find_origin(void *ud, TSNode n)
{
	struct origin_walk *ow = ud;
	struct fl_file *f = ow->f;
	switch (fl_kind(f, n)) {
	case PK_lambda:
		return FL_SKIP;
	case PK_attribute:
		if (fl_text_eq(f, fl_child(f, n, F_attribute), ow->name))
			ow->copy = true;
		return FL_DESCEND;
	case PK_identifier: {
		if (!ts_node_is_null(ow->lookup))
			return FL_DESCEND;
		/* other.max_x, f(max_x=1): names, not values */
		TSNode p = ts_node_parent(n);
		if ((fl_kind(f, p) == PK_attribute &&
		     ts_node_eq(fl_child(f, p, F_attribute), n)) ||
		    (fl_kind(f, p) == PK_keyword_argument &&
		     ts_node_eq(fl_child(f, p, F_name), n)))
			return FL_DESCEND;
		const char *t = fl_text(f, n);
		bool param = strcmp(t, "self") && py_is_parameter(f, ow->func, t);
		TSNode l = lookup_of(f, n);
		if (!ts_node_eq(l, n)) {
			/* config.max, settings.MAX, self._cfg.max,
			 * os.environ[...], os.getenv(...) */
			if (param || config_word(t) || chain_says_config(f, n, l))
				ow->lookup = l;
		} else if (param && ts_node_is_null(ow->param)) {
			ow->param = n;
		}
		return FL_DESCEND;
	}
	default:
		return FL_DESCEND;
	}
}

/* A literal, a negative literal, None, or a module constant (MAX_X). */
static bool constant(struct fl_file *f, TSNode v)
{
	v = fl_unparen(f, v);
	switch (fl_kind(f, v)) {
	case PK_integer:
	case PK_float:
	case PK_none:
	case PK_true:
	case PK_false:
		return true;
	case PK_unary_operator:
		return constant(f, fl_child(f, v, F_argument));
	case PK_identifier: {
		const char *t = fl_text(f, v);
		for (; *t; t++)
			if (*t >= 'a' && *t <= 'z')
				return false;
		return true;
	}
	default:
		return false;
	}
}

static bool classify(struct fl_file *f, const struct fl_access *a,
		     struct store *st)
{
	memset(st, 0, sizeof(*st));
	if (a->kind != ACC_STORE || a->func < 0)
		return false;
	const struct fl_func *fn = &f->m.funcs.v[a->func];
	if (fn->cls < 0 || !init_func(fn->name) || !limit_attr(a->name) ||
	    !fl_text_eq(f, fl_child(f, a->node, F_object), "self"))
		return false;
	TSNode asg = py_access_assignment(f, a);
	if (ts_node_is_null(asg))
		return false;
	st->a = a;
	st->value = fl_child(f, asg, F_right);
	if (ts_node_is_null(st->value))
		return false;
	struct origin_walk ow = {f, a->func, a->name, {{0}, NULL, NULL},
				 {{0}, NULL, NULL}, false};
	fl_preorder(st->value, find_origin, &ow);
	st->copy = ow.copy;
	if (!ts_node_is_null(ow.param)) {
		st->origin = FROM_PARAM;
		st->src = ow.param;
	} else if (!ts_node_is_null(ow.lookup)) {
		st->origin = FROM_CONFIG;
		st->src = ow.lookup;
	} else if (constant(f, st->value)) {
		st->origin = FROM_CONST;
		st->src = st->value;
	} else {
		st->origin = FROM_OTHER;
		st->src = st->value;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Is the source used in the initialiser besides this store?           */

enum src_use { SRC_CHECK = 1, SRC_REBIND, SRC_ELSEWHERE };

/* How the initialiser uses an occurrence u of the source outside the
 * store: checks it (validation, a log line), rebinds it (max_x = max_x
 * or 4), or uses it -- passes it on, stores it elsewhere, loops over
 * it -- so the limit may be enforced through that use. */
static enum src_use use_of(struct fl_file *f, TSNode u, const char *text)
{
	TSNode cur = u;
	bool passed = false;
	for (int depth = 0; depth < 32; depth++) {
		TSNode p = ts_node_parent(cur);
		if (ts_node_is_null(p))
			return passed ? SRC_ELSEWHERE : SRC_CHECK;
		switch (fl_kind(f, p)) {
		case PK_if_statement:
		case PK_elif_clause:
		case PK_while_statement:
			return ts_node_eq(fl_child(f, p, F_condition), cur)
				       ? SRC_CHECK
				       : SRC_ELSEWHERE;
		case PK_assert_statement:
		case PK_raise_statement:
		case PK_comparison_operator:
			return SRC_CHECK;
		case PK_call:
			/* log.info("limit %d", max_x), isinstance(max_x, int) */
			if (py_is_logging_call(f, p) ||
			    fl_text_eq(f, fl_child(f, p, F_function),
				       "isinstance"))
				return SRC_CHECK;
			/* Semaphore(max_x): handed to what enforces it */
			passed |= ts_node_eq(fl_child(f, p, F_arguments), cur);
			break;
		case PK_assignment:
		case PK_augmented_assignment: {
			TSNode left = fl_child(f, p, F_left);
			if (ts_node_eq(left, cur) || fl_text_eq(f, left, text))
				return SRC_REBIND;
			return SRC_ELSEWHERE;
		}
		case PK_expression_statement:
		case PK_block:
		case PK_module:
			return passed ? SRC_ELSEWHERE : SRC_CHECK;
		case PK_return_statement:
		case PK_lambda:
		case PK_function_definition:
		case PK_for_statement:
			return SRC_ELSEWHERE;
		default:
			break;
		}
		cur = p;
	}
	return SRC_ELSEWHERE;
}

struct use_walk {
	struct fl_file *f;
	TSNode src, skip;     /* the source; the store's own value */
	const char *text;
	TSNode at;            /* the first use elsewhere */
};

static enum fl_visit find_use(void *ud, TSNode n)
{
	struct use_walk *uw = ud;
	struct fl_file *f = uw->f;
	if (!ts_node_is_null(uw->at))
		return FL_STOP;
	if (ts_node_eq(n, uw->skip))
		return FL_SKIP;
	if (fl_kind(f, n) == fl_kind(f, uw->src) && fl_text_eq(f, n, uw->text) &&
	    use_of(f, n, uw->text) == SRC_ELSEWHERE) {
		uw->at = n;
		return FL_STOP;
	}
	return FL_DESCEND;
}

/* The first place the initialiser uses the store's source otherwise
 * (`ThreadPoolExecutor(max_workers)`), or a null node. */
static TSNode used_elsewhere(struct fl_file *f, const struct store *st)
{
	struct use_walk uw = {f, st->src, st->value, fl_text(f, st->src),
			      {{0}, NULL, NULL}};
	TSNode body = fl_child(f, f->m.funcs.v[st->a->func].node, F_body);
	if (!ts_node_is_null(body) && strlen(uw.text) <= 200)
		fl_preorder(body, find_use, &uw);
	return uw.at;
}

/* Is the store one the rule may report, leaving the program-wide
 * question (is it read anywhere?) to the facts? */
static bool candidate(struct fl_file *f, const struct fl_access *a,
		      struct store *st)
{
	if (f->is_test || !classify(f, a, st))
		return false;
	int ci = f->m.funcs.v[a->func].cls;
	/* getattr(self, name): any attribute may be read */
	if (record_class(f, ci) || exposes_state(f, ci) ||
	    py_class_getattr_self(f, ci))
		return false;
	/* only the first store of a name in a class: one report */
	for (const struct fl_access *b = f->m.accesses.v; b < a; b++)
		if (b->kind == ACC_STORE && b->func >= 0 &&
		    f->m.funcs.v[b->func].cls == ci && !strcmp(b->name, a->name))
			return false;
	/* a literal or a computation has no source to be used elsewhere */
	return (st->origin != FROM_PARAM && st->origin != FROM_CONFIG) ||
	       ts_node_is_null(used_elsewhere(f, st));
}

static void check(struct fl_file *f)
{
	py_record_class_facts(f);
	for (size_t i = 0; i < f->m.calls.n; i++) {
		const struct fl_call *c = &f->m.calls.v[i];
		if (c->qname &&
		    in_list(c->qname, whole_state, ARRAY_SIZE(whole_state)))
			record_exposed(f, first_arg(f, c->node));
	}
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		struct store st;
		if (a->kind != ACC_STORE || !candidate(f, a, &st))
			continue;
		fl_fact(f, FACT_LIMIT_SET, a->name, a->node);
		fl_mention(f, &check_limit_never_enforced, FACT_LIMIT_SET,
			   a->name, FACT_LIMIT_READ, a->name);
	}
}

/* ------------------------------------------------------------------ */
/* Global phase                                                        */

/* Is a read of the name built from a prefix ("max_" + kind)? */
static bool read_by_prefix(struct fl_file *f, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 1; i + 1 < len; i++) {
		if (name[i] != '_' || name[i - 1] == '_')
			continue;
		if (fl_has_fact(f, FACT_LIMIT_READ,
				arena_printf(f->a, "prefix:%.*s", (int)i + 1,
					     name)))
			return true;
	}
	return false;
}

/* A limit on how many things are kept (max_tracked_clients, max_depth,
 * queue_capacity), rather than on a duration, a retry count or a size of
 * one item. */
static bool count_limit(const char *name)
{
	static const char *const kept[] = {
		"clients", "entries", "items", "size", "maxsize", "maxlen",
		"depth", "count", "maxcount", "pending", "inflight", "queue",
		"queued", "tracked", "connections", "conns", "jobs",
		"workers", "peers", "sessions", "keys", "records", "messages",
		"tasks", "capacity", "elements", "objects", "backlog", "cache",
		"cached", "buffered", "outstanding", "concurrent", "concurrency",
		"subscribers", "listeners", "handlers", "streams", "waiters",
	};
	return py_name_has_word(name, kept, ARRAY_SIZE(kept));
}

/* A container of the class that gains entries after initialisation:
 * what a limit on how many things are kept was presumably meant to
 * bound. */
static const struct fl_access *bounded_container(struct fl_file *f, int ci,
						 const char *limit)
{
	if (!count_limit(limit))
		return NULL;
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		if (a->func < 0 || f->m.funcs.v[a->func].cls != ci ||
		    !py_grows(a) || py_is_init_func(f, a->func))
			continue;
		if (py_owned_container(f, ci, a->name))
			return a;
	}
	return NULL;
}

static void report(struct fl_file *f, const struct store *st)
{
	const struct fl_access *a = st->a;
	const struct fl_func *fn = &f->m.funcs.v[a->func];
	int ci = fn->cls;
	const char *cls = f->m.classes.v[ci].name;
	bool private = a->name[0] == '_';
	enum fl_confidence conf;
	if (st->origin == FROM_CONST || st->origin == FROM_OTHER)
		conf = CONF_LOW;
	else if (private)
		conf = CONF_HIGH;
	else
		/* a public attribute may be read by reflection (a serializer,
		 * a template, a library's users): medium only when the class
		 * plays a long-lived role and accumulates something the
		 * limit could bound */
		conf = py_long_lived_class(cls) &&
				       bounded_container(f, ci, a->name)
			       ? CONF_MEDIUM
			       : CONF_LOW;
	const char *base = NULL;
	enum py_bases bases = py_class_bases(f, ci, &base);
	/* class Pool(external.BasePool): the base may read self.maxsize */
	if (bases == BASES_EXTERNAL)
		conf = CONF_LOW;
	else if (bases == BASES_PROGRAM_DEEP && conf > CONF_MEDIUM)
		conf = CONF_MEDIUM;

	const char *src = py_one_line(f, st->src);
	const char *from;
	switch (st->origin) {
	case FROM_PARAM:
		from = arena_printf(f->a, "from parameter '%s' of '%s'", src,
				    fn->name);
		break;
	case FROM_CONFIG:
		from = arena_printf(f->a, "from the configuration ('%s')", src);
		break;
	default:
		from = arena_printf(f->a, "to '%s'",
				    py_one_line(f, fl_unparen(f, st->value)));
		break;
	}
	struct fl_finding *fd = fl_report(
		f, &check_limit_never_enforced, a->node, conf,
		"'%s.%s' is set %s but nothing in the program ever reads it: "
		"the limit is %snever enforced",
		cls, a->name, from,
		st->origin == FROM_PARAM || st->origin == FROM_CONFIG
			? "configured and "
			: "");
	switch (st->origin) {
	case FROM_PARAM:
		fl_trace(f, fd, st->src,
			 "'%s' comes in as a parameter of '%s': whoever builds "
			 "the object chooses the limit",
			 src, fn->qualname);
		break;
	case FROM_CONFIG:
		fl_trace(f, fd, st->src, "'%s' is read from the configuration",
			 src);
		break;
	default:
		break;
	}
	fl_trace(f, fd, a->node, "'self.%s' keeps it", a->name);
	const struct fl_access *g = bounded_container(f, ci, a->name);
	if (g)
		fl_trace(f, fd, g->node,
			 "meanwhile 'self.%s' gains entries in '%s' without "
			 "any check against '%s'",
			 g->name, f->m.funcs.v[g->func].qualname, a->name);
	if (bases == BASES_EXTERNAL)
		fl_trace(f, fd, f->m.classes.v[ci].node,
			 "'%s' derives from '%s', which the scanned program "
			 "does not define: it may read '%s'",
			 cls, base, a->name);
	fl_trace(f, fd, a->node,
		 "no code in the scanned program reads an attribute named "
		 "'%s' or names it in a string: nothing is ever compared "
		 "with the limit",
		 a->name);
	if (g)
		fl_set_hint(fd,
			    "check it where the class admits work (if "
			    "len(self.%s) >= self.%s: evict or reject), or "
			    "remove the setting so nobody relies on it",
			    g->name, a->name);
	else
		fl_set_hint(fd,
			    "compare 'self.%s' where the class admits work, "
			    "or remove the setting so nobody relies on it",
			    a->name);
}

/* Does code elsewhere hand the whole state of an object named like
 * class ci (vars(limiter) for RateLimiter) to other code? */
static bool exposed_elsewhere(struct fl_file *f, int ci)
{
	const char *cls = f->m.classes.v[ci].name;
	const char *dot = strrchr(cls, '.');
	char w[8][24];
	size_t n = py_name_words(dot ? dot + 1 : cls, w, 8);
	return n && fl_has_fact(f, FACT_LIMIT_READ,
				arena_printf(f->a, "exposed:%s", w[n - 1]));
}

static void revisit(struct fl_file *f)
{
	for (size_t i = 0; i < f->m.accesses.n; i++) {
		const struct fl_access *a = &f->m.accesses.v[i];
		struct store st;
		if (a->kind != ACC_STORE || !candidate(f, a, &st) ||
		    fl_has_fact(f, FACT_LIMIT_READ, a->name) ||
		    read_by_prefix(f, a->name) ||
		    exposed_elsewhere(f, f->m.funcs.v[a->func].cls))
			continue;
		/* class Settings: self.max_x = max_x, passed on by
		 * Limiter: self._max = settings.max_x: the limit it is
		 * passed to is the one to report (a copy of the same name,
		 * Limiter: self.max_x = settings.max_x, is reported) */
		if (!st.copy &&
		    fl_has_fact(f, FACT_LIMIT_SET,
				arena_printf(f->a, "copy:%s", a->name)))
			continue;
		/* self.max_tasks = executor._max_tasks, and the executor
		 * reads its own _max_tasks: the limit is enforced there,
		 * this is a dead copy */
		if (fl_kind(f, st.src) == PK_attribute) {
			const char *orig =
				fl_text(f, fl_child(f, st.src, F_attribute));
			if (strcmp(orig, a->name) && limit_attr(orig) &&
			    fl_has_fact(f, FACT_LIMIT_READ, orig))
				continue;
		}
		report(f, &st);
	}
}

static const struct fl_hook hooks[] = {
	{LANG_PYTHON, PK_attribute, on_attribute},
	{LANG_PYTHON, PK_string, on_string},
	{0},
};

const struct fl_check check_limit_never_enforced = {
	.code = "GRW004",
	.name = "limit-never-enforced",
	.family = FAM_GRW,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-770",
	.summary = "A limit (max_*, *_limit, capacity...) is taken from "
		   "configuration and stored, but nothing in the program ever "
		   "reads it, so the bound it promises is never enforced.",
	.fix_hint = "compare the limit where work is admitted, or remove the "
		    "setting",
	.hooks = hooks,
	.file_end = check,
	.revisit = revisit,
};
