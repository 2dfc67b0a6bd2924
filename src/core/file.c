#include "file.h"
#include "run.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void result_release(struct fl_result *r)
{
	for (size_t i = 0; i < r->findings.n; i++)
		finding_release(&r->findings.v[i]);
	VEC_FREE(&r->findings);
	VEC_FREE(&r->facts);
	VEC_FREE(&r->tallies);
	VEC_FREE(&r->mentions);
	for (size_t i = 0; i < r->notes.n; i++)
		note_release(&r->notes.v[i]);
	VEC_FREE(&r->notes);
	for (size_t i = 0; i < r->sups.n; i++)
		free(r->sups.v[i].codes);
	VEC_FREE(&r->sups);
}

const char *fl_text(struct fl_file *f, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > f->len)
		e = f->len;
	if (s > e)
		s = e;
	return arena_strndup(f->a, f->src + s, e - s);
}

bool fl_text_eq(const struct fl_file *f, TSNode n, const char *s)
{
	if (ts_node_is_null(n))
		return false;
	uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t len = strlen(s);
	return e >= b && e - b == len && e <= f->len &&
	       !memcmp(f->src + b, s, len);
}

TSNode fl_child_of_kind(const struct fl_file *f, TSNode n, unsigned kind)
{
	uint32_t c = ts_node_named_child_count(n);
	for (uint32_t i = 0; i < c; i++) {
		TSNode ch = ts_node_named_child(n, i);
		if (fl_kind(f, ch) == kind)
			return ch;
	}
	TSNode none = {{0}, NULL, NULL};
	return none;
}

TSNode fl_unparen(const struct fl_file *f, TSNode n)
{
	unsigned pk = f->lang == LANG_PYTHON ? PK_parenthesized_expression
					     : CK_parenthesized_expression;
	while (!ts_node_is_null(n) && fl_kind(f, n) == pk &&
	       ts_node_named_child_count(n) == 1)
		n = ts_node_named_child(n, 0);
	return n;
}

/* Is n an expression node that could spell `text`? */
static bool expr_candidate(const struct fl_file *f, TSNode n, bool plain)
{
	unsigned k = fl_kind(f, n);
	if (f->lang == LANG_PYTHON)
		return k == PK_identifier ||
		       (!plain && (k == PK_attribute || k == PK_subscript));
	return k == CK_identifier ||
	       (!plain && (k == CK_field_expression ||
			   k == CK_subscript_expression));
}

void fl_preorder(TSNode root, enum fl_visit (*visit)(void *ud, TSNode n),
		 void *ud)
{
	TSTreeCursor cur = ts_tree_cursor_new(root);
	for (;;) {
		enum fl_visit v = visit(ud, ts_tree_cursor_current_node(&cur));
		if (v == FL_STOP)
			break;
		if (v == FL_DESCEND && ts_tree_cursor_goto_first_child(&cur))
			continue;
		bool done = false;
		while (!done && !ts_tree_cursor_goto_next_sibling(&cur))
			done = !ts_tree_cursor_goto_parent(&cur);
		if (done)
			break;
	}
	ts_tree_cursor_delete(&cur);
}

void fl_find_names(struct fl_file *f, TSNode root, const char *name,
		   bool (*cb)(void *ud, const TSNode *path, size_t n), void *ud)
{
	/* a plain name matches identifiers only; "self.x", "d['k']" and
	 * "ctx->n" match the attribute, subscript or field expression */
	bool plain = !strpbrk(name, ".[-");
	size_t len = strlen(name);
	VEC(TSNode) path = {0};
	TSTreeCursor cur = ts_tree_cursor_new(root);
	*VEC_PUSH(&path) = root;
	for (;;) {
		TSNode n = path.v[path.n - 1];
		if (ts_node_end_byte(n) - ts_node_start_byte(n) == len &&
		    expr_candidate(f, n, plain) && fl_text_eq(f, n, name) &&
		    !cb(ud, path.v, path.n))
			break;
		if (ts_tree_cursor_goto_first_child(&cur)) {
			*VEC_PUSH(&path) = ts_tree_cursor_current_node(&cur);
			continue;
		}
		bool done = false;
		while (!ts_tree_cursor_goto_next_sibling(&cur)) {
			if (path.n <= 1 || !ts_tree_cursor_goto_parent(&cur)) {
				done = true;
				break;
			}
			path.n--;
		}
		if (done)
			break;
		path.v[path.n - 1] = ts_tree_cursor_current_node(&cur);
	}
	ts_tree_cursor_delete(&cur);
	VEC_FREE(&path);
}

uint32_t fl_line_of(const struct fl_file *f, uint32_t byte)
{
	uint32_t lo = 0, hi = f->nlines;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f->line_start[mid] <= byte)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

/* Column (1-based, in code points) of a byte offset on its line. */
static uint32_t col_of(const struct fl_file *f, uint32_t line, uint32_t byte)
{
	uint32_t ls = f->line_start[line - 1];
	if (byte < ls)
		return 1;
	if (byte > f->len)
		byte = f->len;
	return (uint32_t)utf8_count(f->src + ls, byte - ls) + 1;
}

