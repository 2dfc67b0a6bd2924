#include "config.h"
#include "toml.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fl_api_ext fl_api_ext;

struct ctx {
	const char *file;
	int rc;
};

static int bad(struct ctx *x, const struct toml_value *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct ctx *x, const struct toml_value *v, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (v)
		error("%s:%u:%u: %s", x->file, v->line, v->col, sb.buf);
	else
		error("%s: %s", x->file, sb.buf);
	strbuf_release(&sb);
	x->rc = -1;
	return -1;
}

/* A list of strings (a lone string is taken as a list of one). */
static int strings(struct ctx *x, const char *key, const struct toml_value *v,
		   struct strlist *out)
{
	if (v->kind == TV_STRING) {
		*VEC_PUSH(out) = xstrdup(v->s);
		return 0;
	}
	if (v->kind != TV_ARRAY)
		return bad(x, v, "'%s' must be a list of strings, not %s", key,
			   toml_kind_name(v->kind));
	for (size_t i = 0; i < v->items.n; i++) {
		const struct toml_value *e = v->items.v[i];
		if (e->kind != TV_STRING)
			return bad(x, e,
				   "'%s' must be a list of strings; item %zu "
				   "is %s",
				   key, i + 1, toml_kind_name(e->kind));
		*VEC_PUSH(out) = xstrdup(e->s);
	}
	return 0;
}

static int number(struct ctx *x, const char *key, const struct toml_value *v,
		  double *out)
{
	if (v->kind == TV_INT)
		*out = (double)v->i;
	else if (v->kind == TV_FLOAT)
		*out = v->d;
	else
		return bad(x, v, "'%s' must be a number, not %s", key,
			   toml_kind_name(v->kind));
	if (!(*out > 0))
		return bad(x, v, "'%s' must be greater than 0", key);
	return 0;
}

/* Every selector must name a rule, as on the command line. */
static int check_selectors(struct ctx *x, const char *key,
			   const struct toml_value *v, struct strlist *list,
			   size_t from)
{
	for (size_t i = from; i < list->n; i++) {
		bool any = false;
		for (size_t k = 0; k < fl_ncheck && !any; k++)
			any = check_matches(fl_checks[k], list->v[i]);
		if (!any)
			return bad(x, v, "'%s': no rule matches '%s' (see "
					 "'faultline rules')",
				   key, list->v[i]);
	}
	return 0;
}

static char *join(struct strlist *list)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < list->n; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, list->v[i]);
		free(list->v[i]);
	}
	VEC_FREE(list);
	return strbuf_detach(&sb);
}

static int read_api(struct ctx *x, const struct toml_value *t)
{
	static const char *const known[] = {"lock-types", "blocking", "loggers",
					    "fallible", "macros", "openers"};
	for (size_t i = 0; i < t->keys.n; i++) {
		const char *k = t->keys.v[i];
		const struct toml_value *v = t->items.v[i];
		if (!strcmp(k, "lock-types"))
			strings(x, k, v, &fl_api_ext.lock_types);
		else if (!strcmp(k, "blocking"))
			strings(x, k, v, &fl_api_ext.blocking);
		else if (!strcmp(k, "loggers"))
			strings(x, k, v, &fl_api_ext.loggers);
		else if (!strcmp(k, "fallible"))
			strings(x, k, v, &fl_api_ext.fallible);
		else if (!strcmp(k, "macros"))
			strings(x, k, v, &fl_api_ext.macros);
		else if (!strcmp(k, "openers")) {
			if (v->kind != TV_ARRAY)
				return bad(x, v,
					   "'openers' must be a list of tables "
					   "like {name = \"mylib.connect\", "
					   "close = [\"close\"]}");
			for (size_t j = 0; j < v->items.n; j++) {
				const struct toml_value *o = v->items.v[j];
				const struct toml_value *name = toml_get(o, "name");
				const struct toml_value *close =
					toml_get(o, "close");
				const struct toml_value *what = toml_get(o, "what");
				const struct toml_value *ext =
					toml_get(o, "external");
				if (o->kind != TV_TABLE || !name ||
				    name->kind != TV_STRING || !close)
					return bad(x, o,
						   "each opener needs 'name' (a "
						   "string) and 'close' (method "
						   "names)");
				struct strlist cl = {0};
				if (strings(x, "close", close, &cl) < 0)
					return -1;
				struct fl_api_opener *op =
					VEC_PUSH(&fl_api_ext.openers);
				op->qname = xstrdup(name->s);
				op->closers = join(&cl);
				op->what = xstrdup(what && what->kind == TV_STRING
							   ? what->s
							   : "resource");
				op->external = !ext || ext->kind != TV_BOOL ||
					       ext->i;
			}
		} else {
			struct strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < ARRAY_SIZE(known); j++)
				strbuf_addf(&sb, "%s%s", j ? ", " : "", known[j]);
			bad(x, v, "unknown key 'api.%s' (known: %s)", k, sb.buf);
			strbuf_release(&sb);
		}
		if (x->rc < 0)
			return -1;
	}
	return 0;
}

