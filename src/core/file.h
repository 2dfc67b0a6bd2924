/*
 * file.h - one file under analysis, and the helpers checks use on it.
 */
#ifndef FL_FILE_H
#define FL_FILE_H

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "lang.h"
#include "model.h"

/* An inline suppression comment (see suppress.h). */
struct fl_suppression {
	uint32_t line;
	bool standalone;  /* alone on its line: also covers the next line */
	bool file_level;
	char *codes;      /* space-separated selectors, NULL = every rule */
};

struct fl_options;

/* What the per-file phase hands to the global phase for one file. */
/* A question a check leaves for the global phase: "revisit this file for
 * me if fact `need` (0: no such test) exists, fact `forbid` (0: none) does
 * not, and (when yes is not 0) the program believes `yes`: it was counted
 * at least min_yes times and in at least pct% of the yes + no counts". */
struct fl_mention {
	uint64_t need, forbid;
	uint64_t yes, no;         /* tallies of a belief, 0: none */
	uint32_t min_yes;
	uint8_t pct;
	uint16_t check;           /* index in fl_checks */
};

struct fl_result {
	VEC(struct fl_finding) findings;
	VEC(uint64_t) facts;      /* fact_hash(kind, key), once each */
	VEC(struct fl_tally) tallies; /* counted facts, once each */
	VEC(struct fl_mention) mentions;
	VEC(struct fl_note) notes;
	uint64_t bytes, lines, nodes, error_nodes, error_bytes;
	double parse_seconds, analyze_seconds;
	bool analyzed;    /* parsed and walked (not skipped) */
	VEC(struct fl_suppression) sups;
};

void result_release(struct fl_result *r);

struct fl_file {
	const struct fl_options *opt;
	const char *path;          /* as shown in output */
	enum fl_lang lang;
	const struct fl_langinfo *li;
	const char *src;
	uint32_t len;
	TSTree *tree;
	TSNode root;
	struct arena *a;           /* dies with the file */
	struct fl_result *res;
	uint32_t *line_start;      /* byte offset of each line (0-based) */
	uint32_t nlines;
	uint32_t longest_line;     /* bytes */
	struct fl_model m;
	struct u64set fact_seen;   /* facts and mentions already recorded */
	struct u64map tally_at;    /* counted fact -> 1 + index in tallies */
	double deadline;           /* analysis time limit (now_seconds) */
	bool timed_out;
	const struct fl_program *prog; /* set when revisited in the global
					* phase: facts can be asked */
	bool is_test;              /* test code: by its path (path_is_test), a
				    * C test-framework #include, or Python
				    * `import unittest` / `import pytest` */
};

/* The text of a node, as an arena string. */
const char *fl_text(struct fl_file *f, TSNode n);
/* Does the node's text equal s exactly? (no allocation) */
bool fl_text_eq(const struct fl_file *f, TSNode n, const char *s);
/* The node's kind (PK_* / CK_*). */
static inline unsigned fl_kind(const struct fl_file *f, TSNode n)
{
	return lang_kind(f->li, n);
}
static inline TSNode fl_child(const struct fl_file *f, TSNode n,
			      enum fl_field fld)
{
	return lang_child(f->li, n, fld);
}
/* First named child of a kind, or a null node. */
TSNode fl_child_of_kind(const struct fl_file *f, TSNode n, unsigned kind);
/* Strip parentheses around an expression. */
TSNode fl_unparen(const struct fl_file *f, TSNode n);

/*
 * Visit every identifier spelled `name` in the subtree of `root`, in source
 * order.  A dotted or subscripted name ("self._lock", "stats['open']",
 * "ctx->count") matches the attribute, subscript or field expression with
 * exactly that text.  cb receives the path from root to the identifier (path[0] is
 * root, path[n-1] the identifier), so it can look at parents without
 * ts_node_parent.  Return false from cb to stop.  Iterative: any depth.
 */
void fl_find_names(struct fl_file *f, TSNode root, const char *name,
		   bool (*cb)(void *ud, const TSNode *path, size_t n),
		   void *ud);

/* Visit root and its descendants in document order, iteratively (any
 * depth).  visit returns FL_DESCEND to go into the node's children,
 * FL_SKIP to pass over them, FL_STOP to end the walk. */