struct fl_loc fl_loc_of(const struct fl_file *f, TSNode n)
{
	struct fl_loc l;
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (s > f->len)
		s = f->len;
	if (e > f->len)
		e = f->len;
	l.line = fl_line_of(f, s);
	l.col = col_of(f, l.line, s);
	l.end_line = fl_line_of(f, e);
	l.end_col = col_of(f, l.end_line, e);
	return l;
}

/* [start, end) of line (1-based) without its newline. */
static void line_span(const struct fl_file *f, uint32_t line, uint32_t *s,
		      uint32_t *e)
{
	*s = f->line_start[line - 1];
	*e = line < f->nlines ? f->line_start[line] : f->len;
	while (*e > *s && (f->src[*e - 1] == '\n' || f->src[*e - 1] == '\r'))
		(*e)--;
}

#define FRAME_LINE_MAX 240

/* Append a source line to sb, cut at FRAME_LINE_MAX bytes, with control
 * characters other than tab shown as spaces (reporters expand tabs). */
static void add_line(const struct fl_file *f, struct strbuf *sb, uint32_t line)
{
	uint32_t s, e;
	line_span(f, line, &s, &e);
	bool cut = false;
	if (e - s > FRAME_LINE_MAX) {
		e = s + FRAME_LINE_MAX;
		/* do not split a UTF-8 sequence */
		while (e > s && ((unsigned char)f->src[e] & 0xc0) == 0x80)
			e--;
		cut = true;
	}
	for (uint32_t i = s; i < e; i++) {
		unsigned char c = (unsigned char)f->src[i];
		if (c == '\t')
			strbuf_addch(sb, '\t');
		else
			strbuf_addch(sb, c < 0x20 || c == 0x7f ? ' ' : c);
	}
	if (cut)
		strbuf_addstr(sb, " ...");
}

/* Normalised text of a line: trimmed, inner whitespace runs collapsed. */
static char *line_key(const struct fl_file *f, uint32_t line)
{
	uint32_t s, e;
	line_span(f, line, &s, &e);
	struct strbuf sb = STRBUF_INIT;
	bool space = false;
	for (uint32_t i = s; i < e && sb.len < 512; i++) {
		char c = f->src[i];
		if (c == ' ' || c == '\t' || c == '\r') {
			space = sb.len > 0;
			continue;
		}
		if (space)
			strbuf_addch(&sb, ' ');
		space = false;
		strbuf_addch(&sb, c);
	}
	return strbuf_detach(&sb);
}

static char *vformat(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	return strbuf_detach(&sb);
}

struct fl_finding *fl_report(struct fl_file *f, const struct fl_check *ck,
			     TSNode at, enum fl_confidence conf,
			     const char *fmt, ...)
{
	struct fl_finding *fd = VEC_PUSH(&f->res->findings);
	fd->check = ck;
	fd->severity = ck->severity;
	fd->confidence = conf;
	fd->path = xstrdup(f->path);
	fd->loc = fl_loc_of(f, at);
	va_list ap;
	va_start(ap, fmt);
	fd->message = vformat(fmt, ap);
	va_end(ap);
	fd->func = xstrdup(model_func_name_at(&f->m, ts_node_start_byte(at)));
	fd->key = line_key(f, fd->loc.line);

	/* Frame: the line before (if any) through the end of the node,
	 * at most four lines. */
	uint32_t first = fd->loc.line > 1 ? fd->loc.line - 1 : 1;
	uint32_t last = fd->loc.end_line;
	if (last > fd->loc.line + 2)
		last = fd->loc.line + 2;
	if (last > f->nlines)
		last = f->nlines;
	struct strbuf sb = STRBUF_INIT;
	for (uint32_t l = first; l <= last; l++) {
		add_line(f, &sb, l);
		strbuf_addch(&sb, '\n');
	}
	fd->frame = strbuf_detach(&sb);
	fd->frame_line = first;
	return fd;
}

void fl_trace(struct fl_file *f, struct fl_finding *fd, TSNode at,
	      const char *fmt, ...)
{
	struct fl_step *st = VEC_PUSH(&fd->trace);
	st->path = xstrdup(f->path);
	st->loc = fl_loc_of(f, at);
	va_list ap;
	va_start(ap, fmt);
	st->message = vformat(fmt, ap);
	va_end(ap);
}

void fl_set_hint(struct fl_finding *fd, const char *fmt, ...)
{
	free(fd->fix_hint);
	va_list ap;
	va_start(ap, fmt);
	fd->fix_hint = vformat(fmt, ap);
	va_end(ap);
}

static void add_cond(struct fl_finding *fd, enum fl_fact_kind kind,
		     const char *key, const char *step, bool unless)
{
	if (fd->ncond >= ARRAY_SIZE(fd->cond))
		die("a finding holds at most %zu conditions",
		    ARRAY_SIZE(fd->cond));
	struct fl_cond *c = &fd->cond[fd->ncond++];
	c->kind = (uint16_t)kind;
	c->unless = unless;
	c->key = xstrdup(key);
	if (step) {
		free(fd->cond_step);
		fd->cond_step = xstrdup(step);
	}
}

