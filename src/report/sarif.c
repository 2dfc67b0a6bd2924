/*
 * sarif.c - SARIF 2.1.0 for code-scanning services.
 *
 * rules carry help text and CWE tags; results carry the location with a
 * snippet, the trace as a codeFlow, and partialFingerprints; notes become
 * tool execution notifications.  Paths are relative URIs against
 * %SRCROOT%; columns count Unicode code points (run.columnKind).
 */
#include "report.h"

#include <jansson.h>
#include <string.h>

static void add_tag(void *ud, const char *id)
{
	/* "external/cwe/cwe-252", the convention GitHub code scanning reads */
	char buf[64];
	snprintf(buf, sizeof(buf), "external/cwe/%s", id);
	for (char *p = buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	json_array_append_new(ud, json_string(buf));
}

static const char *level_of(enum fl_severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", json_string(s));
	return o;
}

/* Percent-encode a relative path for a URI reference. */
static char *uri_of(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			strbuf_addch(&sb, *p);
		else
			strbuf_addf(&sb, "%%%02X", *p);
	}
	return strbuf_detach(&sb);
}

static json_t *phys(const char *path, const struct fl_loc *l,
		    const char *snippet)
{
	json_t *pl = json_object();
	json_t *al = json_object();
	char *uri = uri_of(path);
	json_object_set_new(al, "uri", json_string(uri));
	json_object_set_new(al, "uriBaseId", json_string("%SRCROOT%"));
	free(uri);
	json_object_set_new(pl, "artifactLocation", al);
	json_t *r = json_object();
	json_object_set_new(r, "startLine", json_integer(l->line));
	json_object_set_new(r, "startColumn", json_integer(l->col));
	json_object_set_new(r, "endLine", json_integer(l->end_line));
	json_object_set_new(r, "endColumn", json_integer(l->end_col));
	if (snippet)
		json_object_set_new(r, "snippet", text_obj(snippet));
	json_object_set_new(pl, "region", r);
	return pl;
}

static json_t *rule_json(const struct fl_check *ck)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_string(ck->code));
	json_object_set_new(r, "name", json_string(ck->name));
	json_object_set_new(r, "shortDescription", text_obj(ck->summary));
	json_object_set_new(r, "fullDescription", text_obj(ck->summary));
	const char *doc = check_doc(ck);
	json_t *help = json_object();
	json_object_set_new(help, "text", json_string(doc ? doc : ck->summary));
	if (doc)
		json_object_set_new(help, "markdown", json_string(doc));
	json_object_set_new(r, "help", help);
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(level_of(ck->severity)));
	json_object_set_new(r, "defaultConfiguration", cfg);
	json_t *props = json_object();
	json_t *tags = json_array();
	json_array_append_new(tags, json_string(family_name(ck->family)));
	json_array_append_new(tags, json_string("reliability"));
	cwe_each(ck->cwe, add_tag, tags);
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "precision", json_string("high"));
	json_object_set_new(props, "cwe", json_cwe_array(ck->cwe));
	json_object_set_new(r, "properties", props);
	return r;
}

/* The frame's line for the finding's own line, as a snippet. */
static char *primary_snippet(const struct fl_finding *fd)
{
	uint32_t ln = fd->frame_line;
	const char *p = fd->frame;
	while (*p && ln < fd->loc.line) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
		ln++;
	}
	size_t n = strcspn(p, "\n");
	return xstrndup(p, n);
}

