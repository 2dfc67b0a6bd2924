#include "baseline.h"
#include "../report/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASELINE_FORMAT 1

const char *status_name(enum fl_status s)
{
	switch (s) {
	case ST_FIXED:
		return "FIXED";
	case ST_STILL:
		return "STILL PRESENT";
	case ST_MOVED:
		return "MOVED";
	default:
		return "NEW";
	}
}

void baseline_release(struct fl_baseline *b)
{
	for (size_t i = 0; i < b->v.n; i++) {
		struct fl_base_entry *e = &b->v.v[i];
		free(e->id);
		free(e->fingerprint);
		free(e->code);
		free(e->name);
		free(e->family);
		free(e->severity);
		free(e->path);
		free(e->func);
		free(e->key);
		free(e->message);
		free(e->frame);
	}
	VEC_FREE(&b->v);
}

/* ---- writing ------------------------------------------------------ */

static int write_json(FILE *out, void *ud)
{
	if (json_dumpf(ud, out, JSON_INDENT(2)) != 0)
		return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

int baseline_write(const char *file, const struct fl_program *p)
{
	json_t *root = json_object();
	json_object_set_new(root, "tool", json_string("faultline"));
	json_object_set_new(root, "version", json_string(FAULTLINE_VERSION));
	json_object_set_new(root, "baseline_format",
			    json_integer(BASELINE_FORMAT));
	json_t *arr = json_array();
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(fd->id));
		json_object_set_new(o, "fingerprint",
				    json_string(fd->fingerprint));
		json_object_set_new(o, "code", json_string(fd->check->code));
		json_object_set_new(o, "name", json_string(fd->check->name));
		json_object_set_new(o, "family",
				    json_string(family_name(fd->check->family)));
		json_object_set_new(o, "severity",
				    json_string(severity_name(fd->severity)));
		json_object_set_new(o, "path", json_string(fd->path));
		json_object_set_new(o, "line", json_integer(fd->loc.line));
		json_object_set_new(o, "column", json_integer(fd->loc.col));
		json_object_set_new(o, "function", json_string(fd->func));
		json_object_set_new(o, "key", json_string(fd->key));
		json_object_set_new(o, "message", json_string(fd->message));
		json_object_set_new(o, "frame", json_string(fd->frame));
		json_object_set_new(o, "frame_line",
				    json_integer(fd->frame_line));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "findings", arr);

	int rc = write_atomic(file, "baseline", write_json, root);
	json_decref(root);
	return rc;
}

/* ---- reading ------------------------------------------------------ */

static char *get_str(json_t *o, const char *key, bool *ok)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v)) {
		*ok = false;
		return xstrdup("");
	}
	return xstrdup(json_string_value(v));
}

static uint32_t get_uint(json_t *o, const char *key, bool *ok)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > UINT32_MAX) {
		*ok = false;
		return 0;
	}
	return (uint32_t)json_integer_value(v);
}

int baseline_read(const char *file, struct fl_baseline *b)
{
	memset(b, 0, sizeof(*b));
	json_error_t jerr;
	json_t *root = json_load_file(file, 0, &jerr);
	if (!root) {
		if (jerr.line < 0)
			return error("cannot read baseline '%s': %s", file,
				     jerr.text);
		return error("baseline '%s' is not valid JSON: line %d, "
			     "column %d: %s",
			     file, jerr.line, jerr.column, jerr.text);
	}
	json_t *tool = json_object_get(root, "tool");
	json_t *fmt = json_object_get(root, "baseline_format");
	json_t *arr = json_object_get(root, "findings");
	if (!json_is_object(root) || !json_is_string(tool) ||
	    strcmp(json_string_value(tool), "faultline") ||
	    !json_is_integer(fmt) || !json_is_array(arr)) {
		json_decref(root);
		return error("'%s' is not a faultline baseline: expected an "
			     "object with \"tool\": \"faultline\", "
			     "\"baseline_format\" and a \"findings\" list "
			     "(write one with 'faultline check "
			     "--write-baseline FILE')",
			     file);
	}
	if (json_integer_value(fmt) != BASELINE_FORMAT) {
		json_decref(root);
		return error("baseline '%s' has format %lld; this faultline "
			     "reads format %d",
			     file, (long long)json_integer_value(fmt),
			     BASELINE_FORMAT);
	}
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		bool ok = json_is_object(o);
		struct fl_base_entry *e = VEC_PUSH(&b->v);
		if (!ok) {
			json_decref(root);
			baseline_release(b);
			return error("baseline '%s': finding %zu is not an "
				     "object",
				     file, i + 1);
		}
		e->id = get_str(o, "id", &ok);
		e->fingerprint = get_str(o, "fingerprint", &ok);
		e->code = get_str(o, "code", &ok);
		e->name = get_str(o, "name", &ok);
		e->family = get_str(o, "family", &ok);
		e->severity = get_str(o, "severity", &ok);
		e->path = get_str(o, "path", &ok);
		e->func = get_str(o, "function", &ok);
		e->key = get_str(o, "key", &ok);
		e->message = get_str(o, "message", &ok);
		e->frame = get_str(o, "frame", &ok);
		e->line = get_uint(o, "line", &ok);
		e->col = get_uint(o, "column", &ok);
		e->frame_line = get_uint(o, "frame_line", &ok);
		if (!ok || strlen(e->fingerprint) != 32) {
			json_decref(root);
			baseline_release(b);
			return error("baseline '%s': finding %zu lacks a field "
				     "or has one of the wrong type (expected "
				     "strings id, fingerprint (32 hex "
				     "digits), code, name, family, severity, "
				     "path, function, key, message, frame and "
				     "integers line, column, frame_line)",
				     file, i + 1);
		}
	}
	json_decref(root);
	return 0;
}

/* ---- matching ----------------------------------------------------- */

void baseline_match(const struct fl_baseline *b, const struct fl_program *p,
		    int *base_match, enum fl_status *base_status,
		    int *new_match)
{
	size_t nb = b->v.n, nn = p->findings.n;
	for (size_t i = 0; i < nb; i++) {
		base_match[i] = -1;
		base_status[i] = ST_FIXED;
	}
	for (size_t j = 0; j < nn; j++)
		new_match[j] = -1;
	/* Tier by tier; within a tier, in baseline order (deterministic). */
	for (int tier = 1; tier <= 3; tier++) {
		for (size_t i = 0; i < nb; i++) {
			if (base_match[i] >= 0)
				continue;
			const struct fl_base_entry *e = &b->v.v[i];
			for (size_t j = 0; j < nn; j++) {
				if (new_match[j] >= 0)
					continue;
				const struct fl_finding *fd = &p->findings.v[j];
				if (strcmp(e->code, fd->check->code))
					continue;
				bool same_place = !strcmp(e->path, fd->path) &&
						  !strcmp(e->func, fd->func);
				bool hit =
					tier == 1 ? !strcmp(e->fingerprint,
							    fd->fingerprint)
					: tier == 2 ? same_place
						    : !strcmp(e->key, fd->key);
				if (!hit)
					continue;
				base_match[i] = (int)j;
				new_match[j] = (int)i;
				base_status[i] = tier == 3 && !same_place
							 ? ST_MOVED
							 : ST_STILL;
				break;
			}
		}
	}
}
