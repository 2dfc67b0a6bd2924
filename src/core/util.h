/*
 * util.h - allocation wrappers, error helpers, growable buffers.
 *
 * Allocation never fails for the caller: x*alloc() print a message and exit
 * with status 2 when memory is exhausted (the only place outside main.c that
 * exits).  error() prints "error: ..." and returns -1 so library code can
 * write `return error("cannot open '%s'", path);`.
 */
#ifndef FL_UTIL_H
#define FL_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FL_UNUSED(x) ((void)(x))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "error: <msg>" on stderr; returns -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "warning: <msg>" on stderr. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "fatal: <msg>" and exit(2).  Only for states the program cannot
 * continue from (out of memory, broken invariants). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Growable array: struct { T *v; size_t n, cap; }.
 * VEC_PUSH(vec) returns a pointer to a new zeroed slot.
 */
#define VEC(T)                                                                 \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}
void *vec_grow_(void *v, size_t *cap, size_t want, size_t size);
#define VEC_GROW(vec, want)                                                    \
	((vec)->v = vec_grow_((vec)->v, &(vec)->cap, (want), sizeof(*(vec)->v)))
#define VEC_PUSH(vec)                                                          \
	(VEC_GROW((vec), (vec)->n + 1),                                        \
	 memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)), &(vec)->v[(vec)->n++])
#define VEC_FREE(vec)                                                          \
	do {                                                                   \
		free((vec)->v);                                                \
		(vec)->v = NULL;                                               \
		(vec)->n = (vec)->cap = 0;                                     \
	} while (0)

/* A growable list of strings (works with the VEC_* macros). */
struct strlist {
	char **v;
	size_t n, cap;
};

/* A growable NUL-terminated byte string. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT {NULL, 0, 0}
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Give the buffer to the caller (never NULL); the strbuf is reset. */
char *strbuf_detach(struct strbuf *sb);
/* The current string, "" when nothing was added. */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/*
 * Write a file atomically: `write` fills a temporary file created next to
 * `path`, which is then flushed, synced and renamed over `path`.  On any
 * failure the temporary file is removed, `path` is left as it was, an
 * error naming `what` and `path` is printed, and -1 is returned.
 */
int write_atomic(const char *path, const char *what,
		 int (*write)(FILE *out, void *ud), void *ud);

/* Monotonic clock in seconds. */
double now_seconds(void);

/* Is [s, s+n) valid UTF-8?  On failure *bad gets the first bad offset. */
bool utf8_valid(const char *s, size_t n, size_t *bad);
/* Number of code points in [s, s+n) (invalid bytes count as one each). */
size_t utf8_count(const char *s, size_t n);

/* A set of non-zero 64-bit hashes (open addressing). */
struct u64set {
	uint64_t *h;
	size_t cap, n;
};
/* Add h (0 is stored as 1); returns true if it was new. */
bool u64set_add(struct u64set *s, uint64_t h);
bool u64set_has(const struct u64set *s, uint64_t h);
void u64set_release(struct u64set *s);

/* A map from non-zero 64-bit hashes to counters (open addressing). */
struct u64map {
	uint64_t *k;
	uint32_t *v;
	size_t cap, n;
};
/* The counter of key h, created as 0 when new (0 is stored as 1). */
uint32_t *u64map_slot(struct u64map *m, uint64_t h);
/* The counter of key h, 0 when absent. */
uint32_t u64map_get(const struct u64map *m, uint64_t h);
void u64map_release(struct u64map *m);

/* 64-bit and 128-bit content hashes (xxHash XXH3). */
uint64_t hash64(const void *data, size_t n);
/* Writes 32 lowercase hex digits and a NUL into out[33]. */
void hash128_hex(const void *data, size_t n, char out[33]);

#endif
