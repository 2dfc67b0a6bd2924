/*
 * SEC002 credential-in-connection-string (Python)
 *
 * Heuristic: a connection string built by interpolation -- an f-string,
 * `%`, `.format()` or `+` -- puts a value in its password field, and the
 * string is kept: passed to a call (create_engine, connect, from_url...),
 * returned, stored on an object, in a container or in a module global,
 * directly or through a local name.  What counts as a connection string
 * is read from the literal pieces around the interpolated value, in the
 * tree:
 *   - a URL: a literal "://" earlier in the same string, no '/', '?',
 *     '#' or '@' since, the piece just before the value ends with ':' and
 *     the piece just after starts with '@' -- the userinfo password of
 *     scheme://user:PASSWORD@host;
 *   - a keyword DSN (libpq, ODBC): the piece before ends with
 *     `password=`, `pwd=` or `passwd=` (optionally a quote), and another
 *     piece names a connection keyword (host=, user=, server=, uid=,
 *     dbname=, database=, driver=...).
 * The URL (or DSN) then carries the password wherever it travels: the
 * traceback of a failed connect (and error trackers that capture local
 * variables), driver error messages that echo the DSN, a debug log of
 * the engine's arguments; a password with '@', ':' or '/' also breaks
 * the URL unless quoted.
 *
 * Confidence: high when the value is a credential by name or derivation
 * (secret.c), medium when only its position says password (a name such
 * as `p` or `self.pw_`), low in test code.  Literals, masked values
 * (`mask(pw)`, '***') and URLs without a password field are not
 * reported; neither are URLs used only by a log or print call (SEC001
 * reports those) or only through a masking function.
 */
#include "secret.h"
#include "../../lang/python/api.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXPARTS 48

struct part {
	bool lit;
	const char *s;     /* literal text (not NUL-terminated) */
	uint32_t len;
	TSNode node;       /* the value (null: unknown) */
};

struct parts {
	struct fl_file *f;
	struct part v[MAXPARTS];
	size_t n;
	bool bad;          /* too many parts, or a shape not understood */
};

static void add_lit(struct parts *p, const char *s, uint32_t len)
{
	if (p->n == MAXPARTS) {
		p->bad = true;
		return;
	}
	p->v[p->n++] = (struct part){true, s, len, {{0}, NULL, NULL}};
}

static void add_expr(struct parts *p, TSNode n)
{
	if (p->n == MAXPARTS) {
		p->bad = true;
		return;
	}
	p->v[p->n++] = (struct part){false, NULL, 0, n};
}

/* The pieces of a string literal: its text and its interpolations. */
static void add_string(struct parts *p, TSNode s)
{
	struct fl_file *f = p->f;
	if (fl_kind(f, s) == PK_concatenated_string) {
		uint32_t n = sec_nchild(s);
		for (uint32_t i = 0; i < n; i++)
			add_string(p, ts_node_named_child(s, i));
		return;
	}
	uint32_t n = sec_nchild(s);
	for (uint32_t i = 0; i < n; i++) {
		TSNode ch = ts_node_named_child(s, i);
		unsigned k = fl_kind(f, ch);
		if (k == PK_string_content)
			add_lit(p, f->src + ts_node_start_byte(ch),
				ts_node_end_byte(ch) - ts_node_start_byte(ch));
		else if (k == PK_interpolation)
			add_expr(p, ts_node_named_child(ch, 0));
	}
}

static bool is_op(struct fl_file *f, TSNode n, const char *op)
{
	return fl_kind(f, n) == PK_binary_operator &&
	       fl_text_eq(f, fl_child(f, n, F_operator), op);
}

static bool is_text(struct fl_file *f, TSNode n)
{
	unsigned k = fl_kind(f, n);
	return k == PK_string || k == PK_concatenated_string;
}

