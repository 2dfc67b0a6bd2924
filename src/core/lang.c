#include "lang.h"
#include "util.h"

#include <string.h>

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_c(void);

static const char *const py_kind_names[] = {
	"",
#define X(n) #n,
	PY_KINDS(X)
#undef X
};

static const char *const c_kind_names[] = {
	"",
#define X(n) #n,
	C_KINDS(X)
#undef X
};

static const char *const field_names[] = {
	"",
#define X(n) #n,
	FL_FIELDS(X)
#undef X
};

static struct fl_langinfo langs[LANG__COUNT];

static void init_one(struct fl_langinfo *li, enum fl_lang id, const char *name,
		     const TSLanguage *ts, const char *const *kinds,
		     size_t nkinds)
{
	li->id = id;
	li->name = name;
	li->ts = ts;
	li->nsym = ts_language_symbol_count(ts);
	li->kind = xcalloc(li->nsym, sizeof(*li->kind));
	for (uint32_t s = 0; s < li->nsym; s++) {
		TSSymbolType t = ts_language_symbol_type(ts, (TSSymbol)s);
		if (t != TSSymbolTypeRegular)
			continue;
		const char *sn = ts_language_symbol_name(ts, (TSSymbol)s);
		for (size_t k = 1; k < nkinds; k++) {
			if (!strcmp(sn, kinds[k])) {
				li->kind[s] = (uint16_t)k;
				break;
			}
		}
	}
	/* ERROR nodes carry the reserved id ts_builtin_sym_error. */
	for (size_t k = 1; k < nkinds; k++)
		if (!strcmp(kinds[k], "ERROR"))
			li->error_kind = (uint16_t)k;
	for (size_t f = 1; f < F__COUNT; f++)
		li->field[f] = ts_language_field_id_for_name(
			ts, field_names[f], (uint32_t)strlen(field_names[f]));
}

void lang_init(void)
{
	if (langs[LANG_PYTHON].ts)
		return;
	init_one(&langs[LANG_PYTHON], LANG_PYTHON, "python",
		 tree_sitter_python(), py_kind_names, ARRAY_SIZE(py_kind_names));
	init_one(&langs[LANG_C], LANG_C, "c", tree_sitter_c(), c_kind_names,
		 ARRAY_SIZE(c_kind_names));
}

const struct fl_langinfo *lang_info(enum fl_lang lang)
{
	return &langs[lang];
}

const char *lang_name(enum fl_lang lang)
{
	switch (lang) {
	case LANG_PYTHON:
		return "python";
	case LANG_C:
		return "c";
	default:
		return "none";
	}
}

enum fl_lang lang_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return LANG_NONE;
	if (!strcmp(dot, ".py") || !strcmp(dot, ".pyw") || !strcmp(dot, ".pyi"))
		return LANG_PYTHON;
	if (!strcmp(dot, ".c") || !strcmp(dot, ".h"))
		return LANG_C;
	return LANG_NONE;
}

enum fl_lang lang_from_shebang(const char *buf, size_t len)
{
	if (len < 3 || buf[0] != '#' || buf[1] != '!')
		return LANG_NONE;
	size_t end = 2;
	while (end < len && end < 256 && buf[end] != '\n')
		end++;
	/* Look at the interpreter name: the last path component of the
	 * first word, or the word after "env". */
	char line[257];
	memcpy(line, buf + 2, end - 2);
	line[end - 2] = '\0';
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		const char *base = strrchr(w, '/');
		base = base ? base + 1 : w;
		if (!strcmp(base, "env") || base[0] == '-')
			continue;
		if (!strncmp(base, "python", 6))
			return LANG_PYTHON;
		return LANG_NONE;
	}
	return LANG_NONE;
}
