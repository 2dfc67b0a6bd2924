/*
 * html.c - the HTML report (first version: a plain table; the full
 * report with code views and a chart replaces it).
 */
#include "report.h"

#include <string.h>

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
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
		default:
			fputc(*s, out);
		}
	}
}

int report_html(FILE *out, const struct fl_program *p)
{
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	      "<title>faultline report</title></head><body>\n<table>\n",
	      out);
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		fprintf(out, "<tr><td>%s</td><td>%s</td><td>", fd->id,
			fd->check->code);
		esc(out, fd->path);
		fprintf(out, ":%u</td><td>", fd->loc.line);
		esc(out, fd->message);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</body></html>\n", out);
	return 0;
}