/* "postgresql://" + user + ":" + password + "@" + host */
static void add_plus(struct parts *p, TSNode n, int depth)
{
	struct fl_file *f = p->f;
	n = fl_unparen(f, n);
	if (p->bad || depth > MAXPARTS) {
		p->bad = true;
	} else if (is_op(f, n, "+")) {
		add_plus(p, fl_child(f, n, F_left), depth + 1);
		add_plus(p, fl_child(f, n, F_right), depth + 1);
	} else if (is_text(f, n)) {
		add_string(p, n);
	} else {
		add_expr(p, n);
	}
}

/* The literal text of a template string (no interpolations), as one
 * arena string, or NULL. */
static const char *template_text(struct fl_file *f, TSNode s)
{
	struct parts tp = {.f = f};
	add_string(&tp, s);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < tp.n && !tp.bad; i++) {
		if (!tp.v[i].lit) {
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_add(&sb, tp.v[i].s, tp.v[i].len);
	}
	const char *t = tp.bad ? NULL : arena_strdup(f->a, strbuf_str(&sb));
	strbuf_release(&sb);
	return t;
}

/* Positional values of a `%` right operand or a call's arguments. */
struct values {
	TSNode pos[MAXPARTS];
	size_t npos;
	TSNode map;        /* dictionary or argument_list for names */
	bool open;         /* *args / **kw: unknown mapping */
	bool single;       /* `"..." % value`: one value, not a tuple */
};

static TSNode named_value(struct fl_file *f, const struct values *v,
			  const char *name, size_t len)
{
	TSNode none = {{0}, NULL, NULL};
	if (ts_node_is_null(v->map))
		return none;
	uint32_t n = sec_nchild(v->map);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(v->map, i);
		TSNode key = none, val = none;
		if (fl_kind(f, a) == PK_keyword_argument) {
			key = fl_child(f, a, F_name);
			val = fl_child(f, a, F_value);
			if (ts_node_end_byte(key) - ts_node_start_byte(key) ==
				    len &&
			    !strncmp(f->src + ts_node_start_byte(key), name, len))
				return val;
		} else if (fl_kind(f, a) == PK_pair) {
			const char *k = py_string_value(f, fl_child(f, a, F_key));
			if (k && strlen(k) == len && !strncmp(k, name, len))
				return fl_child(f, a, F_value);
		}
	}
	return none;
}

/* "mysql://%s:%s@%s/%s" % (user, password, host, db) */
static void add_percent(struct parts *p, const char *t, struct values *v)
{
	struct fl_file *f = p->f;
	size_t next = 0;
	const char *lit = t;
	for (const char *c = t; *c;) {
		if (*c != '%') {
			c++;
			continue;
		}
		if (c[1] == '%') {
			add_lit(p, lit, (uint32_t)(c + 1 - lit));
			c += 2;
			lit = c;
			continue;
		}
		add_lit(p, lit, (uint32_t)(c - lit));
		const char *s = c + 1;
		const char *name = NULL;
		size_t nlen = 0;
		if (*s == '(') {
			name = s + 1;
			const char *e = strchr(name, ')');
			if (!e) {
				p->bad = true;
				return;
			}
			nlen = (size_t)(e - name);
			s = e + 1;
		}
		while (*s && strchr("-#0 +", *s))
			s++;
		while (isdigit((unsigned char)*s) || *s == '.')
			s++;
		if (*s == '*') {
			p->bad = true; /* width from the arguments */
			return;
		}
		while (*s && strchr("hlL", *s))
			s++;
		if (!*s || !strchr("diouxXeEfFgGcrsab", *s)) {
			p->bad = true;
			return;
		}
		TSNode val = {{0}, NULL, NULL};
		if (name) {
			val = named_value(f, v, name, nlen);
		} else if (v->single && next) {
			p->bad = true; /* "%s:%s" % args: a tuple we cannot see */
			return;
		} else if (next < v->npos && !v->open) {
			val = v->pos[next];
		}
		next += !name;
		add_expr(p, val);
		c = s + 1;
		lit = c;
	}
	add_lit(p, lit, (uint32_t)strlen(lit));
}

