/*
 * text.c - the default output, in the style of ruff and rustc:
 *
 *   path:line:col: CODE message
 *      |
 *   41 |     def _write_event(self, event):
 *   42 |         lock = threading.Lock()
 *      |                ^^^^^^^^^^^^^^^^
 *      = trace:
 *        1. path:42:16: 'lock' is created here, ...
 *      = help: create the lock once ...
 *      = lock-created-per-call, severity high, confidence high, CWE-667
 *
 * then a summary by family and severity.
 */
#include "report.h"

#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"
#define C_CYAN "\033[36m"
#define C_DIM "\033[2m"

static const char *sev_color(enum fl_severity s)
{
	return s >= SEV_HIGH ? C_RED : s == SEV_MEDIUM ? C_YELLOW : C_BLUE;
}

#define COL(o, c) ((o)->color ? (c) : "")

/* Display width of the first `cps` code points of line (tabs = 4). */
static size_t display_width(const char *line, size_t len, uint32_t cps)
{
	size_t w = 0;
	uint32_t seen = 0;
	for (size_t i = 0; i < len && seen < cps; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c & 0xc0) == 0x80)
			continue;
		seen++;
		w += c == '\t' ? 4 : 1;
	}
	return w;
}

static void put_line(FILE *out, const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\t')
			fputs("    ", out);
		else
			fputc(line[i], out);
	}
}

/* Width of the line-number gutter of a finding's frame. */
static int gutter_width(const struct fl_finding *fd)
{
	uint32_t last = fd->frame_line;
	for (const char *p = fd->frame; *p; p++)
		if (*p == '\n')
			last++;
	last = last > fd->frame_line ? last - 1 : fd->frame_line;
	return snprintf(NULL, 0, "%u", last);
}

static void frame(FILE *out, const struct fl_finding *fd,
		  const struct report_opts *o, int gw)
{
	fprintf(out, "%*s %s|%s\n", gw, "", COL(o, C_BLUE), COL(o, C_RESET));
	uint32_t ln = fd->frame_line;
	for (const char *p = fd->frame; *p; ln++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%*u |%s ", COL(o, C_BLUE), gw, ln,
			COL(o, C_RESET));
		put_line(out, p, len);
		fputc('\n', out);
		if (ln == fd->loc.line) {
			uint32_t endc = fd->loc.end_line == ln
						? fd->loc.end_col
						: (uint32_t)utf8_count(p, len) + 1;
			size_t from = display_width(p, len, fd->loc.col - 1);
			size_t to = display_width(p, len, endc - 1);
			if (to <= from)
				to = from + 1;
			fprintf(out, "%*s %s|%s %*s%s", gw, "", COL(o, C_BLUE),
				COL(o, C_RESET), (int)from, "",
				COL(o, sev_color(fd->severity)));
			for (size_t i = from; i < to; i++)
				fputc('^', out);
			fprintf(out, "%s\n", COL(o, C_RESET));
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	fprintf(out, "%*s %s|%s\n", gw, "", COL(o, C_BLUE), COL(o, C_RESET));
}

static void one(FILE *out, const struct fl_finding *fd,
		const struct report_opts *o)
{
	const struct fl_check *ck = fd->check;
	int gw = gutter_width(fd);
	fprintf(out, "%s%s:%u:%u:%s %s%s%s %s\n", COL(o, C_BOLD), fd->path,
		fd->loc.line, fd->loc.col, COL(o, C_RESET),
		COL(o, sev_color(fd->severity)), ck->code, COL(o, C_RESET),
		fd->message);
	frame(out, fd, o, gw);
	if (fd->trace.n) {
		fprintf(out, "%*s %s=%s trace:\n", gw, "", COL(o, C_BLUE),
			COL(o, C_RESET));
		for (size_t i = 0; i < fd->trace.n; i++) {
			const struct fl_step *st = &fd->trace.v[i];
			fprintf(out, "%*s   %zu. %s%s:%u:%u:%s %s\n", gw, "",
				i + 1, COL(o, C_CYAN), st->path, st->loc.line,
				st->loc.col, COL(o, C_RESET), st->message);
		}
	}
	fprintf(out, "%*s %s=%s help: %s\n", gw, "", COL(o, C_BLUE),
		COL(o, C_RESET), fd->fix_hint ? fd->fix_hint : ck->fix_hint);
	fprintf(out, "%*s %s= %s %s, severity %s, confidence %s, %s%s\n\n",
		gw, "", COL(o, C_DIM), fd->id, ck->name,
		severity_name(fd->severity), confidence_name(fd->confidence),
		ck->cwe, COL(o, C_RESET));
}

static void summary(FILE *out, const struct fl_program *p,
		    const struct report_opts *o)
{
	size_t count[FAM__COUNT][SEV__COUNT] = {{0}};
	size_t fam_total[FAM__COUNT] = {0}, sev_total[SEV__COUNT] = {0};
	VEC(const char *) files = {0};
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		count[fd->check->family][fd->severity]++;
		fam_total[fd->check->family]++;
		sev_total[fd->severity]++;
		if (!files.n || strcmp(files.v[files.n - 1], fd->path))
			*VEC_PUSH(&files) = fd->path;
	}
	size_t n = p->findings.n;
	fprintf(out, "%sFound %zu finding%s in %zu file%s%s (%llu file%s "
		     "analysed, %llu skipped, %llu suppressed).\n",
		COL(o, C_BOLD), n, n == 1 ? "" : "s", files.n,
		files.n == 1 ? "" : "s", COL(o, C_RESET),
		(unsigned long long)p->analyzed, p->analyzed == 1 ? "" : "s",
		(unsigned long long)p->skipped,
		(unsigned long long)p->suppressed);
	VEC_FREE(&files);
	if (!n)
		return;
	fprintf(out, "\n  %-12s %8s %6s %6s %6s %6s\n", "family", "critical",
		"high", "medium", "low", "total");
	for (int fam = 0; fam < FAM__COUNT; fam++) {
		if (!fam_total[fam])
			continue;
		fprintf(out, "  %-12s %8zu %6zu %6zu %6zu %6zu\n",
			family_name(fam), count[fam][SEV_CRITICAL],
			count[fam][SEV_HIGH], count[fam][SEV_MEDIUM],
			count[fam][SEV_LOW], fam_total[fam]);
	}
	fprintf(out, "  %-12s %8zu %6zu %6zu %6zu %6zu\n", "total",
		sev_total[SEV_CRITICAL], sev_total[SEV_HIGH],
		sev_total[SEV_MEDIUM], sev_total[SEV_LOW], n);
}

int report_text(FILE *out, const struct fl_program *p,
		const struct report_opts *o)
{
	for (size_t i = 0; i < p->findings.n; i++)
		one(out, &p->findings.v[i], o);
	if (!o->quiet)
		summary(out, p, o);
	return 0;
}

void cwe_each(const char *list, void (*fn)(void *ud, const char *id),
	      void *ud)
{
	char buf[32];
	while (list && *list) {
		size_t n = strcspn(list, ",");
		if (n < sizeof(buf)) {
			memcpy(buf, list, n);
			buf[n] = '\0';
			fn(ud, buf);
		}
		list += n;
		if (*list == ',')
			list++;
	}
}