static int read_table(struct ctx *x, const struct toml_value *t,
		      struct fl_config *c)
{
	static const char *const known =
		"select, ignore, exclude, confidence, max-file-size, "
		"file-timeout, per-file-ignores, api";
	for (size_t i = 0; i < t->keys.n && x->rc == 0; i++) {
		const char *k = t->keys.v[i];
		const struct toml_value *v = t->items.v[i];
		if (!strcmp(k, "select")) {
			c->has_select = true;
			if (strings(x, k, v, &c->select) == 0)
				check_selectors(x, k, v, &c->select, 0);
		} else if (!strcmp(k, "ignore")) {
			if (strings(x, k, v, &c->ignore) == 0)
				check_selectors(x, k, v, &c->ignore, 0);
		} else if (!strcmp(k, "exclude")) {
			strings(x, k, v, &c->exclude);
		} else if (!strcmp(k, "confidence")) {
			c->confidence = v->kind == TV_STRING
						? confidence_parse(v->s)
						: -1;
			if (c->confidence < 0)
				bad(x, v, "'confidence' must be \"high\", "
					  "\"medium\" or \"low\"");
		} else if (!strcmp(k, "max-file-size")) {
			number(x, k, v, &c->max_file_size_mb);
		} else if (!strcmp(k, "file-timeout")) {
			number(x, k, v, &c->file_timeout);
		} else if (!strcmp(k, "per-file-ignores")) {
			if (v->kind != TV_TABLE) {
				bad(x, v, "'per-file-ignores' must be a table "
					  "of glob = [codes]");
				break;
			}
			for (size_t j = 0; j < v->keys.n && x->rc == 0; j++) {
				struct strlist codes = {0};
				if (strings(x, v->keys.v[j], v->items.v[j],
					    &codes) < 0 ||
				    check_selectors(x, v->keys.v[j],
						    v->items.v[j], &codes,
						    0) < 0) {
					for (size_t q = 0; q < codes.n; q++)
						free(codes.v[q]);
					VEC_FREE(&codes);
					break;
				}
				struct fl_glob_ignore *g =
					VEC_PUSH(&c->per_file_ignores);
				g->glob = xstrdup(v->keys.v[j]);
				g->codes = join(&codes);
			}
		} else if (!strcmp(k, "api")) {
			if (v->kind != TV_TABLE)
				bad(x, v, "'api' must be a table");
			else
				read_api(x, v);
		} else {
			bad(x, v, "unknown key '%s' (known: %s)", k, known);
		}
	}
	return x->rc;
}

static char *read_text(const char *file, size_t *len)
{
	FILE *in = fopen(file, "rb");
	if (!in)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		strbuf_add(&sb, chunk, n);
	fclose(in);
	*len = sb.len;
	return sb.buf ? strbuf_detach(&sb) : xstrdup("");
}

/* Parse `file`; pyproject: only its [tool.faultline].  *found is false
 * for a pyproject.toml without that table. */
static int load_file(const char *file, bool pyproject, struct fl_config *c,
		     bool *found)
{
	struct ctx x = {file, 0};
	size_t len;
	char *text = read_text(file, &len);
	*found = false;
	if (!text)
		return error("cannot read configuration '%s': %s", file,
			     strerror(errno));
	uint32_t line = 0, col = 0;
	struct toml_value *doc = toml_parse(text, len, &line, &col);
	free(text);
	if (!doc)
		return error("%s:%u:%u: not valid TOML here", file, line, col);
	const struct toml_value *t = doc;
	if (pyproject) {
		t = toml_get(toml_get(doc, "tool"), "faultline");
		if (!t) {
			toml_free(doc);
			return 0;
		}
		if (t->kind != TV_TABLE) {
			bad(&x, t, "[tool.faultline] must be a table");
			toml_free(doc);
			return -1;
		}
	}
	*found = true;
	c->file = xstrdup(file);
	char *abs = realpath(file, NULL);
	if (abs) {
		char *slash = strrchr(abs, '/');
		if (slash)
			*slash = '\0';
		c->dir = abs;
	}
	read_table(&x, t, c);
	toml_free(doc);
	return x.rc;
}

