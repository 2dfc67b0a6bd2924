#include "prepass.h"
#include "macros.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* Per first byte: the table entries starting with it. */
static struct {
	unsigned short idx[32];
	unsigned char n;
} by_first[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void index_table(void)
{
	for (size_t i = 0; i < c_nmacros; i++) {
		unsigned char c = (unsigned char)c_macros[i].name[0];
		if (by_first[c].n < 32)
			by_first[c].idx[by_first[c].n++] = (unsigned short)i;
	}
}

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static bool name_matches(const char *pat, const char *s, size_t n)
{
	size_t pl = strlen(pat);
	if (pl && pat[pl - 1] == '*')
		return n >= pl - 1 && !memcmp(pat, s, pl - 1);
	return pl == n && !memcmp(pat, s, n);
}

static int lookup(const char *s, size_t n, const char *const *extra,
		  size_t nextra)
{
	unsigned char c = (unsigned char)s[0];
	for (unsigned k = 0; k < by_first[c].n; k++) {
		const struct c_macro *m = &c_macros[by_first[c].idx[k]];
		if (name_matches(m->name, s, n))
			return m->kind;
	}
	for (size_t i = 0; i < nextra; i++)
		if (name_matches(extra[i], s, n))
			return M_WORD;
	return 0;
}

static void blank(char *buf, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (buf[i] != '\n')
			buf[i] = ' ';
}

/* Skip a comment, string or char literal starting at i; returns the
 * index after it, or i when there is none. */
static size_t skip_lexeme(const char *b, size_t len, size_t i)
{
	if (b[i] == '/' && i + 1 < len && b[i + 1] == '*') {
		i += 2;
		while (i + 1 < len && !(b[i] == '*' && b[i + 1] == '/'))
			i++;
		return i + 2 < len ? i + 2 : len;
	}
	if (b[i] == '/' && i + 1 < len && b[i + 1] == '/') {
		while (i < len && b[i] != '\n')
			i++;
		return i;
	}
	if (b[i] == '"' || b[i] == '\'') {
		char q = b[i++];
		while (i < len && b[i] != q && b[i] != '\n') {
			if (b[i] == '\\')
				i++;
			i++;
		}
		return i < len ? i + 1 : len;
	}
	return i;
}

/* End of the balanced (...) starting at the '(' at i (index after ')'),
 * or 0 when unbalanced within the buffer. */
static size_t match_paren(const char *b, size_t len, size_t i)
{
	int depth = 0;
	while (i < len) {
		size_t j = skip_lexeme(b, len, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (b[i] == '(')
			depth++;
		else if (b[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

/* g_assert_cmpint (a, ==, b): in the (...) from open to close, an argument
 * that is only a comparison operator becomes "0" padded with blanks, so
 * the call parses.  Returns whether one was rewritten. */
static bool operator_args(char *b, size_t len, size_t open, size_t close)
{
	bool done = false;
	size_t start = open + 1;
	int depth = 0;
	for (size_t i = open + 1; i < close; i++) {
		size_t j = skip_lexeme(b, len, i);
		if (j != i) {
			i = j - 1;
			continue;
		}
		if (b[i] == '(' || b[i] == '[' || b[i] == '{')
			depth++;
		else if (b[i] == ')' || b[i] == ']' || b[i] == '}')
			depth--;
		if (!((b[i] == ',' && depth == 0) || i == close - 1))
			continue;
		/* the argument is [start, i) */
		size_t a = start, e = i;
		while (a < e && (b[a] == ' ' || b[a] == '\t' || b[a] == '\n' ||
				 b[a] == '\r'))
			a++;
		while (e > a && (b[e - 1] == ' ' || b[e - 1] == '\t' ||
				 b[e - 1] == '\n' || b[e - 1] == '\r'))
			e--;
		bool op = e > a && e - a <= 2;
		for (size_t k = a; k < e && op; k++)
			op = b[k] == '=' || b[k] == '!' || b[k] == '<' ||
			     b[k] == '>';
		if (op) {
			b[a] = '0';
			for (size_t k = a + 1; k < e; k++)
				b[k] = ' ';
			done = true;
		}
		start = i + 1;
	}
	return done;
}

/* g_new0 (struct peer, 1), g_slice_new (ChunkLink*): the first argument is
 * a type, which a call cannot hold; it becomes "0" padded with blanks.
 * Returns whether it was rewritten (not when it is one plain word). */
static bool type_arg(char *b, size_t len, size_t open, size_t close)
{
	int depth = 0;
	size_t e = open + 1;
	for (; e < close - 1; e++) {
		size_t j = skip_lexeme(b, len, e);
		if (j != e) {
			e = j - 1;
			continue;
		}
		if (b[e] == '(')
			depth++;
		else if (b[e] == ')')
			depth--;
		else if (b[e] == ',' && depth == 0)
			break;
	}
	size_t a = open + 1;
	while (a < e && (b[a] == ' ' || b[a] == '\t'))
		a++;
	bool plain = a < e;
	for (size_t k = a; k < e && plain; k++)
		plain = ident_char(b[k]) || b[k] == ' ' || b[k] == '\t';
	/* one word (guint, MyType) parses as it is */
	size_t w = a;
	while (w < e && ident_char(b[w]))
		w++;
	while (w < e && (b[w] == ' ' || b[w] == '\t'))
		w++;
	if (a >= e || (plain && w == e))
		return false;
	b[a] = '0';
	blank(b, a + 1, e);
	return true;
}

/* End of the preprocessor line starting at i (continuations included). */
static size_t directive_end(const char *b, size_t len, size_t i)
{
	while (i < len && b[i] != '\n') {
		if (b[i] == '\\' && i + 1 < len && b[i + 1] == '\n')
			i++;
		i++;
	}
	return i;
}

/* Does the directive text [s, e) test __cplusplus?  Returns 1 for
 * "#ifdef __cplusplus"/"#if defined(__cplusplus)", -1 for "#ifndef
 * __cplusplus"/"#if !defined(__cplusplus)", 0 otherwise. */
static int cplusplus_test(const char *b, size_t s, size_t e)
{
	const char *p = b + s + 1, *end = b + e;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	size_t n = (size_t)(end - p);
	const char *needle = "__cplusplus";
	bool has = false;
	for (size_t k = 0; k + 11 <= n; k++)
		if (!memcmp(p + k, needle, 11)) {
			has = true;
			break;
		}
	if (!has)
		return 0;
	if (n >= 6 && !memcmp(p, "ifndef", 6))
		return -1;
	if (n >= 5 && !memcmp(p, "ifdef", 5))
		return 1;
	if (n >= 2 && !memcmp(p, "if", 2)) {
		/* only the simple forms: anything with && or || is left */
		for (size_t k = 0; k + 1 < n; k++)
			if ((p[k] == '&' && p[k + 1] == '&') ||
			    (p[k] == '|' && p[k + 1] == '|'))
				return 0;
		for (size_t k = 0; k < n; k++)
			if (p[k] == '!')
				return -1;
		return 1;
	}
	return 0;
}

static bool directive_is(const char *b, size_t s, size_t e, const char *word)
{
	const char *p = b + s + 1, *end = b + e;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && !memcmp(p, word, n) &&
	       (p + n == end || !ident_char(p[n]));
}

/*
 * Blank an `#if[n]def __cplusplus` block's C++ branch.  [s, e) is the
 * opening directive.  Returns the index where scanning resumes.
 */
static size_t cplusplus_block(char *b, size_t len, size_t s, size_t e,
			      int sense, size_t *edits)
{
	/* Find the matching #else / #endif at depth 0. */
	size_t i = e, else_s = 0, else_e = 0, end_s = 0, end_e = 0;
	int depth = 0;
	while (i < len) {
		size_t ls = i;
		while (i < len && (b[i] == ' ' || b[i] == '\t'))
			i++;
		if (i < len && b[i] == '#') {
			size_t de = directive_end(b, len, i);
			if (directive_is(b, i, de, "if") ||
			    directive_is(b, i, de, "ifdef") ||
			    directive_is(b, i, de, "ifndef"))
				depth++;
			else if (directive_is(b, i, de, "endif")) {
				if (depth == 0) {
					end_s = ls, end_e = de;
					break;
				}
				depth--;
			} else if (depth == 0 && !else_e &&
				   (directive_is(b, i, de, "else") ||
				    directive_is(b, i, de, "elif"))) {
				if (directive_is(b, i, de, "elif"))
					return e; /* too clever: leave it */
				else_s = ls, else_e = de;
			}
			i = de;
		}
		while (i < len && b[i] != '\n')
			i++;
		if (i < len)
			i++;
	}
	if (!end_e)
		return e;
	blank(b, s, e);
	blank(b, end_s, end_e);
	if (else_e)
		blank(b, else_s, else_e);
	if (sense > 0) /* C++ branch first: up to #else or #endif */
		blank(b, e, else_e ? else_s : end_s);
	else if (else_e) /* C++ branch is the #else part */
		blank(b, else_e, end_s);
	(*edits)++;
	return e;
}

/*
 * A line holding nothing but an upper-case identifier, maybe with a
 * balanced argument list, and no semicolon -- where a declaration or a
 * statement may start (after ';', '{', '}' or ':') -- is a macro that
 * expands to declarations or statements of its own:
 *
 *     struct SubtreeInlineData {
 *       SUBTREE_BITS
 *     Py_BEGIN_ALLOW_THREADS        (mixed case is allowed after a prefix)
 *     DEFINE_LOCK(table_lock)
 *
 * tree-sitter cannot know that, so the line is blanked.  Returns the end
 * of the blanked span, or 0 when the line does not qualify.
 */
static size_t statement_macro(char *b, size_t len, size_t s, char last_sig)
{
	if (!(last_sig == ';' || last_sig == '{' || last_sig == '}' ||
	      last_sig == ':' || last_sig == 0))
		return 0;
	size_t i = s, upper = 0, lower = 0;
	while (i < len && ident_char(b[i])) {
		if (b[i] >= 'A' && b[i] <= 'Z')
			upper++;
		else if (b[i] >= 'a' && b[i] <= 'z')
			lower++;
		i++;
	}
	/* SUBTREE_BITS, G_LOCK_DEFINE, Py_BEGIN_ALLOW_THREADS, IMPL (x, 1) */
	if (i - s < 4 || upper < 3 || lower > upper)
		return 0;
	size_t p = i;
	while (p < len && (b[p] == ' ' || b[p] == '\t'))
		p++;
	bool args = p < len && b[p] == '(';
	if (!args && !memchr(b + s, '_', i - s))
		return 0; /* a bare word needs an underscore: NAME_LIKE_THIS */
	if (args) {
		size_t close = match_paren(b, len, p);
		if (!close)
			return 0;
		p = close;
		while (p < len && (b[p] == ' ' || b[p] == '\t'))
			p++;
	}
	/* nothing else on the line but a comment */
	if (p < len && b[p] == '/' && p + 1 < len && b[p + 1] == '/')
		p = skip_lexeme(b, len, p);
	if (p < len && b[p] == '\r')
		p++;
	if (p < len && b[p] != '\n')
		return 0;
	/* the next line must not continue an expression or open a body:
	 * `FOO(x)\n{` is a function defined by a macro */
	size_t q = p;
	while (q < len && (b[q] == ' ' || b[q] == '\t' || b[q] == '\n' ||
			   b[q] == '\r'))
		q++;
	if (q < len && strchr("{=+-*/%&|^.,;?)[<>", b[q]))
		return 0;
	blank(b, s, p);
	return p;
}

size_t c_prepass(char *b, size_t len, const char *const *extra, size_t nextra)
{
	pthread_once(&once, index_table);
	size_t edits = 0;
	bool line_start = true;
	char last_sig = 0; /* last significant byte outside directives */
	size_t i = 0;
	while (i < len) {
		char c = b[i];
		if (c == '\n') {
			line_start = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			i++;
			continue;
		}
		if (c == '#' && line_start) {
			size_t e = directive_end(b, len, i);
			int sense = cplusplus_test(b, i, e);
			i = sense ? cplusplus_block(b, len, i, e, sense, &edits)
				  : e;
			continue;
		}
		bool at_line_start = line_start;
		line_start = false;
		size_t j = skip_lexeme(b, len, i);
		if (j != i) {
			if (b[i] == '"' || b[i] == '\'')
				last_sig = '"';
			i = j;
			continue;
		}
		if (!ident_start(c)) {
			last_sig = c;
			i++;
			continue;
		}
		if (at_line_start) {
			size_t e = statement_macro(b, len, i, last_sig);
			if (e) {
				edits++;
				i = e;
				continue;
			}
		}
		last_sig = 'a';
		size_t s = i;
		while (i < len && ident_char(b[i]))
			i++;
		if (s > 0 && (ident_char(b[s - 1]) || b[s - 1] == '.' ||
			      (b[s - 1] == '>' && s > 1 && b[s - 2] == '-')))
			continue; /* a field name, not a macro */
		int kind = lookup(b + s, i - s, extra, nextra);
		if (!kind)
			continue;
		size_t p = i;
		while (p < len && (b[p] == ' ' || b[p] == '\t'))
			p++;
		size_t close = (p < len && b[p] == '(') ? match_paren(b, len, p)
							: 0;
		switch (kind) {
		case M_WORD:
			blank(b, s, close ? close : i);
			break;
		case M_CALL:
			if (!close)
				continue;
			blank(b, s, close);
			break;
		case M_NAME:
			blank(b, s, i);
			break;
		case M_TYPE:
		case M_PTR:
			if (!close)
				continue;
			blank(b, s, p + 1);
			b[close - 1] = kind == M_PTR ? '*' : ' ';
			break;
		case M_CMP:
			if (!close || !operator_args(b, len, p, close))
				continue;
			break;
		case M_TYPEARG:
			if (!close || !type_arg(b, len, p, close))
				continue;
			break;
		}
		edits++;
		if (close && kind != M_NAME && kind != M_CMP && kind != M_TYPEARG)
			i = close;
	}
	return edits;
}
