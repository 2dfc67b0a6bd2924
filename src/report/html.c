/*
 * html.c - the HTML report: one self-contained page (inline CSS and
 * script, no network, no external fonts) with
 *
 *   - a header: counts, and an inline SVG chart of findings by family,
 *     one bar per family stacked by severity;
 *   - a table of findings (ID, severity, confidence, rule, family,
 *     location, message) that the script sorts by any column and filters
 *     by text, family, severity and rule;
 *   - under each row, a detail row opened by clicking it: the source
 *     around the finding with line numbers, the finding's lines and each
 *     trace step's line highlighted and numbered in place, steps in other
 *     files listed below, then the fix hint, CWE ids, confidence and
 *     fingerprint;
 *   - the notes, and the documentation page of each rule that fired.
 *
 * The C code writes the whole document, in finding order; the script only
 * sorts, filters and opens rows.  Every string that comes from a finding,
 * a path or a source file goes through put_text(), which escapes markup
 * and replaces invalid UTF-8, so no content can break out of the page.
 * Source text is read from the files the findings name (paths as
 * faultline was given them, so relative to the current directory), each
 * file once; when a file cannot be read, the finding's frame stands in.
 * The output depends only on the findings and those files: no
 * timestamps, no random ids.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/check.h"

/* Context lines shown around the finding and its trace steps. */
#define CONTEXT 3
/* Longest single window of source; wider spans get one window per line. */
#define WINDOW_MAX 80
/* Most lines of a finding's own span that are marked. */
#define SPAN_LINES 6
/* Longest source line shown, in bytes; longer ones are cut. */
#define LINE_MAX_BYTES 1000
/* Largest source file read for code views. */
#define SOURCE_MAX ((size_t)64 << 20)

/* ---- escaping ------------------------------------------------------------ */

/* Write n bytes of valid UTF-8 with markup characters escaped; control
 * characters other than tab and newline become spaces. */
static void put_valid(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				c = ' ';
			fputc(c, out);
		}
	}
}

/* Write n bytes as HTML text or attribute value: escaped, with each
 * invalid UTF-8 byte shown as U+FFFD. */
static void put_text(FILE *out, const char *s, size_t n)
{
	size_t bad;
	while (!utf8_valid(s, n, &bad)) {
		put_valid(out, s, bad);
		fputs("\xef\xbf\xbd", out);
		s += bad + 1;
		n -= bad + 1;
	}
	put_valid(out, s, n);
}

static void esc(FILE *out, const char *s)
{
	put_text(out, s, strlen(s));
}

/* ---- source text ----------------------------------------------------------- */

struct text_line {
	const char *s;
	size_t n;
};

/* Lines of one source text: a whole file, or a finding's frame. */
struct source {
	char *text;                   /* owned; the lines point into it */
	VEC(struct text_line) lines;  /* lines.v[i] is line first + i */
	uint32_t first;
};

static void source_release(struct source *src)
{
	free(src->text);
	VEC_FREE(&src->lines);
	src->text = NULL;
}

/* Take ownership of text and split it into lines ('\n', with trailing
 * '\r' dropped); the first line is numbered `first`. */
static void source_set(struct source *src, char *text, size_t len,
		       uint32_t first)
{
	src->text = text;
	src->first = first;
	src->lines.n = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t n = e - i;
		while (n && text[i + n - 1] == '\r')
			n--;
		struct text_line *ln = VEC_PUSH(&src->lines);
		ln->s = text + i;
		ln->n = n;
		i = e + 1;
	}
}

static uint32_t source_last(const struct source *src)
{
	return src->first + (uint32_t)src->lines.n - 1;
}

static bool source_has(const struct source *src, uint32_t line)
{
	return src->lines.n && line >= src->first && line <= source_last(src);
}

/* Read a regular file whole; NULL when it cannot be read. */
static char *read_source(const char *path, size_t *len)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > SOURCE_MAX)
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len <= SOURCE_MAX)
		strbuf_add(&sb, buf, n);
	bool ok = !ferror(f) && sb.len <= SOURCE_MAX;
	fclose(f);
	if (!ok) {
		strbuf_release(&sb);
		return NULL;
	}
	*len = sb.len;
	return strbuf_detach(&sb);
}

/* The last file read.  Findings come sorted by path, so one entry reads
 * every file once. */
struct file_cache {
	char *path;   /* NULL: nothing cached yet */
	bool ok;      /* the file could be read */
	struct source src;
};

static const struct source *cache_get(struct file_cache *c, const char *path)
{
	if (c->path && !strcmp(c->path, path))
		return c->ok ? &c->src : NULL;
	free(c->path);
	source_release(&c->src);
	c->path = xstrdup(path);
	size_t len = 0;
	char *text = read_source(path, &len);
	c->ok = text != NULL;
	if (text)
		source_set(&c->src, text, len, 1);
	return c->ok ? &c->src : NULL;
}

static void cache_release(struct file_cache *c)
{
	free(c->path);
	source_release(&c->src);
}

/* ---- code view ------------------------------------------------------------- */

