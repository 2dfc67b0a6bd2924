/*
 * prepass.h - the C macro pre-pass.
 *
 * tree-sitter parses C without a preprocessor, so some macros derail it:
 * attribute macros before a declaration (SQLITE_API, G_GNUC_CONST,
 * __THROW), top-level macro calls without a semicolon (G_DEFINE_TYPE(...),
 * libc_hidden_proto (x)), type macros (g_autoptr(T)), and `extern "C" {`
 * inside `#ifdef __cplusplus`.  The pre-pass overwrites them in place with
 * spaces (or an equivalent type of the same length) so every byte offset,
 * line and column stays where it was.  Newlines are never touched.
 *
 * The list is data (macros.c); users add names with --blank-macro.
 */
#ifndef FL_PREPASS_H
#define FL_PREPASS_H

#include <stddef.h>

/* Rewrite buf[0..len) in place.  extra: more names to blank (with their
 * argument list when followed by '(').  Returns the number of edits. */
size_t c_prepass(char *buf, size_t len, const char *const *extra,
		 size_t nextra);

#endif
