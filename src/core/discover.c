/*
 * discover.c - turn the paths on the command line into the sorted list of
 * files to analyse.
 *
 * - Directories are walked recursively; names the user gave are always
 *   taken, even when ignored.
 * - Inside a git work tree, paths git ignores (.gitignore, info/exclude,
 *   core.excludesFile) are skipped, asked of libgit2; --no-ignore turns
 *   that off.  Outside a work tree nothing is ignored by .gitignore.
 * - Version-control, virtualenv and cache directories are skipped.
 * - Language by extension; extension-less executable files by "#!".
 * - Symlinks are followed; a directory already on the current path
 *   (a symlink loop) and broken links are skipped with a note.
 * - The result is sorted by path and free of duplicates, so output does not
 *   depend on readdir order or --jobs.
 */
#include "config.h"
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const skip_dirs[] = {
	".git",	 ".hg",	 ".svn", ".bzr", ".tox", ".nox", ".venv",
	"venv",	 ".eggs", "__pycache__", ".mypy_cache", ".pytest_cache",
	".ruff_cache", "node_modules",
};

struct ancestor {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct fl_program *p;
	git_repository *repo;
	const char *workdir;  /* with trailing '/' */
	size_t workdir_len;
	size_t root_len;      /* length of "root/" in every path */
	VEC(struct ancestor) anc;
	struct fl_result *notes;
};

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void git_init(void)
{
	git_libgit2_init();
}

static bool is_skipped_dir(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(skip_dirs); i++)
		if (!strcmp(name, skip_dirs[i]))
			return true;
	return false;
}

/* Is abs (an absolute real path) ignored by git?  dir: it is a directory. */
static bool git_ignored(struct walk *w, const char *abs, bool dir)
{
	if (!w->repo || strncmp(abs, w->workdir, w->workdir_len))
		return false;
	const char *rel = abs + w->workdir_len;
	if (!*rel)
		return false;
	int ignored = 0;
	if (dir) {
		char *d = xasprintf("%s/", rel);
		git_ignore_path_is_ignored(&ignored, w->repo, d);
		free(d);
	} else {
		git_ignore_path_is_ignored(&ignored, w->repo, rel);
	}
	return ignored == 1;
}

/* rel: length of the root prefix of path ("src/" of "src/a/b.py"). */
static void add_file(struct fl_program *p, const char *path, enum fl_lang lang,
		     size_t rel)
{
	struct fl_path *fp = VEC_PUSH(&p->files);
	const char *shown = path;
	while (shown[0] == '.' && shown[1] == '/' && shown[2]) {
		shown += 2;
		rel = rel >= 2 ? rel - 2 : 0;
	}
	fp->path = xstrdup(shown);
	fp->lang = lang;
	fp->rel = (uint32_t)(rel <= strlen(shown) ? rel : 0);
}

/* Language of a file met while walking a directory. */
static enum fl_lang lang_of(const char *path, const struct stat *st)
{
	enum fl_lang l = lang_from_path(path);
	if (l != LANG_NONE)
		return l;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strchr(base, '.') || !(st->st_mode & 0111) || st->st_size < 3)
		return LANG_NONE;
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return LANG_NONE;
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	return n > 0 ? lang_from_shebang(head, (size_t)n) : LANG_NONE;
}

static void walk_dir(struct walk *w, const char *dir, const char *abs)
{
	DIR *d = opendir(dir);
	if (!d) {
		fl_note(w->notes, dir, "cannot read directory: %s; skipped",
			strerror(errno));
		return;
	}
	VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			*VEC_PUSH(&names) = xstrdup(de->d_name);
	closedir(d);

	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		char *path = xasprintf("%s/%s", dir, name);
		char *child_abs = xasprintf("%s/%s", abs, name);
		struct stat st;
		if (stat(path, &st) < 0) {
			struct stat lst;
			if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
				fl_note(w->notes, path,
					"broken symbolic link; skipped");
			goto next;
		}
		if (w->p->opt->config && config_excludes(w->p->opt->config, path))
			goto next;
		if (S_ISDIR(st.st_mode)) {
			if (is_skipped_dir(name) ||
			    git_ignored(w, child_abs, true))
				goto next;
			bool loop = false;
			for (size_t k = 0; k < w->anc.n; k++)
				if (w->anc.v[k].dev == st.st_dev &&
				    w->anc.v[k].ino == st.st_ino)
					loop = true;
			if (loop) {
				fl_note(w->notes, path,
					"symbolic link loop (a directory "
					"containing itself); skipped");
				goto next;
			}
			struct ancestor *an = VEC_PUSH(&w->anc);
			an->dev = st.st_dev;
			an->ino = st.st_ino;
			walk_dir(w, path, child_abs);
			w->anc.n--;
		} else if (S_ISREG(st.st_mode)) {
			enum fl_lang l = lang_of(path, &st);
			if (l != LANG_NONE && !git_ignored(w, child_abs, false))
				add_file(w->p, path, l, w->root_len);
		}
	next:
		free(path);
		free(child_abs);
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	VEC_FREE(&names);
}

