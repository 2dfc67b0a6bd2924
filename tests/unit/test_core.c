/*
 * Unit tests of core pieces (cmocka): arena, strbuf, UTF-8, suppression
 * syntax, rule selectors, language detection, the C pre-pass,
 * fingerprints and what Python names say (the growth rules' words).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/check.h"
#include "../../src/core/file.h"
#include "../../src/core/suppress.h"
#include "../../src/core/run.h"
#include "../../src/lang/c/api.h"
#include "../../src/lang/c/prepass.h"
#include "../../src/lang/python/api.h"

static void test_arena(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *s = arena_strdup(&a, "hello");
	assert_string_equal(s, "hello");
	/* a big request and many small ones survive together */
	char *big = arena_alloc(&a, 1 << 20);
	memset(big, 'x', 1 << 20);
	for (int i = 0; i < 10000; i++) {
		int *p = arena_alloc(&a, sizeof(int));
		assert_int_equal(*p, 0); /* zeroed */
		*p = i;
		assert_int_equal(((uintptr_t)p) % 16, 0);
	}
	assert_string_equal(s, "hello");
	assert_string_equal(arena_printf(&a, "%s-%d", "x", 42), "x-42");
	arena_clear(&a);
	assert_string_equal(arena_strdup(&a, "again"), "again");
	arena_release(&a);
}

static void test_strbuf(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(strbuf_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i % 10);
	assert_int_equal(sb.len, 2000);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "ab");
	strbuf_addch(&sb, 'c');
	char *d = strbuf_detach(&sb);
	assert_string_equal(d, "abc");
	assert_null(sb.buf);
	free(d);
}

static void test_utf8(void **state)
{
	(void)state;
	size_t bad = 99;
	assert_true(utf8_valid("plain", 5, &bad));
	assert_true(utf8_valid("h\xc3\xa9llo \xe2\x82\xac", 10, &bad));
	assert_false(utf8_valid("ab\xff" "cd", 5, &bad));
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("\xc3", 1, &bad)); /* truncated */
	assert_false(utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
	assert_false(utf8_valid("\xc0\x80", 2, &bad)); /* overlong */
	assert_int_equal(utf8_count("h\xc3\xa9llo", 6), 5);
}

static void test_suppress_parse(void **state)
{
	(void)state;
	char *codes;
	const char *t1 = "# faultline: ignore[ERR001, CON]";
	assert_int_equal(suppress_parse(t1, strlen(t1), &codes), 1);
	assert_string_equal(codes, "ERR001 CON");
	free(codes);
	const char *t2 = "// faultline: ignore";
	assert_int_equal(suppress_parse(t2, strlen(t2), &codes), 1);
	assert_null(codes);
	const char *t3 = "# faultline: ignore-file[unchecked-return]";
	assert_int_equal(suppress_parse(t3, strlen(t3), &codes), 2);
	assert_string_equal(codes, "unchecked-return");
	free(codes);
	const char *t4 = "# faultline: ignored for now";
	assert_int_equal(suppress_parse(t4, strlen(t4), &codes), 0);
	const char *t5 = "# an ordinary comment";
	assert_int_equal(suppress_parse(t5, strlen(t5), &codes), 0);
	const char *t6 = "# faultline: ignore[ERR001";
	assert_int_equal(suppress_parse(t6, strlen(t6), &codes), 0);
}

static void test_selectors(void **state)
{
	(void)state;
	const struct fl_check *ck = check_by_code("ERR001");
	assert_non_null(ck);
	assert_true(check_matches(ck, "ERR001"));
	assert_true(check_matches(ck, "ERR"));
	assert_true(check_matches(ck, "err0"));
	assert_true(check_matches(ck, "errors"));
	assert_true(check_matches(ck, "exception-swallowed"));
	assert_true(check_matches(ck, "ALL"));
	assert_false(check_matches(ck, "CON"));
	assert_false(check_matches(ck, "ERR002"));
	assert_false(check_matches(ck, ""));
	assert_ptr_equal(check_by_code("lock-created-per-call"),
			 check_by_code("CON001"));
	assert_null(check_by_code("XYZ999"));
}

static void test_lang_detect(void **state)
{
	(void)state;
	assert_int_equal(lang_from_path("a/b.py"), LANG_PYTHON);
	assert_int_equal(lang_from_path("x.h"), LANG_C);
	assert_int_equal(lang_from_path("dir.py/file"), LANG_NONE);
	assert_int_equal(lang_from_path("Makefile"), LANG_NONE);
	const char *s1 = "#!/usr/bin/env python3\nprint(1)\n";
	assert_int_equal(lang_from_shebang(s1, strlen(s1)), LANG_PYTHON);
	const char *s2 = "#!/usr/bin/python3.11 -u\n";
	assert_int_equal(lang_from_shebang(s2, strlen(s2)), LANG_PYTHON);
	const char *s3 = "#!/bin/sh\n";
	assert_int_equal(lang_from_shebang(s3, strlen(s3)), LANG_NONE);
	assert_int_equal(lang_from_shebang("#!", 2), LANG_NONE);
}