void fl_require_no_fact(struct fl_finding *fd, enum fl_fact_kind kind,
			const char *key, const char *step)
{
	add_cond(fd, kind, key, step, true);
}

void fl_require_fact(struct fl_finding *fd, enum fl_fact_kind kind,
		     const char *key, const char *step)
{
	add_cond(fd, kind, key, step, false);
}

/* Has this file recorded fact hash h already?  Marks it if not. */
static bool fact_seen(struct fl_file *f, uint64_t h)
{
	return !u64set_add(&f->fact_seen, h);
}

void fl_fact(struct fl_file *f, enum fl_fact_kind kind, const char *key,
	     TSNode at)
{
	(void)at;
	uint64_t h = fact_hash(kind, key);
	if (!fact_seen(f, h))
		*VEC_PUSH(&f->res->facts) = h;
}

void fl_note(struct fl_result *r, const char *path, const char *fmt, ...)
{
	struct fl_note *n = VEC_PUSH(&r->notes);
	n->path = xstrdup(path);
	va_list ap;
	va_start(ap, fmt);
	n->message = vformat(fmt, ap);
	va_end(ap);
}

void fl_mention(struct fl_file *f, const struct fl_check *ck,
		enum fl_fact_kind need, const char *need_key,
		enum fl_fact_kind forbid, const char *forbid_key)
{
	uint64_t n = fact_hash(need, need_key);
	uint64_t x = forbid ? fact_hash(forbid, forbid_key) : 0;
	uint16_t idx = (uint16_t)check_index(ck);
	/* the same question twice adds nothing */
	if (fact_seen(f, n ^ (x * 31) ^ ((uint64_t)idx << 48) ^ 0x5bd1e995))
		return;
	struct fl_mention *m = VEC_PUSH(&f->res->mentions);
	m->need = n;
	m->forbid = x;
	m->check = idx;
}

bool fl_has_fact(const struct fl_file *f, enum fl_fact_kind kind,
		 const char *key)
{
	return f->prog && program_has_fact(f->prog, kind, key);
}

void fl_count(struct fl_file *f, enum fl_fact_kind kind, const char *key)
{
	uint64_t h = fact_hash(kind, key);
	uint32_t *at = u64map_slot(&f->tally_at, h);
	if (!*at) {
		struct fl_tally *t = VEC_PUSH(&f->res->tallies);
		t->h = h;
		*at = (uint32_t)f->res->tallies.n;
	}
	f->res->tallies.v[*at - 1].n++;
}

uint32_t fl_fact_count(const struct fl_file *f, enum fl_fact_kind kind,
		       const char *key)
{
	return f->prog ? program_fact_count(f->prog, kind, key) : 0;
}

void fl_mention_belief(struct fl_file *f, const struct fl_check *ck,
		       enum fl_fact_kind yes, enum fl_fact_kind no,
		       const char *key, enum fl_fact_kind forbid,
		       uint32_t min_yes, unsigned pct)
{
	uint64_t y = fact_hash(yes, key), n = fact_hash(no, key);
	uint64_t x = forbid ? fact_hash(forbid, key) : 0;
	uint16_t idx = (uint16_t)check_index(ck);
	if (fact_seen(f, y ^ (n * 7) ^ (x * 31) ^ ((uint64_t)idx << 48) ^
				 ((uint64_t)min_yes << 20) ^ pct ^
				 0x27d4eb2f165667c5ull))
		return;
	struct fl_mention *m = VEC_PUSH(&f->res->mentions);
	m->forbid = x;
	m->yes = y;
	m->no = n;
	m->min_yes = min_yes;
	m->pct = (uint8_t)(pct > 100 ? 100 : pct);
	m->check = idx;
}

bool fl_enabled(const struct fl_file *f, const struct fl_check *ck)
{
	return f->opt->enabled[check_index(ck)] &&
	       (ck->langs & LANG_BIT(f->lang));
}

bool path_is_test(const char *path)
{
	static const char *const dirs[] = {
		"test",	     "tests",	 "testing",  "testsuite", "unittests",
		"unittest", "benchtests", "benchmarks", "bench",
	};
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (slash) {
			for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
				if (strlen(dirs[i]) == n && !memcmp(p, dirs[i], n))
					return true;
			p = slash + 1;
			continue;
		}
		/* the file name */
		if (!strncmp(p, "test_", 5) || !strncmp(p, "test-", 5) ||
		    !strncmp(p, "tst", 3) || !strcmp(p, "conftest.py"))
			return true;
		const char *dot = strrchr(p, '.');
		size_t stem = dot ? (size_t)(dot - p) : n;
		static const char *const suffixes[] = {"_test", "-test", "_tests"};
		for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
			size_t k = strlen(suffixes[i]);
			if (stem > k && !memcmp(p + stem - k, suffixes[i], k))
				return true;
		}
		return false;
	}
}