/* "postgresql://{}:{}@{}".format(user, password, host), {0}, {name} */
static void add_format(struct parts *p, const char *t, struct values *v)
{
	struct fl_file *f = p->f;
	size_t next = 0;
	const char *lit = t;
	for (const char *c = t; *c;) {
		if (*c != '{' && *c != '}') {
			c++;
			continue;
		}
		if (c[1] == *c) { /* {{ and }} */
			add_lit(p, lit, (uint32_t)(c + 1 - lit));
			c += 2;
			lit = c;
			continue;
		}
		if (*c == '}') {
			p->bad = true;
			return;
		}
		add_lit(p, lit, (uint32_t)(c - lit));
		const char *e = strchr(c, '}');
		const char *inner = strchr(c + 1, '{');
		if (!e || (inner && inner < e)) {
			p->bad = true; /* nested fields: not followed */
			return;
		}
		const char *name = c + 1;
		size_t nlen = strcspn(name, "!:.[}");
		TSNode val = {{0}, NULL, NULL};
		if (!nlen) {
			if (next < v->npos && !v->open)
				val = v->pos[next];
			next++;
		} else if (isdigit((unsigned char)name[0])) {
			size_t idx = (size_t)atoi(name);
			if (idx < v->npos && !v->open)
				val = v->pos[idx];
		} else {
			val = named_value(f, v, name, nlen);
		}
		/* {cfg.password}, {creds[0]}: a part of the value */
		if (name[nlen] == '.' || name[nlen] == '[')
			val = (TSNode){{0}, NULL, NULL};
		add_expr(p, val);
		c = e + 1;
		lit = c;
	}
	add_lit(p, lit, (uint32_t)strlen(lit));
}

static void collect_values(struct fl_file *f, TSNode n, struct values *v)
{
	memset(v, 0, sizeof(*v));
	n = fl_unparen(f, n);
	unsigned k = fl_kind(f, n);
	if (k == PK_dictionary) {
		v->map = n;
		return;
	}
	if (k != PK_tuple && k != PK_argument_list) {
		v->pos[v->npos++] = n;
		v->single = true;
		return;
	}
	if (k == PK_argument_list)
		v->map = n;
	uint32_t cnt = sec_nchild(n);
	for (uint32_t i = 0; i < cnt && v->npos < MAXPARTS; i++) {
		TSNode a = ts_node_named_child(n, i);
		unsigned ak = fl_kind(f, a);
		if (ak == PK_list_splat || ak == PK_dictionary_splat)
			v->open = true;
		else if (ak != PK_keyword_argument && ak != PK_comment)
			v->pos[v->npos++] = a;
	}
}

/* ------------------------------------------------------------------ */
/* Where the password sits                                             */

enum form { FORM_NONE, FORM_URL, FORM_KEYWORD };

static bool key_before(const char *s, uint32_t len, const char *const *keys,
		       size_t nkeys)
{
	/* "... password=" or "password='" */
	while (len && (s[len - 1] == '\'' || s[len - 1] == '"'))
		len--;
	if (!len || s[len - 1] != '=')
		return false;
	len--;
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < nkeys; i++) {
		size_t kl = strlen(keys[i]);
		if (len < kl || strncasecmp(s + len - kl, keys[i], kl))
			continue;
		if (len == kl || strchr(" ;,", s[len - kl - 1]))
			return true;
	}
	return false;
}

/* Does some literal piece name a connection keyword (host=, user=)? */
static bool connection_keywords(const struct parts *p)
{
	static const char *const keys[] = {
		"host", "hostaddr", "server", "user", "uid", "user id",
		"username", "dbname", "database", "port", "driver",
		"data source", "initial catalog", "sslmode",
	};
	for (size_t i = 0; i < p->n; i++) {
		if (!p->v[i].lit)
			continue;
		const char *s = p->v[i].s;
		for (uint32_t j = 0; j < p->v[i].len; j++)
			if (s[j] == '=' &&
			    key_before(s, j + 1, keys, ARRAY_SIZE(keys)))
				return true;
	}
	return false;
}

/* Index of the part in the password field, or -1; *scheme gets the
 * URL's scheme ("postgresql"; "" when interpolated). */
