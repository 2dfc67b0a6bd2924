/*
 * toml.c - TOML into toml_value trees, using the tree-sitter TOML grammar
 * (npm @tree-sitter-grammars/tree-sitter-toml, compiled by our build).
 *
 * Covers what configuration files use: tables and dotted tables, dotted
 * keys, strings (basic, literal, multi-line; escapes), integers, floats,
 * booleans, arrays, inline tables and arrays of tables.  Dates are kept
 * as TV_OTHER.  A key defined twice is a syntax error, as TOML says.
 */
#include "toml.h"

#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_toml(void);

struct tp {
	const char *src;
	uint32_t len;
	bool bad;
	uint32_t line, col;
};

static const char *type(TSNode n)
{
	return ts_node_type(n);
}

static bool is(TSNode n, const char *t)
{
	return !strcmp(ts_node_type(n), t);
}

static void fail(struct tp *p, TSNode n)
{
	if (p->bad)
		return;
	p->bad = true;
	p->line = ts_node_start_point(n).row + 1;
	p->col = ts_node_start_point(n).column + 1;
}

static struct toml_value *new_value(enum toml_kind k, TSNode at)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));
	v->kind = k;
	v->line = ts_node_start_point(at).row + 1;
	v->col = ts_node_start_point(at).column + 1;
	return v;
}

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->items.n; i++)
		toml_free(v->items.v[i]);
	for (size_t i = 0; i < v->keys.n; i++)
		free(v->keys.v[i]);
	VEC_FREE(&v->items);
	VEC_FREE(&v->keys);
	free(v);
}

struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
	if (!t || t->kind != TV_TABLE)
		return NULL;
	for (size_t i = 0; i < t->keys.n; i++)
		if (!strcmp(t->keys.v[i], key))
			return t->items.v[i];
	return NULL;
}

const char *toml_kind_name(enum toml_kind k)
{
	switch (k) {
	case TV_STRING:
		return "a string";
	case TV_INT:
		return "an integer";
	case TV_FLOAT:
		return "a number";
	case TV_BOOL:
		return "a boolean";
	case TV_ARRAY:
		return "a list";
	case TV_TABLE:
		return "a table";
	default:
		return "a date";
	}
}

static void put_utf8(struct strbuf *sb, unsigned long cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, 0xc0 | (int)(cp >> 6));
		strbuf_addch(sb, 0x80 | (int)(cp & 0x3f));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, 0xe0 | (int)(cp >> 12));
		strbuf_addch(sb, 0x80 | (int)((cp >> 6) & 0x3f));
		strbuf_addch(sb, 0x80 | (int)(cp & 0x3f));
	} else {
		strbuf_addch(sb, 0xf0 | (int)(cp >> 18));
		strbuf_addch(sb, 0x80 | (int)((cp >> 12) & 0x3f));
		strbuf_addch(sb, 0x80 | (int)((cp >> 6) & 0x3f));
		strbuf_addch(sb, 0x80 | (int)(cp & 0x3f));
	}
}

