#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory (allocating %zu bytes)\n", n);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		oom(count * n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void *vec_grow_(void *v, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return v;
	size_t c = *cap ? *cap * 2 : 16;
	while (c < want)
		c *= 2;
	*cap = c;
	return xrealloc(v, c * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb);
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, prefix);
	strbuf_vaddf(&sb, fmt, ap);
	strbuf_addch(&sb, '\n');
	/* One write so lines from worker threads never interleave. */
	fwrite(sb.buf, 1, sb.len, stderr);
	strbuf_release(&sb);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("fatal: ", fmt, ap);
	va_end(ap);
	exit(2);
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;
	if (want <= sb->cap)
		return;
	size_t c = sb->cap ? sb->cap : 64;
	while (c < want)
		c *= 2;
	sb->buf = xrealloc(sb->buf, c);
	sb->cap = c;
	if (sb->len == 0)
		sb->buf[0] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	strbuf_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;
	strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

int write_atomic(const char *path, const char *what,
		 int (*write)(FILE *out, void *ud), void *ud)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return error("cannot write %s '%s': %s", what, path,
			     strerror(e));
	}
	FILE *out = fdopen(fd, "w");
	if (!out) {
		int e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return error("cannot write %s '%s': %s", what, path,
			     strerror(e));
	}
	errno = 0;
	bool bad = write(out, ud) != 0 || fflush(out) != 0 || ferror(out) ||
		   fsync(fileno(out)) != 0;
	int e = errno ? errno : EIO;
	if (fclose(out) != 0)
		bad = true;
	/* mkstemp makes 0600; an output file is an ordinary file */
	mode_t um = umask(0);
	umask(um);
	chmod(tmp, 0666 & ~um);
	if (bad || rename(tmp, path) != 0) {
		if (!bad)
			e = errno;
		unlink(tmp);
		free(tmp);
		return error("cannot write %s '%s': %s", what, path,
			     strerror(e));
	}
	free(tmp);
	return 0;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t len;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, min = 0x10000;
		} else {
			goto fail;
		}
		if (i + len > n)
			goto fail;
		unsigned cp = c & (0xff >> (len + 1));
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += len;
	}
	return true;
fail:
	if (bad)
		*bad = i;
	return false;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

bool u64set_add(struct u64set *s, uint64_t h)
{
	h = h ? h : 1;
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		uint64_t *nh = xcalloc(nc, sizeof(*nh));
		for (size_t i = 0; i < s->cap; i++)
			if (s->h[i]) {
				size_t j = s->h[i] & (nc - 1);
				while (nh[j])
					j = (j + 1) & (nc - 1);
				nh[j] = s->h[i];
			}
		free(s->h);
		s->h = nh;
		s->cap = nc;
	}
	size_t j = h & (s->cap - 1);
	while (s->h[j]) {
		if (s->h[j] == h)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->h[j] = h;
	s->n++;
	return true;
}

bool u64set_has(const struct u64set *s, uint64_t h)
{
	h = h ? h : 1;
	if (!s->cap)
		return false;
	size_t j = h & (s->cap - 1);
	while (s->h[j]) {
		if (s->h[j] == h)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

void u64set_release(struct u64set *s)
{
	free(s->h);
	s->h = NULL;
	s->cap = s->n = 0;
}

uint32_t *u64map_slot(struct u64map *m, uint64_t h)
{
	h = h ? h : 1;
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		uint64_t *nk = xcalloc(nc, sizeof(*nk));
		uint32_t *nv = xcalloc(nc, sizeof(*nv));
		for (size_t i = 0; i < m->cap; i++)
			if (m->k[i]) {
				size_t j = m->k[i] & (nc - 1);
				while (nk[j])
					j = (j + 1) & (nc - 1);
				nk[j] = m->k[i];
				nv[j] = m->v[i];
			}
		free(m->k);
		free(m->v);
		m->k = nk;
		m->v = nv;
		m->cap = nc;
	}
	size_t j = h & (m->cap - 1);
	while (m->k[j]) {
		if (m->k[j] == h)
			return &m->v[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->k[j] = h;
	m->n++;
	return &m->v[j];
}

uint32_t u64map_get(const struct u64map *m, uint64_t h)
{
	h = h ? h : 1;
	if (!m->cap)
		return 0;
	size_t j = h & (m->cap - 1);
	while (m->k[j]) {
		if (m->k[j] == h)
			return m->v[j];
		j = (j + 1) & (m->cap - 1);
	}
	return 0;
}

void u64map_release(struct u64map *m)
{
	free(m->k);
	free(m->v);
	m->k = NULL;
	m->v = NULL;
	m->cap = m->n = 0;
}

uint64_t hash64(const void *data, size_t n)
{
	return XXH3_64bits(data, n);
}

void hash128_hex(const void *data, size_t n, char out[33])
{
	XXH128_hash_t h = XXH3_128bits(data, n);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}
