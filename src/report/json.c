/*
 * json.c - machine-readable output, documented in docs/output.md.
 * Built with jansson; keys keep insertion order, so output is stable.
 */
#include "report.h"

#include <jansson.h>
#include <string.h>

static void add_cwe(void *ud, const char *id)
{
	json_array_append_new(ud, json_string(id));
}

json_t *json_cwe_array(const char *list)
{
	json_t *a = json_array();
	cwe_each(list, add_cwe, a);
	return a;
}

static json_t *finding_json(const struct fl_finding *fd)
{
	const struct fl_check *ck = fd->check;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(fd->id));
	json_object_set_new(o, "code", json_string(ck->code));
	json_object_set_new(o, "name", json_string(ck->name));
	json_object_set_new(o, "family", json_string(family_name(ck->family)));
	json_object_set_new(o, "severity",
			    json_string(severity_name(fd->severity)));
	json_object_set_new(o, "confidence",
			    json_string(confidence_name(fd->confidence)));
	json_object_set_new(o, "cwe", json_cwe_array(ck->cwe));
	json_object_set_new(o, "path", json_string(fd->path));
	json_object_set_new(o, "line", json_integer(fd->loc.line));
	json_object_set_new(o, "column", json_integer(fd->loc.col));
	json_object_set_new(o, "end_line", json_integer(fd->loc.end_line));
	json_object_set_new(o, "end_column", json_integer(fd->loc.end_col));
	json_object_set_new(o, "function", json_string(fd->func));
	json_object_set_new(o, "message", json_string(fd->message));
	json_t *tr = json_array();
	for (size_t i = 0; i < fd->trace.n; i++) {
		const struct fl_step *st = &fd->trace.v[i];
		json_t *s = json_object();
		json_object_set_new(s, "path", json_string(st->path));
		json_object_set_new(s, "line", json_integer(st->loc.line));
		json_object_set_new(s, "column", json_integer(st->loc.col));
		json_object_set_new(s, "message", json_string(st->message));
		json_array_append_new(tr, s);
	}
	json_object_set_new(o, "trace", tr);
	json_object_set_new(o, "fix_hint",
			    json_string(fd->fix_hint ? fd->fix_hint
						     : ck->fix_hint));
	json_object_set_new(o, "fingerprint", json_string(fd->fingerprint));
	return o;
}

int report_json(FILE *out, const struct fl_program *p)
{
	json_t *root = json_object();
	json_object_set_new(root, "tool", json_string("faultline"));
	json_object_set_new(root, "version", json_string(FAULTLINE_VERSION));
	json_t *arr = json_array();
	for (size_t i = 0; i < p->findings.n; i++)
		json_array_append_new(arr, finding_json(&p->findings.v[i]));
	json_object_set_new(root, "findings", arr);
	json_t *notes = json_array();
	for (size_t i = 0; i < p->notes.n; i++) {
		json_t *n = json_object();
		json_object_set_new(n, "path", json_string(p->notes.v[i].path));
		json_object_set_new(n, "message",
				    json_string(p->notes.v[i].message));
		json_array_append_new(notes, n);
	}
	json_object_set_new(root, "notes", notes);
	json_t *sum = json_object();
	json_object_set_new(sum, "files", json_integer((json_int_t)p->files.n));
	json_object_set_new(sum, "analyzed", json_integer((json_int_t)p->analyzed));
	json_object_set_new(sum, "skipped", json_integer((json_int_t)p->skipped));
	json_object_set_new(sum, "findings",
			    json_integer((json_int_t)p->findings.n));
	json_object_set_new(sum, "suppressed",
			    json_integer((json_int_t)p->suppressed));
	json_t *fam = json_object(), *sev = json_object();
	for (int f = 0; f < FAM__COUNT; f++) {
		size_t n = 0;
		for (size_t i = 0; i < p->findings.n; i++)
			n += p->findings.v[i].check->family == (enum fl_family)f;
		json_object_set_new(fam, family_name(f), json_integer((json_int_t)n));
	}
	for (int s = SEV__COUNT - 1; s >= 0; s--) {
		size_t n = 0;
		for (size_t i = 0; i < p->findings.n; i++)
			n += p->findings.v[i].severity == (enum fl_severity)s;
		json_object_set_new(sev, severity_name(s), json_integer((json_int_t)n));
	}
	json_object_set_new(sum, "by_family", fam);
	json_object_set_new(sum, "by_severity", sev);
	json_object_set_new(root, "summary", sum);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
	return rc;
}
