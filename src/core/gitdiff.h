/*
 * gitdiff.h - the lines changed since a git revision (--diff REV), asked
 * of libgit2: the work tree (with the index) against REV's tree, untracked
 * files included.  Lines added or changed count; a pure deletion marks the
 * line after it, where the remaining code now runs together.
 */
#ifndef FL_GITDIFF_H
#define FL_GITDIFF_H

#include "diag.h"

struct changed_lines {
	struct u64set set;   /* hash of (absolute path, line) */
	size_t files, lines;
};

/* Fill c with the lines changed since rev in the repository holding the
 * current directory; -1 with an error printed when that fails. */
int changed_lines_since(const char *rev, struct changed_lines *c);
/* Does the finding, or any step of its trace, touch a changed line? */
bool changed_lines_touch(const struct changed_lines *c,
			 const struct fl_finding *fd);
void changed_lines_release(struct changed_lines *c);

#endif
