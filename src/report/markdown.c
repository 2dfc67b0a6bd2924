/*
 * markdown.c - the report as Markdown: a summary by family and severity,
 * then each finding with its code frame, trace and fix hint.  The same
 * pieces serve `faultline verify --format markdown`.
 */
#include "report.h"

#include <string.h>

/* Markdown-safe inline text: escape the characters that would start
 * markup inside a table cell or paragraph. */
void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|#", *s))
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* A fenced code block holding the finding's frame, with line numbers. */
void md_frame(FILE *out, const struct fl_finding *fd)
{
	const char *lang = strstr(fd->path, ".py") ? "python" : "c";
	/* a fence longer than any backtick run in the frame */
	int fence = 3, run = 0;
	for (const char *p = fd->frame; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run >= fence)
			fence = run + 1;
	}
	fprintf(out, "%.*s%s\n", fence, "``````````````````", lang);
	uint32_t ln = fd->frame_line;
	for (const char *p = fd->frame; *p; ln++) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "%s%5u | %.*s\n", ln == fd->loc.line ? ">" : " ", ln,
			(int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
	fprintf(out, "%.*s\n", fence, "``````````````````");
}

void md_finding(FILE *out, const struct fl_finding *fd, const char *status)
{
	fprintf(out, "### %s · %s %s", fd->id, fd->check->code,
		fd->check->name);
	if (status)
		fprintf(out, " · **%s**", status);
	fputs("\n\n", out);
	fprintf(out, "`%s:%u:%u` · severity %s · confidence %s · %s\n\n",
		fd->path, fd->loc.line, fd->loc.col,
		severity_name(fd->severity), confidence_name(fd->confidence),
		fd->check->cwe);
	md_text(out, fd->message);
	fputs("\n\n", out);
	md_frame(out, fd);
	if (fd->trace.n) {
		fputs("\n**Trace**\n\n", out);
		for (size_t i = 0; i < fd->trace.n; i++) {
			const struct fl_step *st = &fd->trace.v[i];
			fprintf(out, "%zu. `%s:%u:%u` ", i + 1, st->path,
				st->loc.line, st->loc.col);
			md_text(out, st->message);
			fputc('\n', out);
		}
	}
	fputs("\n**Fix:** ", out);
	md_text(out, fd->fix_hint ? fd->fix_hint : fd->check->fix_hint);
	fputs("\n\n", out);
}

int report_markdown(FILE *out, const struct fl_program *p)
{
	size_t count[FAM__COUNT][SEV__COUNT] = {{0}};
	size_t fam_total[FAM__COUNT] = {0}, sev_total[SEV__COUNT] = {0};
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		count[fd->check->family][fd->severity]++;
		fam_total[fd->check->family]++;
		sev_total[fd->severity]++;
	}
	fprintf(out, "# faultline report\n\n");
	fprintf(out, "%zu finding%s; %llu file%s analysed, %llu skipped, "
		     "%llu finding%s suppressed.\n\n",
		p->findings.n, p->findings.n == 1 ? "" : "s",
		(unsigned long long)p->analyzed, p->analyzed == 1 ? "" : "s",
		(unsigned long long)p->skipped,
		(unsigned long long)p->suppressed,
		p->suppressed == 1 ? "" : "s");
	fputs("## Summary\n\n| family | critical | high | medium | low | "
	      "total |\n|---|---:|---:|---:|---:|---:|\n",
	      out);
	for (int f = 0; f < FAM__COUNT; f++)
		if (fam_total[f])
			fprintf(out, "| %s | %zu | %zu | %zu | %zu | %zu |\n",
				family_name(f), count[f][SEV_CRITICAL],
				count[f][SEV_HIGH], count[f][SEV_MEDIUM],
				count[f][SEV_LOW], fam_total[f]);
	fprintf(out, "| **total** | %zu | %zu | %zu | %zu | %zu |\n\n",
		sev_total[SEV_CRITICAL], sev_total[SEV_HIGH],
		sev_total[SEV_MEDIUM], sev_total[SEV_LOW], p->findings.n);
	if (p->findings.n) {
		fputs("| ID | rule | severity | location | message |\n"
		      "|---|---|---|---|---|\n",
		      out);
		for (size_t i = 0; i < p->findings.n; i++) {
			const struct fl_finding *fd = &p->findings.v[i];
			fprintf(out, "| %s | %s | %s | `%s:%u` | ", fd->id,
				fd->check->code, severity_name(fd->severity),
				fd->path, fd->loc.line);
			md_text(out, fd->message);
			fputs(" |\n", out);
		}
		fputs("\n## Findings\n\n", out);
	}
	for (size_t i = 0; i < p->findings.n; i++)
		md_finding(out, &p->findings.v[i], NULL);
	return 0;
}
