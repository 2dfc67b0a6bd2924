#include "check.h"

#include <string.h>
#include <strings.h>

const struct fl_check *const fl_checks[] = {
#define CHECK(name) &check_##name,
#include "../checks/checks.def"
#undef CHECK
};
const size_t fl_ncheck = ARRAY_SIZE(fl_checks);

/* Generated from docs/rules/ by the build (build/gen/docs.c). */
struct fl_doc {
	const char *code;
	const char *text;
};
extern const struct fl_doc fl_docs[];
extern const size_t fl_ndocs;

const struct fl_check *check_by_code(const char *code)
{
	for (size_t i = 0; i < fl_ncheck; i++)
		if (!strcasecmp(fl_checks[i]->code, code) ||
		    !strcmp(fl_checks[i]->name, code))
			return fl_checks[i];
	return NULL;
}

size_t check_index(const struct fl_check *ck)
{
	for (size_t i = 0; i < fl_ncheck; i++)
		if (fl_checks[i] == ck)
			return i;
	return 0;
}

const char *check_doc(const struct fl_check *ck)
{
	for (size_t i = 0; i < fl_ndocs; i++)
		if (!strcmp(fl_docs[i].code, ck->code))
			return fl_docs[i].text;
	return NULL;
}

bool check_matches(const struct fl_check *ck, const char *sel)
{
	size_t n = strlen(sel);
	if (!n)
		return false;
	/* "ALL" selects everything, as in ruff. */
	if (!strcasecmp(sel, "ALL"))
		return true;
	/* A code or a prefix of one: "ERR001", "ERR0", "ERR". */
	if (!strncasecmp(ck->code, sel, n))
		return true;
	if (!strcmp(ck->name, sel))
		return true;
	if (!strcasecmp(family_name(ck->family), sel))
		return true;
	return false;
}
