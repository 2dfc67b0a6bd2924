/*
 * check.h - the rule table.
 *
 * Each check is one file under src/checks/<family>/ exporting one
 * `const struct fl_check check_<name>`.  The list lives in
 * src/checks/checks.def (an X-macro), so adding a rule is: write the file,
 * add one line there, write docs/rules/<CODE>-<name>.md and fixtures.
 *
 * A check sees a file through hooks called by the one walk (by node kind),
 * and through file_end, called with the complete model.  A check never
 * fails: it reports or returns.  global runs once after all files, with
 * every file's facts.
 */
#ifndef FL_CHECK_H
#define FL_CHECK_H

#include "diag.h"
#include "lang.h"

struct fl_file;
struct fl_program;

struct fl_hook {
	enum fl_lang lang;
	unsigned kind;  /* PK_* or CK_* */
	void (*enter)(struct fl_file *f, TSNode node);
};

struct fl_check {
	const char *code;      /* "ERR001" */
	const char *name;      /* "exception-swallowed" */
	enum fl_family family;
	unsigned langs;        /* LANG_BIT(...) */
	enum fl_severity severity;
	const char *cwe;       /* "CWE-390,CWE-703" */
	const char *summary;   /* one sentence; opens the doc page */
	const char *fix_hint;  /* default help line */
	const struct fl_hook *hooks; /* ends with {0}; may be NULL */
	void (*file_end)(struct fl_file *f);
	void (*global)(struct fl_program *p);
	/* Run in the global phase on files whose fl_mention() questions the
	 * program's facts answered yes; f->prog is set (fl_has_fact). */
	void (*revisit)(struct fl_file *f);
};

#define CHECK(name) extern const struct fl_check check_##name;
#include "../checks/checks.def"
#undef CHECK

extern const struct fl_check *const fl_checks[];
extern const size_t fl_ncheck;

const struct fl_check *check_by_code(const char *code);
/* Index of a check in fl_checks. */
size_t check_index(const struct fl_check *ck);
/* The rule's documentation page (embedded at build time), or NULL. */
const char *check_doc(const struct fl_check *ck);

/* Does `sel` (a code, code prefix, family code or name, or rule name)
 * select this check? */
bool check_matches(const struct fl_check *ck, const char *sel);

#endif
