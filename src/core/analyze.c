/*
 * analyze.c - the per-file phase: read, check, pre-pass, parse, walk, run
 * the file_end hooks of the checks, apply inline suppressions.
 *
 * Nothing here may crash or hang on any input: empty, binary, non-UTF-8,
 * truncated, huge or deeply nested files produce a note and the run goes
 * on.  Parsing and the walk share one time limit per file.
 */
#include "run.h"
#include "suppress.h"
#include "walk.h"
#include "cfg.h"
#include "../lang/c/prepass.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LONG_LINE (64 * 1024)
#define DEEP_NESTING 1000

void worker_init(struct fl_worker *w, const struct fl_options *opt,
		 const struct fl_hookset *hs)
{
	memset(w, 0, sizeof(*w));
	w->opt = opt;
	w->hs = hs;
	for (int l = 1; l < LANG__COUNT; l++) {
		w->parser[l] = ts_parser_new();
		if (!ts_parser_set_language(w->parser[l], lang_info(l)->ts))
			die("tree-sitter refused the %s grammar (ABI mismatch)",
			    lang_name(l));
	}
}

void worker_release(struct fl_worker *w)
{
	for (int l = 1; l < LANG__COUNT; l++)
		if (w->parser[l])
			ts_parser_delete(w->parser[l]);
	arena_release(&w->arena);
}

struct progress {
	double deadline;
	unsigned calls;
};

static bool parse_progress(TSParseState *st)
{
	struct progress *p = st->payload;
	if (++p->calls % 64)
		return false;
	return now_seconds() > p->deadline; /* true cancels the parse */
}

/* The whole buffer is in memory: hand tree-sitter the rest of it. */
struct input {
	const char *s;
	uint32_t n;
};

static const char *input_read(void *payload, uint32_t byte, TSPoint pt,
			      uint32_t *n)
{
	const struct input *rd = payload;
	(void)pt;
	if (byte >= rd->n) {
		*n = 0;
		return "";
	}
	*n = rd->n - byte;
	return rd->s + byte;
}

static void build_line_index(struct fl_file *f, uint32_t *longest)
{
	uint32_t n = 1;
	for (uint32_t i = 0; i < f->len; i++)
		if (f->src[i] == '\n')
			n++;
	f->line_start = arena_alloc(f->a, sizeof(uint32_t) * n);
	f->nlines = n;
	uint32_t k = 0, prev = 0;
	*longest = 0;
	f->line_start[k++] = 0;
	for (uint32_t i = 0; i < f->len; i++)
		if (f->src[i] == '\n') {
			if (i - prev > *longest)
				*longest = i - prev;
			prev = i + 1;
			f->line_start[k++] = i + 1;
		}
	if (f->len - prev > *longest)
		*longest = f->len - prev;
}

static void drop_suppressed(struct fl_result *r)
{
	size_t out = 0;
	for (size_t i = 0; i < r->findings.n; i++) {
		struct fl_finding *fd = &r->findings.v[i];
		if (suppressed(r, fd)) {
			finding_release(fd);
			continue;
		}
		r->findings.v[out++] = *fd;
	}
	r->findings.n = out;
}

/*
 * Everything before the checks: validate the bytes, pre-pass, line index,
 * parse, walk (model + node hooks), resolve names.  Returns false when
 * there is nothing to analyse (a note says why).
 */
