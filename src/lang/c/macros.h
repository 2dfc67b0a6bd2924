#ifndef FL_C_MACROS_H
#define FL_C_MACROS_H

#include <stddef.h>

enum c_macro_kind { M_WORD = 1, M_CALL, M_NAME, M_TYPE, M_PTR, M_CMP,
		     M_TYPEARG };

struct c_macro {
	const char *name; /* trailing '*' = prefix */
	enum c_macro_kind kind;
};

extern const struct c_macro c_macros[];
extern const size_t c_nmacros;

#endif
