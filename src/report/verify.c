/*
 * verify.c - the verification report: every baseline finding as FIXED,
 * STILL PRESENT or MOVED, and every new finding as NEW; in text, JSON and
 * Markdown.  The Markdown is the document a team would otherwise write by
 * hand: a summary table, then per finding the code then and now.
 */
#include "report.h"

#include <string.h>

static void counts(const struct verify_view *v, size_t c[4])
{
	memset(c, 0, 4 * sizeof(size_t));
	for (size_t i = 0; i < v->b->v.n; i++)
		c[v->base_status[i]]++;
	for (size_t j = 0; j < v->p->findings.n; j++)
		if (v->new_match[j] < 0)
			c[ST_NEW]++;
}

int report_verify_text(FILE *out, const struct verify_view *v,
		       const struct report_opts *o)
{
	size_t c[4];
	counts(v, c);
	fprintf(out, "%-10s  %-13s  %-8s  %-6s  %-34s  %s\n", "ID", "STATUS",
		"SEVERITY", "RULE", "WAS", "NOW");
	for (size_t i = 0; i < v->b->v.n; i++) {
		const struct fl_base_entry *e = &v->b->v.v[i];
		char was[512], now[512] = "-";
		snprintf(was, sizeof(was), "%s:%u", e->path, e->line);
		int j = v->base_match[i];
		if (j >= 0)
			snprintf(now, sizeof(now), "%s:%u",
				 v->p->findings.v[j].path,
				 v->p->findings.v[j].loc.line);
		fprintf(out, "%-10s  %-13s  %-8s  %-6s  %-34s  %s\n", e->id,
			status_name(v->base_status[i]), e->severity, e->code,
			was, now);
	}
	for (size_t j = 0; j < v->p->findings.n; j++) {
		if (v->new_match[j] >= 0)
			continue;
		const struct fl_finding *fd = &v->p->findings.v[j];
		char now[512];
		snprintf(now, sizeof(now), "%s:%u", fd->path, fd->loc.line);
		fprintf(out, "%-10s  %-13s  %-8s  %-6s  %-34s  %s\n", fd->id,
			"NEW", severity_name(fd->severity), fd->check->code,
			"-", now);
	}
	if (!o->quiet)
		fprintf(out,
			"\n%zu fixed, %zu still present, %zu moved, %zu new "
			"(baseline: %zu findings; now: %zu).\n",
			c[ST_FIXED], c[ST_STILL], c[ST_MOVED], c[ST_NEW],
			v->b->v.n, v->p->findings.n);
	return 0;
}

static json_t *place(const char *path, uint32_t line, uint32_t col,
		     const char *func)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "line", json_integer(line));
	json_object_set_new(o, "column", json_integer(col));
	json_object_set_new(o, "function", json_string(func));
	return o;
}

int report_verify_json(FILE *out, const struct verify_view *v)
{
	size_t c[4];
	counts(v, c);
	json_t *root = json_object();
	json_object_set_new(root, "tool", json_string("faultline"));
	json_object_set_new(root, "version", json_string(FAULTLINE_VERSION));
	json_t *sum = json_object();
	json_object_set_new(sum, "fixed", json_integer((json_int_t)c[ST_FIXED]));
	json_object_set_new(sum, "still_present",
			    json_integer((json_int_t)c[ST_STILL]));
	json_object_set_new(sum, "moved", json_integer((json_int_t)c[ST_MOVED]));
	json_object_set_new(sum, "new", json_integer((json_int_t)c[ST_NEW]));
	json_object_set_new(root, "summary", sum);
	json_t *arr = json_array();
	for (size_t i = 0; i < v->b->v.n; i++) {
		const struct fl_base_entry *e = &v->b->v.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(e->id));
		json_object_set_new(o, "status",
				    json_string(status_name(v->base_status[i])));
		json_object_set_new(o, "code", json_string(e->code));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "family", json_string(e->family));
		json_object_set_new(o, "severity", json_string(e->severity));
		json_object_set_new(o, "message", json_string(e->message));
		json_object_set_new(o, "was",
				    place(e->path, e->line, e->col, e->func));
		int j = v->base_match[i];
		if (j >= 0) {
			const struct fl_finding *fd = &v->p->findings.v[j];
			json_object_set_new(o, "now",
					    place(fd->path, fd->loc.line,
						  fd->loc.col, fd->func));
		} else {
			json_object_set_new(o, "now", json_null());
		}
		json_array_append_new(arr, o);
	}
	for (size_t j = 0; j < v->p->findings.n; j++) {
		if (v->new_match[j] >= 0)
			continue;
		const struct fl_finding *fd = &v->p->findings.v[j];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(fd->id));
		json_object_set_new(o, "status", json_string("NEW"));
		json_object_set_new(o, "code", json_string(fd->check->code));
		json_object_set_new(o, "name", json_string(fd->check->name));
		json_object_set_new(o, "family",
				    json_string(family_name(fd->check->family)));
		json_object_set_new(o, "severity",
				    json_string(severity_name(fd->severity)));
		json_object_set_new(o, "message", json_string(fd->message));
		json_object_set_new(o, "was", json_null());
		json_object_set_new(o, "now", place(fd->path, fd->loc.line,
						    fd->loc.col, fd->func));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "findings", arr);
	int rc = json_dumpf(root, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(root);
	return rc;
}