/* Byte offset of code point `col` (1-based) in a line, at most n. */
static size_t col_offset(const char *s, size_t n, uint32_t col)
{
	size_t i = 0;
	for (uint32_t k = 1; k < col && i < n; k++) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/* Is trace step st shown in place in fd's code view over src? */
static bool step_in_place(const struct fl_finding *fd,
			  const struct fl_step *st, const struct source *src)
{
	return !strcmp(st->path, fd->path) && source_has(src, st->loc.line);
}

/* The last line marked as the finding's: its end line, but at most
 * SPAN_LINES lines in all (a finding on a whole block marks its start). */
static uint32_t finding_end_line(const struct fl_finding *fd)
{
	uint32_t end = fd->loc.end_line > fd->loc.line ? fd->loc.end_line
						       : fd->loc.line;
	return end - fd->loc.line < SPAN_LINES ? end
					       : fd->loc.line + SPAN_LINES - 1;
}

/* One source line of a code view: number, text (cut when very long), the
 * finding's span underlined, and the line's classes. */
static void code_line(FILE *out, const struct fl_finding *fd,
		      const struct text_line *tl, uint32_t ln, bool step)
{
	bool in_finding = ln >= fd->loc.line && ln <= finding_end_line(fd);
	fputs("<div class=\"ln", out);
	if (in_finding)
		fputs(" mark finding", out);
	if (step)
		fputs(in_finding ? " step" : " mark step", out);
	fprintf(out, "\"><span class=\"no\">%u</span><span class=\"tx\">", ln);
	size_t n = tl->n;
	bool cut = false;
	if (n > LINE_MAX_BYTES) {
		n = LINE_MAX_BYTES;
		while (n && ((unsigned char)tl->s[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	/* the underlined part: from the start column on the first line to
	 * the end column on the last line */
	size_t a = 0, b = 0;
	if (in_finding) {
		a = ln == fd->loc.line ? col_offset(tl->s, n, fd->loc.col) : 0;
		b = ln == fd->loc.end_line ? col_offset(tl->s, n, fd->loc.end_col)
					   : n;
		if (b <= a && a < n)
			b = col_offset(tl->s, n, fd->loc.col + 1);
	}
	if (b > a) {
		put_text(out, tl->s, a);
		fputs("<span class=\"span\">", out);
		put_text(out, tl->s + a, b - a);
		fputs("</span>", out);
		put_text(out, tl->s + b, n - b);
	} else {
		put_text(out, tl->s, n);
	}
	if (cut)
		fputs(" \xe2\x80\xa6", out);
	fputs("</span></div>\n", out);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct window {
	uint32_t lo, hi;
};

/* The code view: windows of src around the finding's lines and its
 * in-place trace steps; each step's line is marked and followed by a
 * note with its number and message. */
static void code_view(FILE *out, const struct fl_finding *fd,
		      const struct source *src)
{
	VEC(uint32_t) pts = {0};
	if (source_has(src, fd->loc.line))
		*VEC_PUSH(&pts) = fd->loc.line;
	if (finding_end_line(fd) > fd->loc.line &&
	    source_has(src, finding_end_line(fd)))
		*VEC_PUSH(&pts) = finding_end_line(fd);
	for (size_t i = 0; i < fd->trace.n; i++)
		if (step_in_place(fd, &fd->trace.v[i], src))
			*VEC_PUSH(&pts) = fd->trace.v[i].loc.line;
	if (!pts.n)
		*VEC_PUSH(&pts) = src->first;
	qsort(pts.v, pts.n, sizeof(*pts.v), cmp_u32);

	/* windows [lo, hi]: one over the whole span when it is short
	 * enough, else one around each line, merged where they touch */
	VEC(struct window) win = {0};
	uint32_t first = src->first, last = source_last(src);
	bool one = pts.v[pts.n - 1] - pts.v[0] + 2 * CONTEXT + 1 <= WINDOW_MAX;
	for (size_t i = 0; i < pts.n; i++) {
		uint32_t lo = pts.v[i], hi = one ? pts.v[pts.n - 1] : pts.v[i];
		lo = lo > first + CONTEXT ? lo - CONTEXT : first;
		hi = hi + CONTEXT < last ? hi + CONTEXT : last;
		if (win.n && lo <= win.v[win.n - 1].hi + 1) {
			if (hi > win.v[win.n - 1].hi)
				win.v[win.n - 1].hi = hi;
		} else {
			VEC_PUSH(&win);
			win.v[win.n - 1].lo = lo;
			win.v[win.n - 1].hi = hi;
		}
		if (one)
			break;
	}

	fputs("<div class=\"code\"><div class=\"code-in\">\n", out);
	for (size_t w = 0; w < win.n; w++) {
		if (w)
			fputs("<div class=\"gap\">\xe2\x8b\xaf</div>\n", out);
		for (uint32_t ln = win.v[w].lo; ln <= win.v[w].hi; ln++) {
			bool step = false;
			for (size_t i = 0; i < fd->trace.n; i++)
				step |= step_in_place(fd, &fd->trace.v[i], src) &&
					fd->trace.v[i].loc.line == ln;
			code_line(out, fd, &src->lines.v[ln - first], ln, step);
			for (size_t i = 0; i < fd->trace.n; i++) {
				const struct fl_step *st = &fd->trace.v[i];
				if (!step_in_place(fd, st, src) ||
				    st->loc.line != ln)
					continue;
				fprintf(out, "<div class=\"note\" title=\"line "
					     "%u, column %u\"><span class=\"step-"
					     "marker\">%zu</span><span class=\""
					     "msg\">",
					st->loc.line, st->loc.col, i + 1);
				esc(out, st->message);
				fputs("</span></div>\n", out);
			}
		}
	}
	fputs("</div></div>\n", out);
	VEC_FREE(&win);
	VEC_FREE(&pts);
}

/* ---- findings -------------------------------------------------------------- */

static void put_cwe(void *ud, const char *id)
{
	FILE *out = ud;
	fputs("<span class=\"cwe\">", out);
	esc(out, id);
	fputs("</span>", out);
}

static void finding_row(FILE *out, const struct fl_finding *fd, size_t i)
{
	const struct fl_check *ck = fd->check;
	fprintf(out, "<tr class=\"f\" id=\"f%zu\" data-i=\"%zu\" tabindex=\"0\" "
		     "aria-expanded=\"false\" data-sev=\"%d\" data-conf=\"%d\" "
		     "data-fam=\"%s\" data-rule=\"",
		i, i, (int)fd->severity, (int)fd->confidence,
		family_name(ck->family));
	esc(out, ck->code);
	fputs("\" data-path=\"", out);
	esc(out, fd->path);
	fprintf(out, "\" data-line=\"%u\">\n<td class=\"id\">", fd->loc.line);
	esc(out, fd->id);
	fprintf(out, "</td><td><span class=\"sev sev-%s\">%s</span></td>"
		     "<td>%s</td><td class=\"rule\"><code>",
		severity_name(fd->severity), severity_name(fd->severity),
		confidence_name(fd->confidence));
	esc(out, ck->code);
	fputs("</code> ", out);
	esc(out, ck->name);
	fprintf(out, "</td><td>%s</td><td class=\"loc\">",
		family_name(ck->family));
	/* long paths break after a slash */
	for (const char *s = fd->path; *s;) {
		size_t n = strcspn(s, "/");
		put_text(out, s, n);
		s += n;
		if (*s == '/') {
			fputs("/<wbr>", out);
			s++;
		}
	}
	fprintf(out, ":%u</td><td class=\"msg\">", fd->loc.line);
	esc(out, fd->message);
	fputs("</td></tr>\n", out);
}

static void finding_detail(FILE *out, const struct fl_finding *fd, size_t i,
			   struct file_cache *cache)
{
	const struct fl_check *ck = fd->check;
	fprintf(out, "<tr class=\"d\" id=\"d%zu\" hidden><td colspan=\"7\">"
		     "<div class=\"detail\">\n<p class=\"dmsg\"><span class=\""
		     "sev sev-%s\">%s</span> <b>",
		i, severity_name(fd->severity), severity_name(fd->severity));
	esc(out, ck->code);
	fputc(' ', out);
	esc(out, ck->name);
	fputs("</b> ", out);
	esc(out, fd->message);
	fputs("</p>\n<dl class=\"meta\"><div><dt>Location</dt><dd><code>", out);
	esc(out, fd->path);
	fprintf(out, ":%u:%u</code>", fd->loc.line, fd->loc.col);
	if (fd->func && *fd->func) {
		fputs(" in <code>", out);
		esc(out, fd->func);
		fputs("</code>", out);
	}
	fprintf(out, "</dd></div><div><dt>Confidence</dt><dd>%s</dd></div>"
		     "<div><dt>CWE</dt><dd>",
		confidence_name(fd->confidence));
	cwe_each(ck->cwe, put_cwe, out);
	fputs("</dd></div><div><dt>Fingerprint</dt><dd><code class=\"fp\">",
	      out);
	esc(out, fd->fingerprint);
	fputs("</code></dd></div></dl>\n", out);

	/* the file as it is now, unless the finding's line is not in it;
	 * then the frame recorded when the file was analysed */
	const struct source *src = cache_get(cache, fd->path);
	struct source frame = {0};
	if (!src || !source_has(src, fd->loc.line)) {
		source_set(&frame, xstrdup(fd->frame), strlen(fd->frame),
			   fd->frame_line);
		src = &frame;
	}
	if (src->lines.n)
		code_view(out, fd, src);
	if (src == &frame)
		fputs(src->lines.n ? "<p class=\"aside\">The source file could "
				     "not be read, or no longer has this line: "
				     "this is the excerpt recorded during the "
				     "analysis.</p>\n"
				   : "<p class=\"aside\">No source text is "
				     "available for this finding.</p>\n",
		      out);

	size_t elsewhere = 0;
	for (size_t k = 0; k < fd->trace.n; k++)
		elsewhere += !step_in_place(fd, &fd->trace.v[k], src);
	if (elsewhere) {
		fputs("<p class=\"sub\">Trace steps elsewhere</p>\n"
		      "<ul class=\"steps\">\n", out);
		for (size_t k = 0; k < fd->trace.n; k++) {
			const struct fl_step *st = &fd->trace.v[k];
			if (step_in_place(fd, st, src))
				continue;
			fprintf(out, "<li><span class=\"step-ref\">%zu</span>"
				     "<code>", k + 1);
			esc(out, st->path);
			fprintf(out, ":%u</code> ", st->loc.line);
			esc(out, st->message);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	source_release(&frame);

	fputs("<p class=\"fix\"><b>Fix</b> ", out);
	esc(out, fd->fix_hint ? fd->fix_hint : ck->fix_hint);
	fputs("</p>\n<p class=\"about\">", out);
	esc(out, ck->summary);
	if (check_doc(ck)) {
		fputs(" <a href=\"#rule-", out);
		esc(out, ck->code);
		fputs("\">About ", out);
		esc(out, ck->code);
		fputs("</a>", out);
	}
	fputs("</p>\n</div></td></tr>\n", out);
}

/* ---- header and chart ------------------------------------------------------ */

struct counts {
	size_t cell[FAM__COUNT][SEV__COUNT];
	size_t fam[FAM__COUNT], sev[SEV__COUNT];
	size_t files;  /* files with findings */
};

static void count_findings(const struct fl_program *p, struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		c->cell[fd->check->family][fd->severity]++;
		c->fam[fd->check->family]++;
		c->sev[fd->severity]++;
		if (!i || strcmp(fd->path, p->findings.v[i - 1].path))
			c->files++;
	}
}

/* Chart geometry, in SVG user units. */
#define CH_LABEL 110   /* family names, right-aligned */
#define CH_BAR 380     /* the longest bar */
#define CH_WIDTH 560
#define CH_ROW 30
#define CH_TOP 34      /* the legend */

/* One bar per family with findings, segments by severity (most severe
 * first), the count in each segment that has room and the total after
 * the bar.  Segment edges are rounded from running totals, so segments
 * meet exactly. */
static void chart(FILE *out, const struct counts *c)
{
	size_t max = 0, rows = 0;
	for (int f = 0; f < FAM__COUNT; f++) {
		rows += c->fam[f] > 0;
		if (c->fam[f] > max)
			max = c->fam[f];
	}
	int height = CH_TOP + (int)rows * CH_ROW;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		     "height=\"%d\" role=\"img\" aria-label=\"Findings by family "
		     "and severity\">\n",
		CH_WIDTH, height, CH_WIDTH, height);
	int x = CH_LABEL;
	for (int s = SEV__COUNT - 1; s >= 0; s--) {
		fprintf(out, "<g class=\"legend\"><rect class=\"c-%s\" x=\"%d\" "
			     "y=\"6\" width=\"12\" height=\"12\" rx=\"2\"/>"
			     "<text x=\"%d\" y=\"16\">%s %zu</text></g>\n",
			severity_name(s), x, x + 17, severity_name(s), c->sev[s]);
		x += 17 + 8 * snprintf(NULL, 0, "%s %zu", severity_name(s),
				       c->sev[s]) + 22;
	}
	int y = CH_TOP;
	for (int f = 0; f < FAM__COUNT; f++) {
		if (!c->fam[f])
			continue;
		fprintf(out, "<g class=\"bar\" data-fam=\"%s\"><text class=\"fam\" "
			     "x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
			family_name(f), CH_LABEL - 10, y + 15, family_name(f));
		size_t run = 0;
		int x0 = CH_LABEL;
		for (int s = SEV__COUNT - 1; s >= 0; s--) {
			size_t n = c->cell[f][s];
			if (!n)
				continue;
			run += n;
			int x1 = CH_LABEL + (int)((run * CH_BAR + max / 2) / max);
			int w = x1 - x0;
			fprintf(out, "<g class=\"seg\" data-fam=\"%s\" data-sev=\"%s\" "
				     "data-n=\"%zu\"><title>%s, %s: %zu</title>"
				     "<rect class=\"c-%s\" x=\"%d\" y=\"%d\" "
				     "width=\"%d\" height=\"20\"/>",
				family_name(f), severity_name(s), n, family_name(f),
				severity_name(s), n, severity_name(s), x0, y, w);
			int digits = snprintf(NULL, 0, "%zu", n);
			if (w >= 8 * digits + 6)
				fprintf(out, "<text class=\"t-%s\" x=\"%d\" y=\"%d\" "
					     "text-anchor=\"middle\">%zu</text>",
					severity_name(s), x0 + w / 2, y + 15, n);
			fputs("</g>\n", out);
			x0 = x1;
		}
		fprintf(out, "<text class=\"total\" x=\"%d\" y=\"%d\">%zu</text>"
			     "</g>\n",
			x0 + 6, y + 15, c->fam[f]);
		y += CH_ROW;
	}
	fputs("</svg>\n", out);
}

static void plural(FILE *out, size_t n, const char *what, const char *id)
{
	fprintf(out, "<li><b id=\"%s\">%zu</b> %s</li>", id, n, what);
}

static void header(FILE *out, const struct fl_program *p,
		   const struct counts *c)
{
	fputs("<header>\n<h1>faultline report</h1>\n<div class=\"top\">\n"
	      "<ul class=\"stats\">", out);
	plural(out, p->findings.n, p->findings.n == 1 ? "finding" : "findings",
	       "n-findings");
	plural(out, c->files, c->files == 1 ? "file with findings"
					    : "files with findings",
	       "n-files");
	plural(out, (size_t)p->analyzed,
	       p->analyzed == 1 ? "file analysed" : "files analysed",
	       "n-analyzed");
	plural(out, (size_t)p->skipped, "skipped", "n-skipped");
	plural(out, (size_t)p->suppressed, "suppressed", "n-suppressed");
	fputs("</ul>\n", out);
	if (p->findings.n)
		chart(out, c);
	fputs("</div>\n</header>\n", out);
}

/* ---- filters and table ----------------------------------------------------- */

static void filters(FILE *out, const struct fl_program *p,
		    const struct counts *c)
{
	fputs("<div class=\"filters\" role=\"search\">\n"
	      "<input id=\"q\" type=\"search\" placeholder=\"Filter: message, "
	      "path, rule, ID\" aria-label=\"Filter findings\">\n"
	      "<select id=\"ffam\" aria-label=\"Family\"><option value=\"\">"
	      "All families</option>", out);
	for (int f = 0; f < FAM__COUNT; f++)
		if (c->fam[f])
			fprintf(out, "<option value=\"%s\">%s (%zu)</option>",
				family_name(f), family_name(f), c->fam[f]);
	fputs("</select>\n<select id=\"fsev\" aria-label=\"Severity\">"
	      "<option value=\"\">All severities</option>", out);
	for (int s = SEV__COUNT - 1; s >= 0; s--)
		if (c->sev[s])
			fprintf(out, "<option value=\"%d\">%s (%zu)</option>", s,
				severity_name(s), c->sev[s]);
	fputs("</select>\n<select id=\"frule\" aria-label=\"Rule\">"
	      "<option value=\"\">All rules</option>", out);
	/* rules in rule-table order, each with its count */
	for (size_t k = 0; k < fl_ncheck; k++) {
		size_t n = 0;
		for (size_t i = 0; i < p->findings.n; i++)
			n += p->findings.v[i].check == fl_checks[k];
		if (!n)
			continue;
		fputs("<option value=\"", out);
		esc(out, fl_checks[k]->code);
		fputs("\">", out);
		esc(out, fl_checks[k]->code);
		fputc(' ', out);
		esc(out, fl_checks[k]->name);
		fprintf(out, " (%zu)</option>", n);
	}
	fprintf(out, "</select>\n<button type=\"button\" id=\"reset\">Reset"
		     "</button>\n<button type=\"button\" id=\"openall\">Open "
		     "all</button>\n<button type=\"button\" id=\"closeall\">"
		     "Close all</button>\n<span id=\"count\" aria-live=\""
		     "polite\">%zu of %zu findings</span>\n</div>\n",
		p->findings.n, p->findings.n);
}

static void table(FILE *out, const struct fl_program *p)
{
	static const char *const cols[][2] = {
		{"id", "ID"},       {"sev", "Severity"}, {"conf", "Confidence"},
		{"rule", "Rule"},   {"fam", "Family"},   {"loc", "Location"},
		{"msg", "Message"},
	};
	fputs("<table id=\"findings\">\n<thead><tr>", out);
	for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
		fprintf(out, "<th data-sort=\"%s\" aria-sort=\"none\"><button "
			     "type=\"button\">%s</button></th>",
			cols[k][0], cols[k][1]);
	fputs("</tr></thead>\n<tbody>\n", out);
	struct file_cache cache = {0};
	for (size_t i = 0; i < p->findings.n; i++) {
		finding_row(out, &p->findings.v[i], i);
		finding_detail(out, &p->findings.v[i], i, &cache);
	}
	cache_release(&cache);
	fputs("<tr id=\"nomatch\" hidden><td colspan=\"7\">No findings match "
	      "the filters.</td></tr>\n</tbody>\n</table>\n", out);
}

/* ---- notes and rule pages ------------------------------------------------- */

static void notes(FILE *out, const struct fl_program *p)
{
	if (!p->notes.n)
		return;
	fprintf(out, "<details class=\"notes\"><summary>Notes (%zu)</summary>"
		     "\n<ul>\n", p->notes.n);
	for (size_t i = 0; i < p->notes.n; i++) {
		fputs("<li><code>", out);
		esc(out, p->notes.v[i].path);
		fputs("</code> ", out);
		esc(out, p->notes.v[i].message);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</details>\n", out);
}

static void rule_pages(FILE *out, const struct fl_program *p)
{
	bool any = false;
	for (size_t k = 0; k < fl_ncheck; k++) {
		const struct fl_check *ck = fl_checks[k];
		bool fired = false;
		for (size_t i = 0; i < p->findings.n && !fired; i++)
			fired = p->findings.v[i].check == ck;
		const char *doc = check_doc(ck);
		if (!fired || !doc)
			continue;
		if (!any)
			fputs("<section class=\"rules\">\n<h2>Rules</h2>\n", out);
		any = true;
		fputs("<details class=\"rule\" id=\"rule-", out);
		esc(out, ck->code);
		fputs("\"><summary><code>", out);
		esc(out, ck->code);
		fputs("</code> ", out);
		esc(out, ck->name);
		fputs(" \xe2\x80\x94 ", out);
		esc(out, ck->summary);
		fputs("</summary>\n<pre class=\"doc\">", out);
		esc(out, doc);
		fputs("</pre>\n</details>\n", out);
	}
	if (any)
		fputs("</section>\n", out);
}

/* ---- style and script ------------------------------------------------------ */

static const char STYLE[] =
	":root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;"
	"--line:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;--hover:#f3f6fa;"
	"--critical:#8c1c13;--high:#cf222e;--medium:#d4a72c;--low:#2f81f7;"
	"--hl-finding:#fff3c4;--hl-step:#e2efff;--span:#cf222e}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
	"--muted:#9198a1;--line:#30363d;--panel:#161b22;--accent:#4493f8;"
	"--hover:#1c2129;--hl-finding:#3b2e0a;--hl-step:#112a4a;--span:#ff7b72}}\n"
	"*{box-sizing:border-box}\n"
	"[hidden]{display:none!important}\n"
	"body{margin:0;padding:20px 28px;background:var(--bg);color:var(--fg);"
	"font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}\n"
	"code,pre,.code,.id,.fp{font-family:ui-monospace,SFMono-Regular,"
	"Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace;"
	"font-size:12.5px}\n"
	"h1{font-size:22px;margin:0 0 12px}\n"
	"h2{font-size:17px;margin:28px 0 8px}\n"
	".top{display:flex;flex-wrap:wrap;gap:16px 40px;align-items:flex-start}\n"
	".stats{display:flex;flex-wrap:wrap;gap:8px;list-style:none;margin:0;"
	"padding:0}\n"
	".stats li{border:1px solid var(--line);border-radius:8px;padding:6px "
	"12px;background:var(--panel);color:var(--muted)}\n"
	".stats b{display:block;font-size:20px;color:var(--fg)}\n"
	"svg.chart{max-width:100%;height:auto;font-size:13px}\n"
	"svg.chart text{fill:var(--fg)}\n"
	"svg.chart .seg,svg.chart .fam{cursor:pointer}\n"
	"svg.chart .seg:hover rect{opacity:.8}\n"
	"svg.chart .total{fill:var(--muted)}\n"
	"svg.chart text.t-critical,svg.chart text.t-high,svg.chart text.t-low"
	"{fill:#fff}\n"
	"svg.chart text.t-medium{fill:#1f2328}\n"
	".c-critical{fill:var(--critical)}.c-high{fill:var(--high)}"
	".c-medium{fill:var(--medium)}.c-low{fill:var(--low)}\n"
	".filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;"
	"margin:20px 0 10px}\n"
	".filters input,.filters select,.filters button{font:inherit;"
	"padding:5px 8px;border:1px solid var(--line);border-radius:6px;"
	"background:var(--bg);color:var(--fg)}\n"
	".filters input{min-width:280px}\n"
	".filters button{cursor:pointer;background:var(--panel)}\n"
	"#count{margin-left:auto;color:var(--muted)}\n"
	"table{border-collapse:collapse;width:100%}\n"
	"th,td{text-align:left;vertical-align:top;padding:6px 8px;"
	"border-bottom:1px solid var(--line)}\n"
	"th{position:sticky;top:0;background:var(--panel);z-index:1;padding:0}\n"
	"th button{all:unset;display:block;padding:7px 8px;cursor:pointer;"
	"font-weight:600;white-space:nowrap}\n"
	"th button:focus-visible{outline:2px solid var(--accent)}\n"
	"th[aria-sort=ascending] button::after{content:' \\25B2';font-size:10px}\n"
	"th[aria-sort=descending] button::after{content:' \\25BC';"
	"font-size:10px}\n"
	"tr.f{cursor:pointer}\n"
	"tr.f:hover,tr.f[aria-expanded=true]{background:var(--hover)}\n"
	"tr.f:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}\n"
	"tr.f td.id::before{content:'\\25B8';display:inline-block;width:1.1em;"
	"color:var(--muted)}\n"
	"tr.f[aria-expanded=true] td.id::before{content:'\\25BE'}\n"
	"td.id,td.rule{white-space:nowrap}\n"
	"td.loc{font-family:ui-monospace,monospace;font-size:12.5px;"
	"overflow-wrap:anywhere;min-width:16em}\n"
	"td.msg{min-width:260px}\n"
	".sev{display:inline-block;min-width:62px;text-align:center;"
	"border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;"
	"color:#fff}\n"
	".sev-critical{background:var(--critical)}.sev-high{background:"
	"var(--high)}.sev-medium{background:var(--medium);color:#1f2328}"
	".sev-low{background:var(--low)}\n"
	"tr.d>td{background:var(--panel);padding:12px 16px 16px}\n"
	".detail{max-width:1200px}\n"
	".dmsg{margin:0 0 8px;font-size:15px}\n"
	".dmsg .sev{vertical-align:1px}\n"
	".meta{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 10px;"
	"color:var(--muted)}\n"
	".meta div{display:flex;gap:6px}.meta dt{font-weight:600}"
	".meta dd{margin:0;color:var(--fg)}\n"
	".cwe+.cwe::before{content:', '}\n"
	".code{border:1px solid var(--line);border-radius:6px;background:"
	"var(--bg);overflow-x:auto;padding:4px 0}\n"
	".code-in{display:inline-block;min-width:100%}\n"
	".ln{display:flex;white-space:pre;tab-size:4;line-height:1.55}\n"
	".ln .no{flex:none;width:5.5ch;padding-right:1.5ch;text-align:right;"
	"color:var(--muted);user-select:none;border-right:3px solid transparent}\n"
	".ln .tx{padding:0 12px 0 10px}\n"
	".ln.step{background:var(--hl-step)}\n"
	".ln.step .no{border-right-color:var(--accent)}\n"
	".ln.finding{background:var(--hl-finding)}\n"
	".ln.finding .no{border-right-color:var(--medium);color:var(--fg);"
	"font-weight:600}\n"
	".span{text-decoration:underline wavy var(--span);"
	"text-underline-offset:3px}\n"
	".note{display:flex;align-items:baseline;gap:8px;padding:2px 12px 3px "
	"calc(7ch + 10px);font-family:system-ui,sans-serif;font-size:13px;"
	"white-space:normal}\n"
	".step-marker,.step-ref{display:inline-flex;justify-content:center;"
	"align-items:center;flex:none;min-width:20px;height:20px;border-radius:"
	"10px;padding:0 5px;background:var(--accent);color:#fff;font-size:12px;"
	"font-weight:700;font-family:system-ui,sans-serif}\n"
	".step-ref{margin-right:8px}\n"
	".gap{color:var(--muted);padding:0 0 0 3ch;user-select:none}\n"
	".sub{margin:12px 0 4px;font-weight:600}\n"
	".steps{list-style:none;margin:0;padding:0}.steps li{margin:3px 0}\n"
	".aside{color:var(--muted);font-size:12.5px;margin:4px 0 0}\n"
	".fix{margin:12px 0 4px}\n"
	".fix b{margin-right:6px;padding:1px 7px;border-radius:4px;background:"
	"#1a7f37;color:#fff;font-size:12px}\n"
	".about{margin:4px 0 0;color:var(--muted)}\n"
	"a{color:var(--accent)}\n"
	"#nomatch td,.empty{padding:28px;text-align:center;color:var(--muted);"
	"font-size:16px}\n"
	"details.notes,details.rule{margin:8px 0}\n"
	"summary{cursor:pointer}\n"
	"pre.doc{white-space:pre-wrap;background:var(--panel);border:1px solid "
	"var(--line);border-radius:6px;padding:12px;max-width:1000px}\n"
	"footer{margin-top:32px;color:var(--muted);font-size:12px}\n";

/* Sorting, filtering and opening rows.  The rows carry their sort keys in
 * data attributes; each finding row is followed by its detail row, and
 * the two always move together. */
static const char SCRIPT[] =
	"(function () {\n"
	"'use strict';\n"
	"var table = document.getElementById('findings');\n"
	"if (!table) return;\n"
	"var body = table.tBodies[0];\n"
	"var q = document.getElementById('q');\n"
	"var ffam = document.getElementById('ffam');\n"
	"var fsev = document.getElementById('fsev');\n"
	"var frule = document.getElementById('frule');\n"
	"var count = document.getElementById('count');\n"
	"var nomatch = document.getElementById('nomatch');\n"
	"var rows = [].map.call(body.querySelectorAll('tr.f'), function (tr) {\n"
	"  var c = tr.cells;\n"
	"  return {\n"
	"    tr: tr, d: tr.nextElementSibling, i: +tr.dataset.i,\n"
	"    id: c[0].textContent, sev: +tr.dataset.sev, conf: +tr.dataset.conf,\n"
	"    rule: c[3].textContent, fam: tr.dataset.fam, code: tr.dataset.rule,\n"
	"    path: tr.dataset.path, line: +tr.dataset.line, msg: c[6].textContent,\n"
	"    text: [c[0], c[3], c[4], c[5], c[6]].map(function (e) {\n"
	"      return e.textContent; }).join(' ').toLowerCase()\n"
	"  };\n"
	"});\n"
	"function isOpen(r) { return r.tr.getAttribute('aria-expanded') === 'true'; }\n"
	"function setOpen(r, open) {\n"
	"  r.tr.setAttribute('aria-expanded', open ? 'true' : 'false');\n"
	"  r.d.hidden = !open || r.tr.hidden;\n"
	"}\n"
	"function apply() {\n"
	"  var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);\n"
	"  var shown = 0;\n"
	"  rows.forEach(function (r) {\n"
	"    var ok = (!ffam.value || r.fam === ffam.value) &&\n"
	"      (!fsev.value || r.sev === +fsev.value) &&\n"
	"      (!frule.value || r.code === frule.value) &&\n"
	"      words.every(function (w) { return r.text.indexOf(w) >= 0; });\n"
	"    r.tr.hidden = !ok;\n"
	"    setOpen(r, isOpen(r));\n"
	"    if (ok) shown++;\n"
	"  });\n"
	"  count.textContent = shown + ' of ' + rows.length + ' findings';\n"
	"  nomatch.hidden = shown > 0;\n"
	"}\n"
	"[q, ffam, fsev, frule].forEach(function (e) {\n"
	"  e.addEventListener('input', apply);\n"
	"});\n"
	"document.getElementById('reset').addEventListener('click', function () {\n"
	"  q.value = ffam.value = fsev.value = frule.value = '';\n"
	"  apply();\n"
	"});\n"
	"function openAll(open) {\n"
	"  rows.forEach(function (r) { if (!r.tr.hidden) setOpen(r, open); });\n"
	"}\n"
	"document.getElementById('openall').addEventListener('click', function () {\n"
	"  openAll(true);\n"
	"});\n"
	"document.getElementById('closeall').addEventListener('click', function () {\n"
	"  openAll(false);\n"
	"});\n"
	"\n"
	"/* sorting: the first click sorts ascending, except severity and\n"
	"   confidence, which start with the highest; the next click reverses;\n"
	"   ties keep the report's order */\n"
	"var KEYS = {\n"
	"  id: function (r) { return [r.id]; },\n"
	"  sev: function (r) { return [r.sev]; },\n"
	"  conf: function (r) { return [r.conf]; },\n"
	"  rule: function (r) { return [r.rule]; },\n"
	"  fam: function (r) { return [r.fam]; },\n"
	"  loc: function (r) { return [r.path, r.line]; },\n"
	"  msg: function (r) { return [r.msg]; }\n"
	"};\n"
	"var FIRST = { sev: -1, conf: -1 };\n"
	"var sortCol = null, sortDir = 1;\n"
	"function cmp(a, b) {\n"
	"  for (var k = 0; k < a.length; k++)\n"
	"    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;\n"
	"  return 0;\n"
	"}\n"
	"function sortBy(col) {\n"
	"  sortDir = col === sortCol ? -sortDir : FIRST[col] || 1;\n"
	"  sortCol = col;\n"
	"  var key = KEYS[col];\n"
	"  var sorted = rows.slice().sort(function (a, b) {\n"
	"    return sortDir * cmp(key(a), key(b)) || a.i - b.i;\n"
	"  });\n"
	"  var frag = document.createDocumentFragment();\n"
	"  sorted.forEach(function (r) { frag.appendChild(r.tr); frag.appendChild(r.d); });\n"
	"  body.insertBefore(frag, nomatch);\n"
	"  [].forEach.call(table.tHead.rows[0].cells, function (th) {\n"
	"    th.setAttribute('aria-sort', th.dataset.sort !== col ? 'none' :\n"
	"      sortDir > 0 ? 'ascending' : 'descending');\n"
	"  });\n"
	"}\n"
	"table.tHead.addEventListener('click', function (e) {\n"
	"  var th = e.target.closest('th');\n"
	"  if (th) sortBy(th.dataset.sort);\n"
	"});\n"
	"\n"
	"/* opening rows: click or Enter/Space on a finding row */\n"
	"function rowOf(tr) { return rows[+tr.dataset.i]; }\n"
	"body.addEventListener('click', function (e) {\n"
	"  var tr = e.target.closest('tr.f');\n"
	"  if (!tr || String(window.getSelection())) return;\n"
	"  var r = rowOf(tr);\n"
	"  setOpen(r, !isOpen(r));\n"
	"});\n"
	"body.addEventListener('keydown', function (e) {\n"
	"  var tr = e.target.closest('tr.f');\n"
	"  if (!tr || (e.key !== 'Enter' && e.key !== ' ')) return;\n"
	"  e.preventDefault();\n"
	"  var r = rowOf(tr);\n"
	"  setOpen(r, !isOpen(r));\n"
	"});\n"
	"\n"
	"/* the chart filters: a segment by family and severity, a family name\n"
	"   by family */\n"
	"var SEV = { low: 0, medium: 1, high: 2, critical: 3 };\n"
	"document.querySelectorAll('svg.chart .seg, svg.chart .fam').forEach(function (g) {\n"
	"  g.addEventListener('click', function () {\n"
	"    var seg = g.classList.contains('seg');\n"
	"    ffam.value = seg ? g.dataset.fam : g.parentNode.dataset.fam;\n"
	"    fsev.value = seg ? String(SEV[g.dataset.sev]) : '';\n"
	"    apply();\n"
	"    table.scrollIntoView({ block: 'start' });\n"
	"  });\n"
	"});\n"
	"\n"
	"/* #ID opens that finding; #rule-CODE opens that rule's page */\n"
	"function follow() {\n"
	"  var h = decodeURIComponent(location.hash.slice(1));\n"
	"  if (!h) return;\n"
	"  if (h.indexOf('rule-') === 0) {\n"
	"    var d = document.getElementById(h);\n"
	"    if (d) d.open = true;\n"
	"    return;\n"
	"  }\n"
	"  rows.forEach(function (r) {\n"
	"    if (r.id !== h) return;\n"
	"    setOpen(r, true);\n"
	"    r.tr.scrollIntoView({ block: 'start' });\n"
	"  });\n"
	"}\n"
	"document.addEventListener('click', function (e) {\n"
	"  var a = e.target.closest('a[href^=\"#rule-\"]');\n"
	"  var d = a && document.getElementById(a.getAttribute('href').slice(1));\n"
	"  if (d) d.open = true;\n"
	"});\n"
	"window.addEventListener('hashchange', follow);\n"
	"follow();\n"
	"apply();\n"
	"})();\n";

/* ---- the page ---------------------------------------------------------------- */

int report_html(FILE *out, const struct fl_program *p)
{
	struct counts c;
	count_findings(p, &c);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		     "<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, "
		     "initial-scale=1\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\""
		     "default-src 'none'; style-src 'unsafe-inline'; script-src "
		     "'unsafe-inline'; img-src data:; base-uri 'none'; "
		     "form-action 'none'\">\n"
		     "<meta name=\"generator\" content=\"faultline %s\">\n"
		     "<title>faultline report: %zu finding%s</title>\n"
		     "<link rel=\"icon\" href=\"data:,\">\n"
		     "<style>\n%s</style>\n"
		     "<noscript><style>tr.d[hidden]{display:table-row!important}"
		     "</style></noscript>\n"
		     "</head>\n<body>\n",
		FAULTLINE_VERSION, p->findings.n, p->findings.n == 1 ? "" : "s",
		STYLE);
	header(out, p, &c);
	fputs("<main>\n", out);
	if (p->findings.n) {
		filters(out, p, &c);
		table(out, p);
	} else {
		fputs("<p class=\"empty\" id=\"empty\">No findings</p>\n", out);
	}
	notes(out, p);
	rule_pages(out, p);
	fprintf(out, "</main>\n<footer>faultline %s</footer>\n"
		     "<script>\n%s</script>\n</body>\n</html>\n",
		FAULTLINE_VERSION, SCRIPT);
	return ferror(out) ? -1 : 0;
}
