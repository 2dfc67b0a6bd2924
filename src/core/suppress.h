/*
 * suppress.h - inline suppressions.
 *
 *   x = risky()  # faultline: ignore[ERR001]       this line
 *   # faultline: ignore[ERR001, CON]               the next line
 *   # faultline: ignore-file[unchecked-return]     the whole file
 *   // faultline: ignore                           every rule, next line
 *
 * Selectors are codes, code prefixes, family names or rule names, as for
 * --select.  Read from comment nodes only, never from strings.
 */
#ifndef FL_SUPPRESS_H
#define FL_SUPPRESS_H

#include "file.h"

/* Parse one comment; records a suppression in f->res when it is one. */
void suppress_scan(struct fl_file *f, const struct fl_comment *c);
/* Is the finding covered by a suppression of its file's result r? */
bool suppressed(const struct fl_result *r, const struct fl_finding *fd);

/* Parse "faultline: ignore[...]" in text; exposed for unit tests.
 * Returns 0 if not a suppression, 1 line-level, 2 file-level; *codes is a
 * malloc'd space-separated list or NULL for every rule. */
int suppress_parse(const char *text, size_t len, char **codes);

#endif