/* The baseline's stored frame, as a fenced block. */
static void md_base_frame(FILE *out, const struct fl_base_entry *e)
{
	struct fl_finding tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.path = e->path;
	tmp.frame = e->frame;
	tmp.frame_line = e->frame_line;
	tmp.loc.line = e->line;
	md_frame(out, &tmp);
}

int report_verify_markdown(FILE *out, const struct verify_view *v)
{
	size_t c[4];
	counts(v, c);
	fputs("# faultline verification report\n\n", out);
	fprintf(out,
		"Checked against a baseline of %zu findings: **%zu fixed**, "
		"**%zu still present**, **%zu moved**, **%zu new**.\n\n",
		v->b->v.n, c[ST_FIXED], c[ST_STILL], c[ST_MOVED], c[ST_NEW]);
	fputs("Statuses come from the code: a finding is FIXED only when "
	      "faultline no longer finds it.\n\n",
	      out);
	fputs("| ID | severity | family | location | status |\n"
	      "|---|---|---|---|---|\n",
	      out);
	for (size_t i = 0; i < v->b->v.n; i++) {
		const struct fl_base_entry *e = &v->b->v.v[i];
		int j = v->base_match[i];
		const char *path = j >= 0 ? v->p->findings.v[j].path : e->path;
		uint32_t line = j >= 0 ? v->p->findings.v[j].loc.line : e->line;
		fprintf(out, "| %s | %s | %s | `%s:%u` | %s |\n", e->id,
			e->severity, e->family, path, line,
			status_name(v->base_status[i]));
	}
	for (size_t j = 0; j < v->p->findings.n; j++) {
		if (v->new_match[j] >= 0)
			continue;
		const struct fl_finding *fd = &v->p->findings.v[j];
		fprintf(out, "| %s | %s | %s | `%s:%u` | NEW |\n", fd->id,
			severity_name(fd->severity),
			family_name(fd->check->family), fd->path, fd->loc.line);
	}
	fputs("\n## Findings\n\n", out);
	for (size_t i = 0; i < v->b->v.n; i++) {
		const struct fl_base_entry *e = &v->b->v.v[i];
		int j = v->base_match[i];
		fprintf(out, "### %s · %s %s · **%s**\n\n", e->id, e->code,
			e->name, status_name(v->base_status[i]));
		md_text(out, e->message);
		fprintf(out, "\n\nThen, `%s:%u` in `%s`:\n\n", e->path, e->line,
			*e->func ? e->func : "<module>");
		md_base_frame(out, e);
		if (j < 0) {
			fputs("\nNow: faultline no longer finds it.\n\n", out);
			continue;
		}
		const struct fl_finding *fd = &v->p->findings.v[j];
		fprintf(out, "\nNow, `%s:%u` in `%s`:\n\n", fd->path,
			fd->loc.line, *fd->func ? fd->func : "<module>");
		md_frame(out, fd);
		fputs("\n", out);
	}
	for (size_t j = 0; j < v->p->findings.n; j++) {
		if (v->new_match[j] >= 0)
			continue;
		md_finding(out, &v->p->findings.v[j], "NEW");
	}
	return 0;
}
