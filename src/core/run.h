/*
 * run.h - one faultline run: options, discovery, the per-file phase on
 * worker threads, the global phase, and the post-processing that every
 * reporter reads from.
 */
#ifndef FL_RUN_H
#define FL_RUN_H

#include "diag.h"
#include "file.h"

struct fl_config;

struct fl_options {
	bool *enabled;             /* per check index */
	const struct fl_config *config; /* excludes; NULL: none */
	enum fl_confidence min_confidence;
	int jobs;
	size_t max_file_size;      /* bytes; larger files are skipped */
	double file_timeout;       /* seconds per file (parse + analysis) */
	bool prepass;              /* C macro pre-pass on */
	const char **extra_macros; /* more names for the C pre-pass */
	size_t nextra_macros;
	bool progress;             /* draw progress on stderr */
	bool no_ignore;            /* do not honour .gitignore */
	/* Test hook: called for every comment of every analysed file. */
	void (*comment_hook)(void *ud, const char *path, uint32_t line,
			     const char *text, size_t len);
	void *hook_ud;
};

struct fl_path {
	char *path;        /* display path (as given / relative) */
	enum fl_lang lang;
	uint32_t rel;      /* offset of the part below the root the user
			    * named: test-file detection looks only there */
};

struct factset;

struct fl_program {
	const struct fl_options *opt;
	struct factset *factset;      /* during the global phase */
	VEC(struct fl_path) files;
	struct fl_result *results;    /* one per file, same order */
	struct fl_result global;      /* findings of the global phase */
	VEC(struct fl_finding) findings; /* final, sorted, filtered */
	VEC(struct fl_note) notes;       /* final, in file order */
	/* statistics */
	uint64_t bytes, lines, analyzed, skipped, suppressed;
	double seconds_discover, seconds_files, seconds_global, cpu_files;
};

/* Expand paths into the sorted file list (notes for what is skipped). */
int discover(struct fl_program *p, const char *const *paths, size_t npaths);

/* What one worker thread owns: parsers, scratch arena, hook tables. */
struct fl_worker {
	const struct fl_options *opt;
	const struct fl_hookset *hs;
	TSParser *parser[LANG__COUNT];
	struct arena arena;
};

void worker_init(struct fl_worker *w, const struct fl_options *opt,
		 const struct fl_hookset *hs);
void worker_release(struct fl_worker *w);

/* Analyse one file's bytes (the per-file phase): fills r.  buf must have
 * room for len + 1 bytes; it is modified (C pre-pass). */
void analyze_buffer(struct fl_worker *w, const struct fl_path *fp, char *buf,
		    size_t len, struct fl_result *r);
/* The per-file phase in two halves, for tools and tests: file_load
 * parses, walks and builds the model (false when there is nothing to
 * analyse); file_unload frees the tree, model and arena. */
bool file_load(struct fl_worker *w, struct fl_file *f, const struct fl_path *fp,
	       char *buf, size_t len, struct fl_result *r);
void file_unload(struct fl_worker *w, struct fl_file *f);

/* Re-read and re-parse one file in the global phase and run the revisit
 * hooks of the checks in `want`; findings are added to r. */
void revisit_one(struct fl_worker *w, const struct fl_program *p,
		 const struct fl_path *fp, struct fl_result *r, const bool *want);

/* Read and analyse one file. */
void analyze_path(struct fl_worker *w, const struct fl_path *fp,
		  struct fl_result *r);

/* Run everything after discovery: files, global phase, post. */
void program_run(struct fl_program *p);
void program_release(struct fl_program *p);

/* Facts of the whole program, for global hooks. */
bool program_has_fact(const struct fl_program *p, enum fl_fact_kind kind,
		      const char *key);
/* The sum over all files of counted fact (kind, key) (fl_count). */
uint32_t program_fact_count(const struct fl_program *p,
			    enum fl_fact_kind kind, const char *key);

/* Default options (every check enabled, medium confidence, all cores). */
void options_init(struct fl_options *o);
void options_release(struct fl_options *o);

#endif
