#include "diag.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"low", "medium", "high", "critical"};
static const char *const conf_names[] = {"low", "medium", "high"};
static const char *const fam_codes[] = {"CON", "RES", "ERR", "GRW", "SEC"};
static const char *const fam_names[] = {"concurrency", "resource", "errors",
					"growth", "secrets"};

const char *severity_name(enum fl_severity s)
{
	return s < SEV__COUNT ? sev_names[s] : "?";
}

const char *confidence_name(enum fl_confidence c)
{
	return c < CONF__COUNT ? conf_names[c] : "?";
}

const char *family_code(enum fl_family f)
{
	return f < FAM__COUNT ? fam_codes[f] : "?";
}

const char *family_name(enum fl_family f)
{
	return f < FAM__COUNT ? fam_names[f] : "?";
}

int severity_parse(const char *s)
{
	for (int i = 0; i < SEV__COUNT; i++)
		if (!strcmp(s, sev_names[i]))
			return i;
	return -1;
}

int confidence_parse(const char *s)
{
	for (int i = 0; i < CONF__COUNT; i++)
		if (!strcmp(s, conf_names[i]))
			return i;
	return -1;
}

void finding_release(struct fl_finding *fd)
{
	free(fd->path);
	free(fd->message);
	free(fd->fix_hint);
	free(fd->func);
	free(fd->key);
	free(fd->frame);
	for (int i = 0; i < fd->ncond; i++)
		free(fd->cond[i].key);
	free(fd->cond_step);
	for (size_t i = 0; i < fd->trace.n; i++) {
		free(fd->trace.v[i].path);
		free(fd->trace.v[i].message);
	}
	VEC_FREE(&fd->trace);
}

uint64_t fact_hash(unsigned kind, const char *key)
{
	uint64_t h = hash64(key, strlen(key));
	h ^= (uint64_t)kind * 0x9e3779b97f4a7c15ull;
	return h ? h : 1;
}

void note_release(struct fl_note *n)
{
	free(n->path);
	free(n->message);
}

void finding_fingerprint(struct fl_finding *fd, unsigned ordinal)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, fd->check->code);
	strbuf_addch(&sb, 0);
	strbuf_addstr(&sb, fd->path);
	strbuf_addch(&sb, 0);
	strbuf_addstr(&sb, fd->func ? fd->func : "");
	strbuf_addch(&sb, 0);
	strbuf_addstr(&sb, fd->key ? fd->key : "");
	strbuf_addf(&sb, "%c%u", 0, ordinal);
	hash128_hex(sb.buf, sb.len, fd->fingerprint);
	strbuf_release(&sb);
	snprintf(fd->id, sizeof(fd->id), "%s-%.6s",
		 family_code(fd->check->family), fd->fingerprint);
}

int finding_cmp(const void *a, const void *b)
{
	const struct fl_finding *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	c = strcmp(x->check->code, y->check->code);
	if (c)
		return c;
	return strcmp(x->message, y->message);
}