enum fl_visit { FL_DESCEND, FL_SKIP, FL_STOP };
void fl_preorder(TSNode root, enum fl_visit (*visit)(void *ud, TSNode n),
		 void *ud);

/* 1-based line of a byte offset. */
uint32_t fl_line_of(const struct fl_file *f, uint32_t byte);
struct fl_loc fl_loc_of(const struct fl_file *f, TSNode n);

/*
 * Report a finding of check `ck` at node `at` with the check's default
 * severity.  The message is printf-style; quote code names with '...'.
 * Returns the finding so the caller can add trace steps, change severity
 * or set a fix hint.  Findings for disabled checks are still built (cheap)
 * and dropped later by the filters.
 */
struct fl_finding *fl_report(struct fl_file *f, const struct fl_check *ck,
			     TSNode at, enum fl_confidence conf,
			     const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Add a trace step at node `at`. */
void fl_trace(struct fl_file *f, struct fl_finding *fd, TSNode at,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void fl_set_hint(struct fl_finding *fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Keep the finding only if fact (kind, key) exists nowhere in the program;
 * `step` is the trace step added when it is kept. */
void fl_require_no_fact(struct fl_finding *fd, enum fl_fact_kind kind,
			const char *key, const char *step);

/* Keep the finding only if fact (kind, key) exists somewhere in the
 * program.  At most two conditions per finding, all must hold. */
void fl_require_fact(struct fl_finding *fd, enum fl_fact_kind kind,
		     const char *key, const char *step);

/*
 * Ask to revisit this file in the global phase, running ck->revisit on it,
 * if fact (need, need_key) exists in the program and fact (forbid,
 * forbid_key) does not (forbid FACT_NONE: no such test).  Cheap: two
 * hashes; the findings themselves are built on the revisit, for the few
 * files that need them.
 */
void fl_mention(struct fl_file *f, const struct fl_check *ck,
		enum fl_fact_kind need, const char *need_key,
		enum fl_fact_kind forbid, const char *forbid_key);
/* During a revisit: does fact (kind, key) exist in the program? */
bool fl_has_fact(const struct fl_file *f, enum fl_fact_kind kind,
		 const char *key);

/*
 * Count one observation of (kind, key) for the global phase, which sums
 * the counts of every file.  A belief is two counted facts over one key:
 * "checked" and "not checked" call sites of a function, accesses "under
 * lock M" and "not under M" of a field.
 */
void fl_count(struct fl_file *f, enum fl_fact_kind kind, const char *key);
/* During a revisit: the program's count of (kind, key). */
uint32_t fl_fact_count(const struct fl_file *f, enum fl_fact_kind kind,
		       const char *key);

/*
 * Ask to revisit this file in the global phase, running ck->revisit on it,
 * if the program believes (yes, key) against (no, key): yes was counted at
 * least min_yes times and makes at least pct percent of yes + no; and fact
 * (forbid, key) exists nowhere (forbid FACT_NONE: no such test).  The
 * revisit reads the counts with fl_fact_count and reports with them.
 */
void fl_mention_belief(struct fl_file *f, const struct fl_check *ck,
		       enum fl_fact_kind yes, enum fl_fact_kind no,
		       const char *key, enum fl_fact_kind forbid,
		       uint32_t min_yes, unsigned pct);

/* Record a fact for the global phase (once per file and key). */
void fl_fact(struct fl_file *f, enum fl_fact_kind kind, const char *key,
	     TSNode at);
/* Record a note (skipped file, syntax errors, limits hit). */
void fl_note(struct fl_result *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Is the path a test file?  A directory named test, tests, testing,
 * testsuite, unittest(s), bench, benchtests or benchmarks, or a file named
 * test_*, test-*, tst*, *_test.*, *-test.*, *_tests.* or conftest.py.
 * Callers pass the part of the path below the root the user named, so
 * `faultline check tests/fixtures` does not treat everything as tests.  Test code drops failures on purpose
 * (it provokes them), so some rules lower their confidence there.
 */
bool path_is_test(const char *path);

/* Is check `ck` enabled in this run? */
bool fl_enabled(const struct fl_file *f, const struct fl_check *ck);

#endif