/* The text of a string or quoted key, quotes removed, escapes applied. */
static char *string_text(struct tp *p, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	const char *t = p->src + s;
	size_t len = e - s;
	size_t q = 1;
	if (len >= 6 && (!memcmp(t, "\"\"\"", 3) || !memcmp(t, "'''", 3)))
		q = 3;
	if (len < 2 * q)
		return xstrdup("");
	bool literal = t[0] == '\'';
	const char *b = t + q, *end = t + len - q;
	/* a newline right after the opening of a multi-line string is
	 * trimmed */
	if (q == 3 && b < end && *b == '\n')
		b++;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (const char *c = b; c < end; c++) {
		if (literal || *c != '\\' || c + 1 >= end) {
			strbuf_addch(&sb, *c);
			continue;
		}
		c++;
		switch (*c) {
		case 'n':
			strbuf_addch(&sb, '\n');
			break;
		case 't':
			strbuf_addch(&sb, '\t');
			break;
		case 'r':
			strbuf_addch(&sb, '\r');
			break;
		case 'b':
			strbuf_addch(&sb, '\b');
			break;
		case 'f':
			strbuf_addch(&sb, '\f');
			break;
		case 'u':
		case 'U': {
			int digits = *c == 'u' ? 4 : 8;
			char hex[9] = {0};
			if (end - c - 1 < digits)
				break;
			memcpy(hex, c + 1, (size_t)digits);
			put_utf8(&sb, strtoul(hex, NULL, 16));
			c += digits;
			break;
		}
		case '\n':
			/* line-ending backslash: skip the newline and the
			 * whitespace after it */
			while (c + 1 < end && strchr(" \t\n\r", c[1]))
				c++;
			break;
		default:
			strbuf_addch(&sb, *c);
			break;
		}
	}
	return strbuf_detach(&sb);
}

static char *key_text(struct tp *p, TSNode k)
{
	if (is(k, "quoted_key"))
		return string_text(p, k);
	uint32_t s = ts_node_start_byte(k), e = ts_node_end_byte(k);
	return xstrndup(p->src + s, e - s);
}

/* The parts of a (possibly dotted) key, in order. */
static void key_parts(struct tp *p, TSNode k, struct strlist *out)
{
	if (is(k, "dotted_key")) {
		uint32_t n = ts_node_named_child_count(k);
		for (uint32_t i = 0; i < n; i++)
			key_parts(p, ts_node_named_child(k, i), out);
		return;
	}
	*VEC_PUSH(out) = key_text(p, k);
}

static void table_put(struct toml_value *t, char *key, struct toml_value *v)
{
	*VEC_PUSH(&t->keys) = key;
	*VEC_PUSH(&t->items) = v;
}

/* Walk/create tables along parts[0..n-1] from t; NULL if a part names a
 * non-table. */
static struct toml_value *descend(struct toml_value *t, char **parts, size_t n,
				  TSNode at, bool array_last)
{
	for (size_t i = 0; i < n; i++) {
		struct toml_value *c = toml_get(t, parts[i]);
		if (!c) {
			c = new_value(TV_TABLE, at);
			table_put(t, xstrdup(parts[i]), c);
		}
		if (c->kind == TV_ARRAY && c->items.n &&
		    (i + 1 < n || !array_last))
			c = c->items.v[c->items.n - 1]; /* [[x]] then [x.y] */
		if (c->kind != TV_TABLE && !(array_last && i + 1 == n))
			return NULL;
		t = c;
	}
	return t;
}

static struct toml_value *value_of(struct tp *p, TSNode n);

static void fill_pairs(struct tp *p, struct toml_value *t, TSNode parent)
{
	uint32_t c = ts_node_named_child_count(parent);
	for (uint32_t i = 0; i < c && !p->bad; i++) {
		TSNode pair = ts_node_named_child(parent, i);
		if (!is(pair, "pair"))
			continue;
		TSNode k = ts_node_named_child(pair, 0);
		TSNode v = ts_node_named_child(pair, 1);
		if (ts_node_is_null(k) || ts_node_is_null(v)) {
			fail(p, pair);
			return;
		}
		struct strlist parts = {0};
		key_parts(p, k, &parts);
		struct toml_value *into =
			descend(t, parts.v, parts.n - 1, pair, false);
		if (!into || toml_get(into, parts.v[parts.n - 1])) {
			fail(p, k); /* not a table, or defined twice */
		} else {
			table_put(into, xstrdup(parts.v[parts.n - 1]),
				  value_of(p, v));
		}
		for (size_t j = 0; j < parts.n; j++)
			free(parts.v[j]);
		VEC_FREE(&parts);
	}
}

