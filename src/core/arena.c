#include "arena.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_SIZE (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size, pos;
	_Alignas(16) unsigned char data[];
};

static struct arena_block *block_new(size_t min, struct arena_block *next)
{
	size_t size = min > BLOCK_SIZE ? min : BLOCK_SIZE;
	struct arena_block *b = xmalloc(sizeof(*b) + size);
	b->next = next;
	b->size = size;
	b->pos = 0;
	return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_block *b = a->head;
	if (!b || b->size - b->pos < n) {
		if (n > BLOCK_SIZE / 4 && b) {
			/* Big request: its own block, behind the current one
			 * so the current block keeps serving small ones. */
			struct arena_block *big = block_new(n, b->next);
			b->next = big;
			big->pos = n;
			a->used += n;
			memset(big->data, 0, n);
			return big->data;
		}
		b = a->head = block_new(n, b);
	}
	void *p = b->data + b->pos;
	b->pos += n;
	a->used += n;
	memset(p, 0, n);
	return p;
}

void *arena_grow(struct arena *a, void *v, size_t *cap, size_t n,
		 size_t size)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 8;
	void *nv = arena_alloc(a, nc * size);
	if (v)
		memcpy(nv, v, *cap * size);
	*cap = nc;
	return nv;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_clear(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	struct arena_block *rest = b->next;
	while (rest) {
		struct arena_block *n = rest->next;
		free(rest);
		rest = n;
	}
	if (b->size > BLOCK_SIZE) {
		free(b);
		a->head = NULL;
	} else {
		b->next = NULL;
		b->pos = 0;
	}
	a->used = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = 0;
}