static json_t *result_json(const struct fl_finding *fd, size_t rule_index)
{
	json_t *r = json_object();
	json_object_set_new(r, "ruleId", json_string(fd->check->code));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)rule_index));
	json_object_set_new(r, "level", json_string(level_of(fd->severity)));
	json_object_set_new(r, "message", text_obj(fd->message));
	json_t *locs = json_array();
	json_t *loc = json_object();
	char *snip = primary_snippet(fd);
	json_object_set_new(loc, "physicalLocation", phys(fd->path, &fd->loc, snip));
	free(snip);
	json_array_append_new(locs, loc);
	json_object_set_new(r, "locations", locs);
	if (fd->trace.n) {
		json_t *tfl = json_array();
		for (size_t i = 0; i < fd->trace.n; i++) {
			const struct fl_step *st = &fd->trace.v[i];
			json_t *l = json_object();
			json_object_set_new(l, "physicalLocation",
					    phys(st->path, &st->loc, NULL));
			json_object_set_new(l, "message", text_obj(st->message));
			json_t *tl = json_object();
			json_object_set_new(tl, "location", l);
			json_object_set_new(tl, "executionOrder",
					    json_integer((json_int_t)i + 1));
			json_array_append_new(tfl, tl);
		}
		json_t *tf = json_object();
		json_object_set_new(tf, "locations", tfl);
		json_t *tfs = json_array();
		json_array_append_new(tfs, tf);
		json_t *cf = json_object();
		json_object_set_new(cf, "threadFlows", tfs);
		json_t *cfs = json_array();
		json_array_append_new(cfs, cf);
		json_object_set_new(r, "codeFlows", cfs);
	}
	json_t *pf = json_object();
	json_object_set_new(pf, "faultline/v1", json_string(fd->fingerprint));
	json_object_set_new(r, "partialFingerprints", pf);
	json_t *props = json_object();
	json_object_set_new(props, "id", json_string(fd->id));
	json_object_set_new(props, "severity", json_string(severity_name(fd->severity)));
	json_object_set_new(props, "confidence",
			    json_string(confidence_name(fd->confidence)));
	json_object_set_new(props, "function", json_string(fd->func));
	json_object_set_new(props, "fixHint",
			    json_string(fd->fix_hint ? fd->fix_hint
						     : fd->check->fix_hint));
	json_object_set_new(r, "properties", props);
	return r;
}

int report_sarif(FILE *out, const struct fl_program *p)
{
	json_t *root = json_object();
	json_object_set_new(root, "$schema",
			    json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_t *run = json_object();
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("faultline"));
	json_object_set_new(driver, "version", json_string(FAULTLINE_VERSION));
	json_object_set_new(driver, "semanticVersion",
			    json_string(FAULTLINE_VERSION));
	/* Rules that are enabled, in table order; ruleIndex points here. */
	json_t *rules = json_array();
	size_t *index = xcalloc(fl_ncheck, sizeof(*index));
	size_t nr = 0;
	for (size_t i = 0; i < fl_ncheck; i++) {
		if (!p->opt->enabled[i])
			continue;
		index[i] = nr++;
		json_array_append_new(rules, rule_json(fl_checks[i]));
	}
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_t *inv = json_object();
	json_object_set_new(inv, "executionSuccessful", json_true());
	json_t *notes = json_array();
	for (size_t i = 0; i < p->notes.n; i++) {
		json_t *n = json_object();
		json_object_set_new(n, "level", json_string("note"));
		json_object_set_new(n, "message", text_obj(p->notes.v[i].message));
		json_t *locs = json_array();
		json_t *loc = json_object();
		json_t *pl = json_object();
		json_t *al = json_object();
		char *uri = uri_of(p->notes.v[i].path);
		json_object_set_new(al, "uri", json_string(uri));
		json_object_set_new(al, "uriBaseId", json_string("%SRCROOT%"));
		free(uri);
		json_object_set_new(pl, "artifactLocation", al);
		json_object_set_new(loc, "physicalLocation", pl);
		json_array_append_new(locs, loc);
		json_object_set_new(n, "locations", locs);
		json_array_append_new(notes, n);
	}
	json_object_set_new(inv, "toolExecutionNotifications", notes);
	json_t *invs = json_array();
	json_array_append_new(invs, inv);
	json_object_set_new(run, "invocations", invs);
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_t *results = json_array();
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct fl_finding *fd = &p->findings.v[i];
		json_array_append_new(results,
				      result_json(fd, index[check_index(fd->check)]));
	}
	json_object_set_new(run, "results", results);
	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	free(index);
	int rc = json_dumpf(root, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(root);
	return rc;
}