static struct toml_value *value_of(struct tp *p, TSNode n)
{
	const char *t = type(n);
	struct toml_value *v;
	if (!strcmp(t, "string")) {
		v = new_value(TV_STRING, n);
		v->s = string_text(p, n);
	} else if (!strcmp(t, "integer")) {
		v = new_value(TV_INT, n);
		char *txt = key_text(p, n);
		char *u = txt, *o = txt;
		for (; *u; u++)
			if (*u != '_')
				*o++ = *u;
		*o = '\0';
		v->i = strtoll(txt, NULL, 0);
		free(txt);
	} else if (!strcmp(t, "float")) {
		v = new_value(TV_FLOAT, n);
		char *txt = key_text(p, n);
		v->d = strtod(txt, NULL);
		free(txt);
	} else if (!strcmp(t, "boolean")) {
		v = new_value(TV_BOOL, n);
		v->i = p->src[ts_node_start_byte(n)] == 't';
	} else if (!strcmp(t, "array")) {
		v = new_value(TV_ARRAY, n);
		uint32_t c = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < c; i++) {
			TSNode e = ts_node_named_child(n, i);
			if (!is(e, "comment"))
				*VEC_PUSH(&v->items) = value_of(p, e);
		}
	} else if (!strcmp(t, "inline_table")) {
		v = new_value(TV_TABLE, n);
		fill_pairs(p, v, n);
	} else {
		v = new_value(TV_OTHER, n);
	}
	return v;
}

struct toml_value *toml_parse(const char *text, size_t len, uint32_t *line,
			      uint32_t *col)
{
	struct tp p = {text, (uint32_t)len, false, 0, 0};
	TSParser *parser = ts_parser_new();
	ts_parser_set_language(parser, tree_sitter_toml());
	TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
	TSNode root = ts_tree_root_node(tree);
	struct toml_value *doc = new_value(TV_TABLE, root);
	if (ts_node_has_error(root)) {
		/* the first error or missing node */
		TSNode n = root;
		while (!ts_node_is_error(n) && !ts_node_is_missing(n)) {
			uint32_t c = ts_node_child_count(n);
			TSNode next = n;
			for (uint32_t i = 0; i < c; i++) {
				TSNode ch = ts_node_child(n, i);
				if (ts_node_has_error(ch) || ts_node_is_missing(ch)) {
					next = ch;
					break;
				}
			}
			if (ts_node_eq(next, n))
				break;
			n = next;
		}
		fail(&p, n);
	}
	fill_pairs(&p, doc, root);
	uint32_t c = ts_node_named_child_count(root);
	for (uint32_t i = 0; i < c && !p.bad; i++) {
		TSNode t = ts_node_named_child(root, i);
		bool arr = is(t, "table_array_element");
		if (!is(t, "table") && !arr)
			continue;
		TSNode k = ts_node_named_child(t, 0);
		struct strlist parts = {0};
		key_parts(&p, k, &parts);
		struct toml_value *tab;
		if (arr) {
			struct toml_value *holder =
				descend(doc, parts.v, parts.n - 1, t, false);
			struct toml_value *list =
				holder ? toml_get(holder, parts.v[parts.n - 1])
				       : NULL;
			if (holder && !list) {
				list = new_value(TV_ARRAY, t);
				table_put(holder, xstrdup(parts.v[parts.n - 1]),
					  list);
			}
			if (!list || list->kind != TV_ARRAY) {
				fail(&p, k);
				tab = NULL;
			} else {
				tab = new_value(TV_TABLE, t);
				*VEC_PUSH(&list->items) = tab;
			}
		} else {
			tab = descend(doc, parts.v, parts.n, t, false);
			if (!tab)
				fail(&p, k);
		}
		if (tab)
			fill_pairs(&p, tab, t);
		for (size_t j = 0; j < parts.n; j++)
			free(parts.v[j]);
		VEC_FREE(&parts);
	}
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	if (p.bad) {
		*line = p.line;
		*col = p.col;
		toml_free(doc);
		return NULL;
	}
	return doc;
}
