/*
 * toml.h - TOML documents, parsed with the tree-sitter TOML grammar into a
 * small tree of values that remember where they were written (for error
 * messages that name file, line and column).
 */
#ifndef FL_TOML_H
#define FL_TOML_H

#include "util.h"

enum toml_kind { TV_STRING = 1, TV_INT, TV_FLOAT, TV_BOOL, TV_ARRAY, TV_TABLE, TV_OTHER };

struct toml_value {
	enum toml_kind kind;
	uint32_t line, col;        /* 1-based */
	char *s;                   /* TV_STRING (unescaped) */
	long long i;               /* TV_INT, TV_BOOL */
	double d;                  /* TV_FLOAT */
	VEC(struct toml_value *) items;   /* TV_ARRAY; TV_TABLE values */
	VEC(char *) keys;                 /* TV_TABLE keys, same order */
};

/* Parse text; on a syntax error fills *line and *col and returns NULL. */
struct toml_value *toml_parse(const char *text, size_t len, uint32_t *line,
			      uint32_t *col);
void toml_free(struct toml_value *v);
/* A table's value for key, or NULL. */
struct toml_value *toml_get(const struct toml_value *table, const char *key);
const char *toml_kind_name(enum toml_kind k);

#endif
