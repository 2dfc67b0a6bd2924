#include "gitdiff.h"

#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static uint64_t key(const char *abs, size_t len, uint32_t line)
{
	return hash64(abs, len) ^ ((uint64_t)line * 0x9e3779b97f4a7c15ull);
}

struct collect {
	struct changed_lines *c;
	const char *workdir;
	char *last_path;
};

static void mark(struct collect *k, const char *rel, uint32_t line)
{
	char *abs = xasprintf("%s%s", k->workdir, rel);
	u64set_add(&k->c->set, key(abs, strlen(abs), line));
	k->c->lines++;
	if (!k->last_path || strcmp(k->last_path, rel)) {
		free(k->last_path);
		k->last_path = xstrdup(rel);
		k->c->files++;
	}
	free(abs);
}

static int on_hunk(const git_diff_delta *d, const git_diff_hunk *h, void *ud)
{
	/* a deletion with nothing added: the code after it changed meaning */
	if (h->new_lines == 0 && d->new_file.path)
		mark(ud, d->new_file.path, h->new_start ? (uint32_t)h->new_start + 1
							: 1);
	return 0;
}

static int on_line(const git_diff_delta *d, const git_diff_hunk *h,
		   const git_diff_line *l, void *ud)
{
	(void)h;
	if (l->origin == GIT_DIFF_LINE_ADDITION && l->new_lineno > 0 &&
	    d->new_file.path)
		mark(ud, d->new_file.path, (uint32_t)l->new_lineno);
	return 0;
}

int changed_lines_since(const char *rev, struct changed_lines *c)
{
	memset(c, 0, sizeof(*c));
	git_libgit2_init();
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	int rc = -1;
	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0) {
		error("--diff: not inside a git repository");
		goto out;
	}
	if (git_revparse_single(&obj, repo, rev) < 0 ||
	    git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		error("--diff: cannot resolve '%s': %s", rev,
		      git_error_last() ? git_error_last()->message : "unknown");
		goto out;
	}
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		     GIT_DIFF_SHOW_UNTRACKED_CONTENT;
	if (git_diff_tree_to_workdir_with_index(&diff, repo, tree, &opts) < 0) {
		error("--diff: cannot diff against '%s': %s", rev,
		      git_error_last() ? git_error_last()->message : "unknown");
		goto out;
	}
	const char *wd = git_repository_workdir(repo);
	char *real = wd ? realpath(wd, NULL) : NULL;
	char *workdir = real ? xasprintf("%s/", real) : xstrdup(wd ? wd : "");
	free(real);
	struct collect k = {c, workdir, NULL};
	git_diff_foreach(diff, NULL, NULL, on_hunk, on_line, &k);
	free(k.last_path);
	free(workdir);
	rc = 0;
out:
	git_diff_free(diff);
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
	return rc;
}

static bool touches(const struct changed_lines *c, const char *path,
		    uint32_t line)
{
	char *abs = realpath(path, NULL);
	if (!abs)
		return false;
	bool hit = u64set_has(&c->set, key(abs, strlen(abs), line));
	free(abs);
	return hit;
}

bool changed_lines_touch(const struct changed_lines *c,
			 const struct fl_finding *fd)
{
	for (uint32_t l = fd->loc.line; l <= fd->loc.end_line && l < fd->loc.line + 50; l++)
		if (touches(c, fd->path, l))
			return true;
	for (size_t i = 0; i < fd->trace.n; i++)
		if (touches(c, fd->trace.v[i].path, fd->trace.v[i].loc.line))
			return true;
	return false;
}

void changed_lines_release(struct changed_lines *c)
{
	u64set_release(&c->set);
}
