/*
 * config.h - configuration files.
 *
 * faultline reads the first of faultline.toml, .faultline.toml or a
 * pyproject.toml with a [tool.faultline] table, searching from the current
 * directory upwards (or the file given with --config; --no-config reads
 * none).  Command-line options override it.  See docs/config.md.
 */
#ifndef FL_CONFIG_H
#define FL_CONFIG_H

#include "run.h"

struct fl_glob_ignore {
	char *glob;   /* relative to the configuration file's directory */
	char *codes;  /* space-separated selectors */
};

struct fl_config {
	char *file;               /* the file read, NULL when none */
	char *dir;                /* its directory (absolute) */
	bool has_select;
	struct strlist select, ignore, exclude;
	int confidence;           /* -1: not set */
	double max_file_size_mb;  /* 0: not set */
	double file_timeout;      /* 0: not set */
	VEC(struct fl_glob_ignore) per_file_ignores;
};

/*
 * Extra entries for the API tables, from the configuration's [api] table.
 * Filled once before any thread starts; read by the tables' lookups.
 */
struct fl_api_opener {
	char *qname, *what, *closers;
	bool external;
};

struct fl_api_ext {
	struct strlist lock_types;     /* Python: "mylib.RWLock" */
	struct strlist blocking;       /* Python: "mylib.fetch_sync" */
	struct strlist loggers;        /* Python receiver names: "audit" */
	struct strlist fallible;       /* C: "my_alloc" */
	struct strlist macros;         /* C pre-pass: "MY_EXPORT", "MY_DECL*" */
	VEC(struct fl_api_opener) openers;
};
extern struct fl_api_ext fl_api_ext;

/* Find and read the configuration.  explicit: --config FILE, or NULL to
 * search.  Returns 0 (c->file NULL when none was found) or -1 after
 * printing "error: FILE:LINE:COL: what was expected". */
int config_load(const char *explicit, struct fl_config *c);
void config_release(struct fl_config *c);

/* Does a per-file-ignores entry silence this finding? */
bool config_ignores(const struct fl_config *c, const struct fl_finding *fd);
/* Is this path (as discovered) excluded by the configuration? */
bool config_excludes(const struct fl_config *c, const char *path);

#endif