int config_load(const char *explicit, struct fl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->confidence = -1;
	bool found;
	if (explicit) {
		const char *base = strrchr(explicit, '/');
		base = base ? base + 1 : explicit;
		int rc = load_file(explicit, !strcmp(base, "pyproject.toml"), c,
				   &found);
		if (rc == 0 && !found)
			return error("'%s' has no [tool.faultline] table",
				     explicit);
		return rc;
	}
	char *dir = getcwd(NULL, 0);
	if (!dir)
		return 0;
	static const char *const names[] = {"faultline.toml", ".faultline.toml",
					    "pyproject.toml"};
	for (;;) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			char *f = xasprintf("%s/%s", dir, names[i]);
			if (access(f, R_OK) == 0) {
				int rc = load_file(f, i == 2, c, &found);
				free(f);
				if (rc < 0 || found) {
					free(dir);
					return rc;
				}
				continue;
			}
			free(f);
		}
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
	}
	free(dir);
	return 0;
}

static void free_list(struct strlist *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	VEC_FREE(v);
}

void config_release(struct fl_config *c)
{
	free(c->file);
	free(c->dir);
	free_list(&c->select);
	free_list(&c->ignore);
	free_list(&c->exclude);
	for (size_t i = 0; i < c->per_file_ignores.n; i++) {
		free(c->per_file_ignores.v[i].glob);
		free(c->per_file_ignores.v[i].codes);
	}
	VEC_FREE(&c->per_file_ignores);
}

/* The path relative to the configuration's directory, when under it;
 * else the path as given (malloc'd). */
static char *relative(const struct fl_config *c, const char *path)
{
	char *abs = realpath(path, NULL);
	if (abs && c->dir) {
		size_t n = strlen(c->dir);
		if (!strncmp(abs, c->dir, n) && abs[n] == '/') {
			char *r = xstrdup(abs + n + 1);
			free(abs);
			return r;
		}
	}
	free(abs);
	return xstrdup(path);
}

/* A glob matches the whole relative path, or (without a slash) any one
 * component: "tests" and "test_*.py" work as in .gitignore. */
static bool glob_match(const char *glob, const char *rel)
{
	if (!fnmatch(glob, rel, 0))
		return true;
	size_t gl = strlen(glob);
	if (gl && glob[gl - 1] == '/') {
		/* "build/": the directory and everything below it */
		char *g = xasprintf("%s*", glob);
		bool m = !fnmatch(g, rel, 0);
		free(g);
		if (m)
			return true;
	}
	if (strchr(glob, '/'))
		return false;
	for (const char *p = rel; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL) {
		size_t n = strcspn(p, "/");
		char *comp = xstrndup(p, n);
		bool m = !fnmatch(glob, comp, 0);
		free(comp);
		if (m)
			return true;
	}
	return false;
}

bool config_ignores(const struct fl_config *c, const struct fl_finding *fd)
{
	if (!c->per_file_ignores.n)
		return false;
	char *rel = relative(c, fd->path);
	bool hit = false;
	for (size_t i = 0; i < c->per_file_ignores.n && !hit; i++) {
		const struct fl_glob_ignore *g = &c->per_file_ignores.v[i];
		if (!glob_match(g->glob, rel))
			continue;
		const char *p = g->codes;
		char sel[64];
		while (*p && !hit) {
			size_t n = strcspn(p, " ");
			if (n < sizeof(sel)) {
				memcpy(sel, p, n);
				sel[n] = '\0';
				hit = check_matches(fd->check, sel);
			}
			p += n;
			while (*p == ' ')
				p++;
		}
	}
	free(rel);
	return hit;
}

bool config_excludes(const struct fl_config *c, const char *path)
{
	if (!c->exclude.n)
		return false;
	char *rel = relative(c, path);
	bool hit = false;
	for (size_t i = 0; i < c->exclude.n && !hit; i++)
		hit = glob_match(c->exclude.v[i], rel);
	free(rel);
	return hit;
}
