/*
 * arena.h - bump allocator for per-file and per-run data.
 *
 * Everything a file's analysis allocates lives in one arena freed in one
 * step when the file is done (arena_clear keeps the first block for reuse).
 * Allocation never fails for the caller (see xmalloc).
 */
#ifndef FL_ARENA_H
#define FL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used; /* bytes handed out, for statistics */
};
#define ARENA_INIT {NULL, 0}

void *arena_alloc(struct arena *a, size_t n);   /* zeroed, 16-aligned */
/* Grow an array of n elements of `size` bytes with capacity *cap to hold
 * one more (the old block stays in the arena). */
void *arena_grow(struct arena *a, void *v, size_t *cap, size_t n,
		 size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Free all but the newest block and reset it (cheap reuse between files). */
void arena_clear(struct arena *a);
/* Free everything. */
void arena_release(struct arena *a);

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_NEWN(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (n)))

#endif
