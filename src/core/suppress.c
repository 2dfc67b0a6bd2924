#include "suppress.h"
#include "check.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *find_marker(const char *s, size_t len)
{
	static const char marker[] = "faultline:";
	size_t m = sizeof(marker) - 1;
	for (size_t i = 0; i + m <= len; i++)
		if (!memcmp(s + i, marker, m))
			return s + i + m;
	return NULL;
}

int suppress_parse(const char *text, size_t len, char **codes)
{
	*codes = NULL;
	const char *end = text + len;
	const char *p = find_marker(text, len);
	if (!p)
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	int kind;
	if (end - p >= 11 && !memcmp(p, "ignore-file", 11)) {
		kind = 2;
		p += 11;
	} else if (end - p >= 6 && !memcmp(p, "ignore", 6)) {
		kind = 1;
		p += 6;
	} else {
		return 0;
	}
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return 0;
		struct strbuf sb = STRBUF_INIT;
		for (const char *q = p + 1; q < close; q++) {
			char c = *q;
			if (c == ',' || isspace((unsigned char)c)) {
				if (sb.len && sb.buf[sb.len - 1] != ' ')
					strbuf_addch(&sb, ' ');
			} else {
				strbuf_addch(&sb, c);
			}
		}
		while (sb.len && sb.buf[sb.len - 1] == ' ')
			sb.buf[--sb.len] = '\0';
		if (!sb.len) {
			strbuf_release(&sb);
			return 0;
		}
		*codes = strbuf_detach(&sb);
	} else if (p < end && (isalnum((unsigned char)*p) || *p == '_' ||
			       *p == '-')) {
		/* "ignored", "ignore-this": not our syntax */
		return 0;
	}
	return kind;
}

void suppress_scan(struct fl_file *f, const struct fl_comment *c)
{
	char *codes;
	int kind = suppress_parse(f->src + c->start, c->end - c->start, &codes);
	if (!kind)
		return;
	struct fl_suppression *s = VEC_PUSH(&f->res->sups);
	s->line = c->line;
	s->standalone = c->standalone;
	s->file_level = kind == 2;
	s->codes = codes;
}

static bool covers(const struct fl_suppression *s, const struct fl_check *ck)
{
	if (!s->codes)
		return true;
	const char *p = s->codes;
	char sel[64];
	while (*p) {
		size_t n = strcspn(p, " ");
		if (n < sizeof(sel)) {
			memcpy(sel, p, n);
			sel[n] = '\0';
			if (check_matches(ck, sel))
				return true;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}

bool suppressed(const struct fl_result *r, const struct fl_finding *fd)
{
	for (size_t i = 0; i < r->sups.n; i++) {
		const struct fl_suppression *s = &r->sups.v[i];
		bool here = s->file_level || s->line == fd->loc.line ||
			    (s->standalone && s->line + 1 == fd->loc.line);
		if (here && covers(s, fd->check))
			return true;
	}
	return false;
}