static int path_cmp(const void *a, const void *b)
{
	const struct fl_path *x = a, *y = b;
	return strcmp(x->path, y->path);
}

int discover(struct fl_program *p, const char *const *paths, size_t npaths)
{
	int ret = 0;
	pthread_once(&git_once, git_init);
	struct fl_result *notes = xcalloc(1, sizeof(*notes));
	for (size_t i = 0; i < npaths; i++) {
		const char *path = paths[i];
		struct stat st;
		if (stat(path, &st) < 0) {
			ret = error("cannot read '%s': %s", path,
				    strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			enum fl_lang l = lang_from_path(path);
			/* A file named on the command line: any language we
			 * can tell, by extension or "#!". */
			if (l == LANG_NONE && S_ISREG(st.st_mode)) {
				char head[256];
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				ssize_t n = fd >= 0 ? read(fd, head,
							   sizeof(head))
						    : -1;
				if (fd >= 0)
					close(fd);
				if (n > 0)
					l = lang_from_shebang(head, (size_t)n);
			}
			if (l == LANG_NONE)
				fl_note(notes, path,
					"not a Python or C file; skipped");
			else {
				const char *base = strrchr(path, '/');
				add_file(p, path, l,
					 base ? (size_t)(base + 1 - path) : 0);
			}
			continue;
		}
		struct walk w = {0};
		w.p = p;
		w.notes = notes;
		char *abs = realpath(path, NULL);
		if (!abs) {
			ret = error("cannot resolve '%s': %s", path,
				    strerror(errno));
			continue;
		}
		if (!p->opt->no_ignore &&
		    git_repository_open_ext(&w.repo, abs, 0, NULL) == 0) {
			const char *wd = git_repository_workdir(w.repo);
			if (wd) {
				w.workdir = wd;
				w.workdir_len = strlen(wd);
			}
			/* A root that git itself ignores (a virtualenv or a
			 * build tree inside a checkout) was asked for by
			 * name: analyse it all. */
			if (!wd || git_ignored(&w, abs, true)) {
				git_repository_free(w.repo);
				w.repo = NULL;
			}
		}
		struct ancestor *an = VEC_PUSH(&w.anc);
		an->dev = st.st_dev;
		an->ino = st.st_ino;
		size_t plen = strlen(path);
		char *root = xstrdup(path);
		while (plen > 1 && root[plen - 1] == '/')
			root[--plen] = '\0';
		w.root_len = plen + 1;
		walk_dir(&w, root, abs);
		free(root);
		free(abs);
		VEC_FREE(&w.anc);
		if (w.repo)
			git_repository_free(w.repo);
	}
	if (p->files.n)
		qsort(p->files.v, p->files.n, sizeof(*p->files.v), path_cmp);
	size_t out = 0;
	for (size_t i = 0; i < p->files.n; i++) {
		if (out && !strcmp(p->files.v[out - 1].path, p->files.v[i].path)) {
			free(p->files.v[i].path);
			continue;
		}
		p->files.v[out++] = p->files.v[i];
	}
	p->files.n = out;
	/* Discovery notes come first, in the order met. */
	for (size_t i = 0; i < notes->notes.n; i++)
		*VEC_PUSH(&p->notes) = notes->notes.v[i];
	notes->notes.n = 0;
	result_release(notes);
	free(notes);
	return ret;
}