static void test_prepass_keeps_offsets(void **state)
{
	(void)state;
	const char *src =
		"#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
		"G_BEGIN_DECLS\n"
		"SQLITE_API int f(int x) G_GNUC_CONST;\n"
		"G_DEFINE_TYPE (Foo, foo, G_TYPE_OBJECT)\n"
		"void g(void) { g_autoptr(GError) err = NULL; s.G_GNUC_CONST = 1;"
		" char *q = \"G_BEGIN_DECLS\"; }\n"
		"#ifdef __cplusplus\n}\n#endif\n";
	size_t n = strlen(src);
	char *b = strdup(src);
	size_t edits = c_prepass(b, n, NULL, 0);
	assert_true(edits >= 5);
	assert_int_equal(strlen(b), n);
	for (size_t i = 0; i < n; i++)
		if (src[i] == '\n')
			assert_int_equal(b[i], '\n');
	assert_null(strstr(b, "extern"));
	assert_null(strstr(b, "SQLITE_API"));
	assert_null(strstr(b, "G_DEFINE_TYPE"));
	assert_non_null(strstr(b, "int f(int x)"));
	/* g_autoptr(GError) err -> GError* err, same offsets */
	const char *p = strstr(src, "g_autoptr");
	assert_non_null(p);
	size_t at = (size_t)(p - src);
	assert_memory_equal(b + at + 10, "GError*", 7);
	/* fields and strings are not macros */
	assert_non_null(strstr(b, "s.G_GNUC_CONST = 1"));
	assert_non_null(strstr(b, "\"G_BEGIN_DECLS\""));
	free(b);
}

static void test_prepass_extra_names(void **state)
{
	(void)state;
	char b[] = "MYLIB_EXPORT int api(void);\nMY_DECL(x) int y;\n";
	const char *extra[] = {"MYLIB_EXPORT", "MY_*"};
	c_prepass(b, strlen(b), extra, 2);
	assert_non_null(strstr(b, "             int api(void);"));
	assert_non_null(strstr(b, "          int y;"));
}

static void test_prepass_glib_arguments(void **state)
{
	(void)state;
	char b[] = "void t(void) {\n  g_assert_cmpint (j, ==, n);\n"
		   "  g_assert_cmpstr (a,\n    !=, \"x,y\");\n"
		   "  p = g_new0 (struct peer, 1);\n  q = g_slice_new (Chunk*);\n"
		   "  r = g_new (guint, n);\n  if G_UNLIKELY (x) y();\n}\n";
	size_t n = strlen(b);
	c_prepass(b, n, NULL, 0);
	assert_int_equal(strlen(b), n);
	/* an operator argument becomes a placeholder, the rest stays */
	assert_non_null(strstr(b, "g_assert_cmpint (j, 0 , n);"));
	assert_non_null(strstr(b, "    0 , \"x,y\");"));
	/* a type argument becomes one; a plain type name is kept */
	assert_non_null(strstr(b, "g_new0 (0          , 1);"));
	assert_non_null(strstr(b, "g_slice_new (0     );"));
	assert_non_null(strstr(b, "g_new (guint, n);"));
	assert_non_null(strstr(b, "if            (x) y();"));
}

static void test_prepass_statement_macros(void **state)
{
	(void)state;
	char b[] = "struct S {\n  SUBTREE_BITS\n  int x;\n};\n"
		   "void f(void) {\n  Py_BEGIN_ALLOW_THREADS\n  g();\n"
		   "  Py_END_ALLOW_THREADS\n  DEFINE_LOCK(a, b) // note\n"
		   "  x = FOO_BAR\n    + 1;\n  if (a)\n    DO_THING\n"
		   "  return;\n}\nDEF_FUNC(name)\n{\n}\n";
	size_t n = strlen(b);
	c_prepass(b, n, NULL, 0);
	assert_int_equal(strlen(b), n);
	assert_null(strstr(b, "SUBTREE_BITS"));
	assert_null(strstr(b, "Py_BEGIN_ALLOW_THREADS"));
	assert_null(strstr(b, "Py_END_ALLOW_THREADS"));
	assert_null(strstr(b, "DEFINE_LOCK"));
	/* continuing an expression, after if (...), or opening a body: kept */
	assert_non_null(strstr(b, "x = FOO_BAR"));
	assert_non_null(strstr(b, "DO_THING"));
	assert_non_null(strstr(b, "DEF_FUNC(name)"));
}

