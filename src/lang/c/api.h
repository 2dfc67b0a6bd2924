/*
 * api.h - what faultline knows about C library APIs, as data.
 */
#ifndef FL_C_API_H
#define FL_C_API_H

#include "../../core/diag.h"

/* A function whose result says whether it worked. */
struct c_fallible {
	const char *name;
	const char *fails;       /* how failure shows: "returns NULL" */
	const char *consequence; /* what ignoring it does */
	enum fl_severity severity;
	const char *cwe;         /* extra CWE beyond CWE-252, or NULL */
};

/* The entry for a function name, or NULL. */
const struct c_fallible *c_fallible_lookup(const char *name);

#endif
