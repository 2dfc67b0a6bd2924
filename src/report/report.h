/*
 * report.h - output formats.  Each reporter reads the program's final
 * finding list and notes and writes one document; none recomputes
 * anything.  Output depends only on the findings, never on timing, so it
 * is byte-identical at any --jobs.
 */
#ifndef FL_REPORT_H
#define FL_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include "../core/baseline.h"
#include "../core/run.h"

#define FAULTLINE_VERSION "0.1.0"

struct report_opts {
	bool color;
	bool quiet;   /* text: findings only, no summary */
};

int report_text(FILE *out, const struct fl_program *p,
		const struct report_opts *o);
int report_json(FILE *out, const struct fl_program *p);
int report_sarif(FILE *out, const struct fl_program *p);
/* Markdown (markdown.c): summary by family x severity, a table, then each
 * finding with frame, trace and fix; the md_* pieces serve verify. */
int report_markdown(FILE *out, const struct fl_program *p);
void md_text(FILE *out, const char *s);
void md_frame(FILE *out, const struct fl_finding *fd);
void md_finding(FILE *out, const struct fl_finding *fd, const char *status);
/* One self-contained HTML page (html.c): a sortable, filterable table,
 * each finding opening to its code with the trace marked in place, and a
 * chart of counts by family and severity.  Reads the source files named
 * by the findings for context; no network, no timestamps. */
int report_html(FILE *out, const struct fl_program *p);

/* A verification: a baseline and today's findings, matched
 * (baseline_match). */
struct verify_view {
	const struct fl_baseline *b;
	const struct fl_program *p;
	const int *base_match;
	const enum fl_status *base_status;
	const int *new_match;
};
int report_verify_text(FILE *out, const struct verify_view *v,
		       const struct report_opts *o);
int report_verify_json(FILE *out, const struct verify_view *v);
int report_verify_markdown(FILE *out, const struct verify_view *v);

/* "CWE-390,CWE-703" -> callback per id */
void cwe_each(const char *list, void (*fn)(void *ud, const char *id),
	      void *ud);
/* The CWE list as a JSON array of strings. */
json_t *json_cwe_array(const char *list);

#endif