static void test_path_is_test(void **state)
{
	(void)state;
	assert_true(path_is_test("tests/unit/x.c"));
	assert_true(path_is_test("pkg/test/helpers.py"));
	assert_true(path_is_test("pkg/test_models.py"));
	assert_true(path_is_test("src/models_test.py"));
	assert_true(path_is_test("nptl/tst-cancel4.c"));
	assert_true(path_is_test("conftest.py"));
	assert_false(path_is_test("src/relay/server.py"));
	assert_false(path_is_test("src/contest.py"));
	assert_false(path_is_test("latest/x.py"));
	assert_false(path_is_test("src/testing_utils.py"));
}

static void test_fingerprint_stable(void **state)
{
	(void)state;
	struct fl_finding a = {0}, b = {0};
	a.check = b.check = check_by_code("ERR001");
	a.path = "svc/uplink.py";
	b.path = "svc/uplink.py";
	a.func = b.func = "Uplink.heartbeat";
	a.key = b.key = "except Exception:";
	a.loc.line = 10;
	b.loc.line = 250; /* moved: same fingerprint */
	finding_fingerprint(&a, 0);
	finding_fingerprint(&b, 0);
	assert_string_equal(a.fingerprint, b.fingerprint);
	assert_int_equal(strlen(a.fingerprint), 32);
	finding_fingerprint(&b, 1); /* a second identical one differs */
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	b.func = "Uplink.other";
	finding_fingerprint(&b, 0);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
}

static void test_python_names(void **state)
{
	(void)state;
	char w[8][24];
	assert_int_equal(py_name_words("_cleanupStaleWorkers", w, 8), 3);
	assert_string_equal(w[0], "cleanup");
	assert_string_equal(w[2], "workers");
	static const char *const stale[] = {"stale", "expired"};
	assert_true(py_name_has_word("remove_expired_jobs", stale, 2));
	assert_false(py_name_has_word("remove_job", stale, 2));
	static const char *const pre[] = {"prune", "evict"};
	assert_true(py_name_starts("__prune_idle", pre, 2));
	assert_false(py_name_starts("unpruned", pre, 2));
	assert_string_equal(py_limit_word("max_tracked_clients"), "max");
	assert_string_equal(py_limit_word("queueCapacity"), "capacity");
	assert_null(py_limit_word("maximize"));
	assert_true(py_long_lived_class("WorkerRegistry"));
	assert_true(py_long_lived_class("Outer.RateLimiter"));
	assert_false(py_long_lived_class("ConfigParser"));
}

/* The counters behind counted facts (fl_count, the global phase's sums). */
static void test_u64map(void **state)
{
	(void)state;
	struct u64map m = {0};
	assert_int_equal(u64map_get(&m, 42), 0);
	for (uint64_t k = 0; k < 5000; k++)
		*u64map_slot(&m, k * 0x9e3779b97f4a7c15ull) += (uint32_t)(k % 7);
	for (uint64_t k = 0; k < 5000; k++)
		assert_int_equal(u64map_get(&m, k * 0x9e3779b97f4a7c15ull),
				 k % 7);
	/* 0 is stored as 1, like u64set */
	assert_int_equal(m.n, 5000);
	(*u64map_slot(&m, 1))++;
	assert_int_equal(u64map_get(&m, 0), 1);
	u64map_release(&m);
	assert_int_equal(u64map_get(&m, 7), 0);
}

/* Results conventionally ignored, under their internal spellings too. */
static void test_c_result_ignorable(void **state)
{
	(void)state;
	assert_true(c_result_ignorable("printf"));
	assert_true(c_result_ignorable("__mempcpy"));
	assert_true(c_result_ignorable("fputs_unlocked"));
	assert_true(c_result_ignorable("__close_nocancel"));
	assert_true(c_result_ignorable("atomic_fetch_add_release"));
	assert_false(c_result_ignorable("getrlimit"));
	assert_false(c_result_ignorable("memcpy_s"));
	assert_false(c_result_ignorable("_"));
}

int main(void)
{
	lang_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_suppress_parse),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_lang_detect),
		cmocka_unit_test(test_prepass_keeps_offsets),
		cmocka_unit_test(test_prepass_extra_names),
		cmocka_unit_test(test_prepass_glib_arguments),
		cmocka_unit_test(test_prepass_statement_macros),
		cmocka_unit_test(test_path_is_test),
		cmocka_unit_test(test_fingerprint_stable),
		cmocka_unit_test(test_python_names),
		cmocka_unit_test(test_u64map),
		cmocka_unit_test(test_c_result_ignorable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
