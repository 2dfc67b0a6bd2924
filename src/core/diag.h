/*
 * diag.h - findings, their traces, notes and facts.
 *
 * A finding is made by a check through fl_report() (in file.h) while a file
 * is analysed, or in the global phase.  Its strings are heap copies owned by
 * the finding, so findings outlive the file they came from.  Reporters read
 * findings and never recompute anything.
 */
#ifndef FL_DIAG_H
#define FL_DIAG_H

#include "util.h"

enum fl_severity { SEV_LOW = 0, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV__COUNT };
enum fl_confidence { CONF_LOW = 0, CONF_MEDIUM, CONF_HIGH, CONF__COUNT };
enum fl_family { FAM_CON = 0, FAM_RES, FAM_ERR, FAM_GRW, FAM_SEC, FAM__COUNT };

const char *severity_name(enum fl_severity s);
const char *confidence_name(enum fl_confidence c);
const char *family_code(enum fl_family f);    /* "CON" */
const char *family_name(enum fl_family f);    /* "concurrency" */
int severity_parse(const char *s);            /* -1 when unknown */
int confidence_parse(const char *s);

/* 1-based lines; columns are 1-based and count code points. */
struct fl_loc {
	uint32_t line, col, end_line, end_col;
};

struct fl_step {
	char *path;
	struct fl_loc loc;
	char *message;
};

struct fl_check;

struct fl_finding {
	const struct fl_check *check;
	enum fl_severity severity;
	enum fl_confidence confidence;
	char *path;
	struct fl_loc loc;
	char *message;
	char *fix_hint;       /* NULL: the check's default hint */
	char *func;           /* enclosing function's qualified name, "" */
	char *key;            /* normalised text of the key line(s) */
	char *frame;          /* source lines frame_line.. for code frames */
	uint32_t frame_line;
	VEC(struct fl_step) trace;
	char fingerprint[33];
	char id[16];          /* short ID: family code + 6 hex ("CON-3f2a9c") */
	/* Conditional finding, settled in the global phase: kept only if
	 * every condition holds -- a fact (kind, key) exists somewhere in the
	 * program (unless false) or nowhere (unless true). */
	struct fl_cond {
		uint16_t kind;
		bool unless;
		char *key;
	} cond[2];
	uint8_t ncond;
	char *cond_step;      /* trace step added when the conditions hold */
};

/* Facts: small per-file observations merged in the global phase. */
enum fl_fact_kind {
	FACT_NONE = 0,
	FACT_KEY_STORED,      /* a string key stored into some mapping */
	FACT_ATTR_STORED,     /* an attribute name assigned somewhere */
	FACT_ASYNC_DEF,       /* "module.Class.func" is an async def */
	FACT_ASYNC_METHOD,    /* some class has an async def of this name */
	FACT_SYNC_DEF,        /* some function or method of this name is
			       * not async */
	FACT_SHRINK,          /* a container attribute of this name loses
			       * entries somewhere (pop, del, clear, ...) */
	FACT_NAME_USED,       /* a cleanup-like name is referenced */
	FACT_DEFINES,         /* a cleanup-like function is defined */
	FACT_LIMIT_READ,      /* a limit-like attribute is read */
	FACT_LIMIT_SET,       /* a limit-like attribute is set */
	FACT_THREAD_TARGET,   /* "module.function" is started on a thread
			       * by another module */
	FACT_SECRET_ATTR,     /* a property or self attribute of this name
			       * holds a value built from a credential */
	FACT_RESULT_USED,     /* counted: a call of this C function whose
			       * result is tested, stored and read, ... */
	FACT_RESULT_DROPPED,  /* counted: a call of it whose result is not */
	FACT_RESULT_TESTED,   /* counted: a call whose result is tested
			       * (in a condition, or stored and tested by
			       * the next statement) */
	FACT_NO_RESULT_BELIEF, /* a C function of this name returns void, or
				* a function-like macro has it: its result
				* is not believed to need checking */
	FACT_FIELD_WRITE_LOCKED, /* counted: a C struct field of this name
				  * changed with a mutex held */
	FACT_FIELD_WRITE_BARE,   /* counted: ... changed with none */
};

/* Facts travel as hashes of (kind, key): the global phase only asks
 * whether a fact exists, and 8 bytes a fact keep the whole program's
 * facts small (fact_hash in diag.c). */
uint64_t fact_hash(unsigned kind, const char *key);

/* A counted fact: how many times a file observed (kind, key), for beliefs
 * ("checked at 14 of 15 call sites"); the global phase sums them. */
struct fl_tally {
	uint64_t h;           /* fact_hash(kind, key) */
	uint32_t n;
};

struct fl_note {
	char *path;
	char *message;
};

void finding_release(struct fl_finding *fd);
void note_release(struct fl_note *n);

/* Compute fd->fingerprint from check code, path, function, key text and a
 * per-duplicate ordinal, and the short ID derived from it. */
void finding_fingerprint(struct fl_finding *fd, unsigned ordinal);

/* Total order used for output: path, line, column, code, message. */
int finding_cmp(const void *a, const void *b);

#endif