bool file_load(struct fl_worker *w, struct fl_file *f, const struct fl_path *fp,
	       char *buf, size_t len, struct fl_result *r)
{
	const struct fl_options *opt = w->opt;
	const char *path = fp->path;
	enum fl_lang lang = fp->lang;
	memset(f, 0, sizeof(*f));
	r->bytes = len;
	if (len == 0) {
		fl_note(r, path, "empty file; nothing to analyse");
		return false;
	}
	if (len > UINT32_MAX - 1) {
		fl_note(r, path, "file is larger than 4 GiB; skipped");
		return false;
	}
	size_t probe = len < 8192 ? len : 8192;
	const char *nul = memchr(buf, '\0', probe);
	if (nul) {
		fl_note(r, path,
			"binary file (NUL byte at offset %zu); skipped",
			(size_t)(nul - buf));
		return false;
	}
	buf[len] = '\0';
	size_t bad;
	if (!utf8_valid(buf, len, &bad))
		fl_note(r, path,
			"not valid UTF-8 (first invalid byte at offset %zu); "
			"analysed anyway, invalid bytes read as errors",
			bad);
	/* A UTF-8 byte order mark is not Python or C: blank it in place. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		memset(buf, ' ', 3);
	if (lang == LANG_C && opt->prepass)
		c_prepass(buf, len, opt->extra_macros, opt->nextra_macros);

	double t0 = now_seconds();
	f->opt = opt;
	f->path = path;
	f->lang = lang;
	f->li = lang_info(lang);
	f->src = buf;
	f->len = (uint32_t)len;
	f->a = &w->arena;
	f->res = r;
	f->is_test = path_is_test(path + (fp->rel <= strlen(path) ? fp->rel : 0));
	f->deadline = t0 + opt->file_timeout;
	build_line_index(f, &f->longest_line);
	r->lines = f->nlines;

	struct progress pg = {f->deadline, 0};
	TSParseOptions po = {&pg, parse_progress};
	struct input rd = {buf, (uint32_t)len};
	TSInput in = {&rd, input_read, TSInputEncodingUTF8, NULL};
	TSParser *parser = w->parser[lang];
	TSTree *tree = ts_parser_parse_with_options(parser, NULL, in, po);
	double t1 = now_seconds();
	r->parse_seconds = t1 - t0;
	if (!tree) {
		ts_parser_reset(parser);
		fl_note(r, path,
			"parsing took longer than %.0f s (--file-timeout); "
			"skipped",
			opt->file_timeout);
		arena_clear(&w->arena);
		return false;
	}
	f->tree = tree;
	f->root = ts_tree_root_node(tree);
	walk_file(f, w->hs);
	model_finish(f);
	return true;
}

void file_unload(struct fl_worker *w, struct fl_file *f)
{
	cfg_release_all(f);
	u64set_release(&f->fact_seen);
	u64map_release(&f->tally_at);
	if (f->tree)
		ts_tree_delete(f->tree);
	f->tree = NULL;
	model_release(&f->m);
	arena_clear(&w->arena);
}

void analyze_buffer(struct fl_worker *w, const struct fl_path *fp, char *buf,
		    size_t len, struct fl_result *r)
{
	const struct fl_options *opt = w->opt;
	const char *path = fp->path;
	struct fl_file file, *f = &file;
	if (!file_load(w, f, fp, buf, len, r))
		return;
	double t1 = now_seconds();
	if (!f->timed_out) {
		for (size_t i = 0; i < fl_ncheck; i++) {
			const struct fl_check *ck = fl_checks[i];
			if (ck->file_end && fl_enabled(f, ck))
				ck->file_end(f);
			if (now_seconds() > f->deadline) {
				f->timed_out = true;
				break;
			}
		}
	}
	r->analyzed = true;
	r->nodes = f->m.nodes;
	r->error_nodes = f->m.error_nodes;
	r->error_bytes = f->m.error_bytes;
	if (f->timed_out)
		fl_note(r, path,
			"analysis took longer than %.0f s (--file-timeout); "
			"findings for this file may be incomplete",
			opt->file_timeout);
	if (f->m.error_bytes) {
		double share = 100.0 * f->m.error_bytes / len;
		if (ts_node_is_error(f->root) || share >= 5.0 ||
		    f->lang == LANG_PYTHON)
			fl_note(r, path,
				"syntax errors: %.1f%% of the file did not "
				"parse (%u error nodes); findings there are "
				"missed",
				share, f->m.error_nodes);
	}
	if (f->m.max_depth > DEEP_NESTING)
		fl_note(r, path, "nesting depth %u; analysed with no limit",
			f->m.max_depth);
	if (f->longest_line > LONG_LINE)
		fl_note(r, path,
			"a line of %u bytes (generated or minified code?); "
			"code frames are cut",
			f->longest_line);
	drop_suppressed(r);
	file_unload(w, f);
	r->analyze_seconds = now_seconds() - t1;
}

/* Read a file whole into a fresh buffer (len + 1 bytes); NULL on error. */
static char *read_all(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*len = n;
	return buf;
}

void revisit_one(struct fl_worker *w, const struct fl_program *p,
		 const struct fl_path *fp, struct fl_result *r, const bool *want)
{
	size_t len;
	char *buf = read_all(fp->path, w->opt->max_file_size, &len);
	if (!buf)
		return;
	/* Parse into a scratch result: notes and facts were recorded by
	 * the first pass; only new findings are kept. */
	struct fl_result tmp;
	memset(&tmp, 0, sizeof(tmp));
	struct fl_file file;
	if (len && file_load(w, &file, fp, buf, len, &tmp)) {
		file.prog = p;
		for (size_t i = 0; i < fl_ncheck; i++)
			if (want[i] && fl_checks[i]->revisit)
				fl_checks[i]->revisit(&file);
		file_unload(w, &file);
	}
	/* the new findings, minus suppressed ones, join the file's */
	for (size_t i = 0; i < tmp.findings.n; i++) {
		if (suppressed(&tmp, &tmp.findings.v[i])) {
			finding_release(&tmp.findings.v[i]);
			continue;
		}
		*VEC_PUSH(&r->findings) = tmp.findings.v[i];
	}
	tmp.findings.n = 0;
	result_release(&tmp);
	free(buf);
}

void analyze_path(struct fl_worker *w, const struct fl_path *fp,
		  struct fl_result *r)
{
	const char *path = fp->path;
	enum fl_lang lang = fp->lang;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		fl_note(r, path, "cannot open: %s; skipped", strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fl_note(r, path, "not a regular file; skipped");
		close(fd);
		return;
	}
	if ((size_t)st.st_size > w->opt->max_file_size) {
		fl_note(r, path,
			"%.1f MB is over the size limit of %.1f MB "
			"(--max-file-size); skipped",
			st.st_size / 1e6, w->opt->max_file_size / 1e6);
		r->bytes = (uint64_t)st.st_size;
		close(fd);
		return;
	}
	/* Read what is there: the file may shrink or grow while we read. */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > w->opt->max_file_size)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fl_note(r, path, "read error: %s; skipped",
				strerror(errno));
			free(buf);
			close(fd);
			return;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (lang == LANG_NONE) {
		lang = lang_from_shebang(buf, len);
		if (lang == LANG_NONE) {
			free(buf);
			return;
		}
	}
	struct fl_path known = *fp;
	known.lang = lang;
	analyze_buffer(w, &known, buf, len, r);
	free(buf);
}