static int password_field(struct fl_file *f, const struct parts *p,
			  enum form *form, const char **scheme)
{
	static const char *const pw_keys[] = {"password", "pwd", "passwd"};
	bool authority = false, userinfo_done = false;
	*scheme = "";
	for (size_t i = 0; i < p->n; i++) {
		const struct part *pt = &p->v[i];
		if (pt->lit) {
			for (uint32_t j = 0; j < pt->len; j++) {
				char ch = pt->s[j];
				if (ch == ':' && j + 2 < pt->len &&
				    pt->s[j + 1] == '/' && pt->s[j + 2] == '/') {
					uint32_t b = j;
					while (b > 0 && (isalnum((unsigned char)pt->s[b - 1]) ||
							 strchr("+-.", pt->s[b - 1])))
						b--;
					*scheme = arena_strndup(f->a, pt->s + b, j - b);
					authority = true;
					userinfo_done = false;
					j += 2;
				} else if (authority && strchr("/?#", ch)) {
					authority = false;
				} else if (authority && ch == '@') {
					userinfo_done = true;
				}
			}
			continue;
		}
		if (i == 0 || !p->v[i - 1].lit)
			continue;
		const struct part *prev = &p->v[i - 1];
		const struct part *next = i + 1 < p->n && p->v[i + 1].lit
						  ? &p->v[i + 1]
						  : NULL;
		if (authority && !userinfo_done && next && prev->len &&
		    prev->s[prev->len - 1] == ':' && next->len &&
		    next->s[0] == '@') {
			*form = FORM_URL;
			return (int)i;
		}
		if (key_before(prev->s, prev->len, pw_keys,
			       ARRAY_SIZE(pw_keys)) &&
		    connection_keywords(p)) {
			*form = FORM_KEYWORD;
			return (int)i;
		}
	}
	*form = FORM_NONE;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Where the string goes                                               */

struct kept {
	TSNode at;
	const char *how;   /* "passed to 'create_engine'" */
};

static bool kept(struct fl_file *f, TSNode e, int depth, struct kept *k);

struct uses {
	struct fl_file *f;
	uint32_t after;
	int depth;
	struct kept *k;
	bool yes;
};

static bool on_use(void *ud, const TSNode *path, size_t n)
{
	struct uses *u = ud;
	TSNode id = path[n - 1];
	if (ts_node_start_byte(id) < u->after)
		return true;
	/* obj.dsn is another name */
	if (n > 1 && fl_kind(u->f, path[n - 2]) == PK_attribute &&
	    !ts_node_eq(fl_child(u->f, path[n - 2], F_object), id))
		return true;
	if (kept(u->f, id, u->depth + 1, u->k)) {
		u->yes = true;
		return false;
	}
	return true;
}

/* Is the call one that shows values (SEC001 reports those) or masks
 * them? */
static bool shows_or_masks(struct fl_file *f, TSNode call)
{
	TSNode fn = fl_child(f, call, F_function);
	if (py_is_logging_call(f, call) || fl_text_eq(f, fn, "print"))
		return true;
	if (fl_kind(f, fn) == PK_attribute)
		fn = fl_child(f, fn, F_attribute);
	return fl_kind(f, fn) == PK_identifier &&
	       sec_masking_name(fl_text(f, fn));
}

static bool kept(struct fl_file *f, TSNode e, int depth, struct kept *k)
{
	if (depth > 3)
		return false;
	TSNode p = ts_node_parent(e);
	while (fl_kind(f, p) == PK_parenthesized_expression) {
		e = p;
		p = ts_node_parent(p);
	}
	TSNode call = {{0}, NULL, NULL};
	switch (fl_kind(f, p)) {
	case PK_argument_list:
		call = ts_node_parent(p);
		break;
	case PK_keyword_argument:
		if (fl_kind(f, ts_node_parent(p)) == PK_argument_list)
			call = ts_node_parent(ts_node_parent(p));
		break;
	case PK_return_statement: {
		int fi = model_func_at(&f->m, ts_node_start_byte(p));
		k->at = p;
		k->how = fi >= 0 ? arena_printf(f->a, "returned by '%s'",
						f->m.funcs.v[fi].qualname)
				 : "returned";
		return true;
	}
	case PK_pair:
	case PK_list:
	case PK_tuple:
	case PK_set:
		k->at = p;
		k->how = "stored in a container";
		return true;
	case PK_assignment: {
		if (!ts_node_eq(fl_child(f, p, F_right), e))
			return false;
		TSNode left = fl_child(f, p, F_left);
		unsigned lk = fl_kind(f, left);
		if (lk == PK_attribute || lk == PK_subscript) {
			k->at = p;
			k->how = arena_printf(f->a, "stored in '%s'",
					      py_one_line(f, left));
			return true;
		}
		if (lk != PK_identifier)
			return false;
		int fi = model_func_at(&f->m, ts_node_start_byte(p));
		if (fi < 0) {
			k->at = p;
			k->how = arena_printf(f->a,
					      "kept in the module global '%s'",
					      fl_text(f, left));
			return true;
		}
		struct uses u = {f, ts_node_end_byte(p), depth, k, false};
		TSNode body = fl_child(f, f->m.funcs.v[fi].node, F_body);
		fl_find_names(f, body, fl_text(f, left), on_use, &u);
		return u.yes;
	}
	default:
		return false;
	}
	if (ts_node_is_null(call) || fl_kind(f, call) != PK_call ||
	    shows_or_masks(f, call))
		return false;
	k->at = call;
	k->how = arena_printf(f->a, "passed to '%s'",
			      py_one_line(f, fl_child(f, call, F_function)));
	return true;
}

/* ------------------------------------------------------------------ */

static void analyse(struct fl_file *f, TSNode whole, struct parts *p)
{
	if (p->bad || p->n < 3)
		return;
	enum form form;
	const char *scheme;
	int i = password_field(f, p, &form, &scheme);
	if (i < 0)
		return;
	TSNode val = p->v[i].node;
	if (ts_node_is_null(val))
		return;
	struct sec_ctx *c = sec_ctx_new(f);
	struct sec_origin o;
	bool named = sec_carries(c, val, &o);
	if (!named && sec_harmless(c, val))
		return;
	struct kept k;
	if (!kept(f, whole, 0, &k))
		return;
	enum fl_confidence conf = CONF_MEDIUM;
	if (named && o.strength == SEC_STRONG)
		conf = CONF_HIGH;
	if (f->is_test)
		conf = CONF_LOW;
	const char *what = named ? sec_describe(f, &o)
				 : arena_printf(f->a, "'%s'",
						py_one_line(f, val));
	const char *where =
		form == FORM_URL
			? (*scheme ? arena_printf(f->a, "a '%s://' URL", scheme)
				   : "a connection URL")
			: "a keyword connection string";
	struct fl_finding *fd = fl_report(
		f, &check_credential_in_connection_string, val, conf,
		"%s is written into %s that is %s: wherever the string is "
		"shown -- a traceback, a driver error, a log line -- the "
		"password is too",
		what, where, k.how);
	if (named)
		sec_trace(f, fd, &o);
	else
		fl_trace(f, fd, val,
			 "'%s' is no credential by its name, but it sits where "
			 "the string keeps its password",
			 py_one_line(f, val));
	fl_trace(f, fd, whole,
		 form == FORM_URL
			 ? "the URL is built here with it between ':' and '@', "
			   "its password field"
			 : "the connection string is built here with it as the "
			   "password keyword's value");
	fl_trace(f, fd, k.at, "the string is %s", k.how);
	fl_set_hint(fd, form == FORM_URL
				? "pass the password on its own (connect(..., "
				  "password=...)) or build the URL with "
				  "sqlalchemy.URL.create(), whose text hides it"
				: "pass the password as its own argument "
				  "(connect(..., password=...)), not in the "
				  "string");
}

static bool inside(struct fl_file *f, TSNode n, unsigned kind, const char *op)
{
	TSNode p = ts_node_parent(n);
	if (fl_kind(f, p) != kind)
		return false;
	return !op || is_op(f, p, op);
}

static void on_string(struct fl_file *f, TSNode n)
{
	/* only f-strings and implicit concatenations build anything */
	if (fl_kind(f, n) == PK_string) {
		bool interp = false;
		uint32_t cnt = sec_nchild(n);
		for (uint32_t i = 0; i < cnt && !interp; i++)
			interp = fl_kind(f, ts_node_named_child(n, i)) ==
				 PK_interpolation;
		if (!interp)
			return;
	}
	/* the enclosing concatenation, +, % or .format() handles it */
	unsigned pk = fl_kind(f, ts_node_parent(n));
	if (pk == PK_concatenated_string || pk == PK_binary_operator ||
	    pk == PK_attribute)
		return;
	struct parts pt = {.f = f};
	add_string(&pt, n);
	analyse(f, n, &pt);
}

static void on_binary(struct fl_file *f, TSNode n)
{
	if (is_op(f, n, "+")) {
		/* a chain a + b + c nests to the left: start from its
		 * innermost node and climb to the whole chain, which has
		 * fewer than MAXPARTS operands or is not read */
		TSNode l = fl_unparen(f, fl_child(f, n, F_left));
		TSNode r = fl_unparen(f, fl_child(f, n, F_right));
		if (is_op(f, l, "+") || (!is_text(f, l) && !is_text(f, r)))
			return;
		TSNode top = n;
		for (int up = 0;; up++) {
			if (up > MAXPARTS)
				return;
			if (!inside(f, top, PK_binary_operator, "+") ||
			    !ts_node_eq(fl_child(f, ts_node_parent(top), F_left),
					top))
				break;
			top = ts_node_parent(top);
		}
		/* a + (b + c): the outer chain reads the inner one */
		if (inside(f, top, PK_parenthesized_expression, NULL) &&
		    inside(f, ts_node_parent(top), PK_binary_operator, "+"))
			return;
		struct parts pt = {.f = f};
		add_plus(&pt, top, 0);
		bool text = false;
		for (size_t i = 0; i < pt.n; i++)
			text |= pt.v[i].lit;
		if (text)
			analyse(f, top, &pt);
		return;
	}
	if (!is_op(f, n, "%"))
		return;
	TSNode left = fl_unparen(f, fl_child(f, n, F_left));
	if (!is_text(f, left))
		return;
	const char *t = template_text(f, left);
	if (!t || !strchr(t, '%'))
		return;
	struct values v;
	collect_values(f, fl_child(f, n, F_right), &v);
	struct parts pt = {.f = f};
	add_percent(&pt, t, &v);
	analyse(f, n, &pt);
}

static void on_call(struct fl_file *f, TSNode n)
{
	TSNode fn = fl_child(f, n, F_function);
	if (fl_kind(f, fn) != PK_attribute ||
	    !fl_text_eq(f, fl_child(f, fn, F_attribute), "format"))
		return;
	TSNode obj = fl_unparen(f, fl_child(f, fn, F_object));
	if (!is_text(f, obj))
		return;
	const char *t = template_text(f, obj);
	if (!t)
		return;
	struct values v;
	collect_values(f, fl_child(f, n, F_arguments), &v);
	struct parts pt = {.f = f};
	add_format(&pt, t, &v);
	analyse(f, n, &pt);
}

static const struct fl_hook hooks[] = {
	{LANG_PYTHON, PK_string, on_string},
	{LANG_PYTHON, PK_concatenated_string, on_string},
	{LANG_PYTHON, PK_binary_operator, on_binary},
	{LANG_PYTHON, PK_call, on_call},
	{0, 0, NULL},
};

const struct fl_check check_credential_in_connection_string = {
	.code = "SEC002",
	.name = "credential-in-connection-string",
	.family = FAM_SEC,
	.langs = LANG_BIT(LANG_PYTHON),
	.severity = SEV_MEDIUM,
	.cwe = "CWE-522,CWE-532",
	.summary = "A connection URL or DSN is built by interpolating a "
		   "password into it and then kept, passed on or returned, so "
		   "every traceback, driver error or log line that shows the "
		   "string shows the password.",
	.fix_hint = "pass the password as its own parameter, or build the "
		    "URL with an object that hides it",
	.hooks = hooks,
};
