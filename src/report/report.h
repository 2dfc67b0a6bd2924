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

/* "CWE-390,CWE-703" -> callback per id */
void cwe_each(const char *list, void (*fn)(void *ud, const char *id),
	      void *ud);
/* The CWE list as a JSON array of strings. */
json_t *json_cwe_array(const char *list);

#endif
