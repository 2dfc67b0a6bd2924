/*
 * baseline.h - the findings of an earlier run, and how today's findings
 * match them.
 *
 * A baseline is a JSON file (docs/baseline.md) holding, per finding, its
 * fingerprint and ID, rule, place, enclosing function, key line and code
 * frame.  Matching a new run against it, finding by finding, one to one:
 *
 *   1. same fingerprint (rule, file, function, key line): STILL PRESENT,
 *      wherever the line moved to -- unrelated edits shift lines;
 *   2. same rule, file and function, key line edited: STILL PRESENT (a
 *      "fix" that rewrote the line but kept the bug);
 *   3. same rule and key line in another function or file: MOVED (the
 *      code was moved or renamed, the bug came along);
 *   4. a baseline finding left unmatched: FIXED;
 *   5. a new finding left unmatched: NEW.
 */
#ifndef FL_BASELINE_H
#define FL_BASELINE_H

#include "run.h"

struct fl_base_entry {
	char *id, *fingerprint, *code, *name, *family, *severity;
	char *path, *func, *key, *message, *frame;
	uint32_t line, col, frame_line;
};

struct fl_baseline {
	VEC(struct fl_base_entry) v;
};

enum fl_status { ST_NEW = 0, ST_FIXED, ST_STILL, ST_MOVED };

const char *status_name(enum fl_status s); /* "FIXED", "STILL PRESENT"... */

/* Read FILE; on any problem prints an error naming the file and what was
 * expected, and returns -1 (the baseline is left empty). */
int baseline_read(const char *file, struct fl_baseline *b);
/* Write the program's findings as a baseline, atomically (temporary file
 * and rename); returns -1 with an error printed on failure. */
int baseline_write(const char *file, const struct fl_program *p);
void baseline_release(struct fl_baseline *b);

/*
 * Match findings against a baseline.  base_match[i] is the index of the
 * finding matching baseline entry i, or -1 (FIXED); base_status[i] its
 * status.  new_match[j] is the baseline entry finding j matches, or -1
 * (NEW).  Arrays are allocated by the caller: b->v.n and p->findings.n
 * entries.
 */
void baseline_match(const struct fl_baseline *b, const struct fl_program *p,
		    int *base_match, enum fl_status *base_status,
		    int *new_match);

#endif
