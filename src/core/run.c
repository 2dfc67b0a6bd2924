/*
 * run.c - worker threads over the file list, the global phase over facts,
 * and the post-processing every reporter reads from.
 *
 * Determinism: each file's result lands in its own slot (results[i]), the
 * global phase reads the slots in file order, and the final list is sorted
 * by a total order, so output is byte-identical at any --jobs.
 */
#include "run.h"
#include "suppress.h"
#include "walk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void options_init(struct fl_options *o)
{
	memset(o, 0, sizeof(*o));
	o->enabled = xcalloc(fl_ncheck, sizeof(bool));
	for (size_t i = 0; i < fl_ncheck; i++)
		o->enabled[i] = true;
	o->min_confidence = CONF_MEDIUM;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = n > 0 ? (int)n : 1;
	o->max_file_size = 10 * 1000 * 1000;
	o->file_timeout = 20.0;
	o->prepass = true;
}

void options_release(struct fl_options *o)
{
	free(o->enabled);
	free(o->extra_macros);
	o->enabled = NULL;
	o->extra_macros = NULL;
}

/* ------------------------------------------------------------------ */
/* Per-file phase                                                      */

struct pool {
	struct fl_program *p;
	const struct fl_hookset *hs;
	atomic_size_t next;
	atomic_size_t done;
	atomic_int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	double cpu;       /* summed thread CPU seconds, under mu */
};

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker_main(void *arg)
{
	struct pool *pl = arg;
	struct fl_program *p = pl->p;
	struct fl_worker w;
	double c0 = thread_cpu();
	worker_init(&w, p->opt, pl->hs);
	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);
		if (i >= p->files.n)
			break;
		analyze_path(&w, &p->files.v[i], &p->results[i]);
		atomic_fetch_add(&pl->done, 1);
	}
	worker_release(&w);
	pthread_mutex_lock(&pl->mu);
	pl->cpu += thread_cpu() - c0;
	if (atomic_fetch_sub(&pl->running, 1) == 1)
		pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static void draw_progress(struct pool *pl, bool final)
{
	size_t done = atomic_load(&pl->done), n = pl->p->files.n;
	if (final)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\r\033[Kfaultline: %zu/%zu files", done, n);
	fflush(stderr);
}

static void run_files(struct fl_program *p, const struct fl_hookset *hs)
{
	struct pool pl;
	memset(&pl, 0, sizeof(pl));
	pl.p = p;
	pl.hs = hs;
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	size_t n = (size_t)(p->opt->jobs > 0 ? p->opt->jobs : 1);
	if (n > p->files.n)
		n = p->files.n ? p->files.n : 1;
	pthread_t *tids = xcalloc(n, sizeof(*tids));
	atomic_store(&pl.running, (int)n);
	size_t started = 0;
	for (size_t i = 0; i < n; i++) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		/* Deep trees are walked iteratively; 8 MB covers
		 * tree-sitter's own recursion on pathological input. */
		pthread_attr_setstacksize(&attr, 8u << 20);
		if (pthread_create(&tids[i], &attr, worker_main, &pl) == 0)
			started++;
		else
			atomic_fetch_sub(&pl.running, 1);
		pthread_attr_destroy(&attr);
	}
	if (!started) {
		/* No threads to be had: do the work here. */
		atomic_store(&pl.running, 1);
		worker_main(&pl);
	}
	double t0 = now_seconds();
	bool drawn = false;
	pthread_mutex_lock(&pl.mu);
	while (atomic_load(&pl.running) > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&pl.cv, &pl.mu, &ts);
		if (p->opt->progress && now_seconds() - t0 > 1.0) {
			draw_progress(&pl, false);
			drawn = true;
		}
	}
	pthread_mutex_unlock(&pl.mu);
	for (size_t i = 0; i < n; i++)
		if (i < started)
			pthread_join(tids[i], NULL);
	if (drawn)
		draw_progress(&pl, true);
	p->cpu_files = pl.cpu;
	free(tids);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
}

/* ------------------------------------------------------------------ */
/* Global phase                                                        */

/* The program's facts: a set of fact_hash(kind, key), and the summed
 * counts of counted facts. */
struct factset {
	struct u64set set;
	struct u64map counts;
};

static void factset_add(struct factset *s, uint64_t h)
{
	u64set_add(&s->set, h);
}

static bool factset_has(const struct factset *s, uint64_t h)
{
	return u64set_has(&s->set, h);
}

bool program_has_fact(const struct fl_program *p, enum fl_fact_kind kind,
		      const char *key)
{
	return p->factset &&
	       factset_has(p->factset, fact_hash((uint16_t)kind, key));
}

uint32_t program_fact_count(const struct fl_program *p,
			    enum fl_fact_kind kind, const char *key)
{
	return p->factset ? u64map_get(&p->factset->counts,
				       fact_hash((uint16_t)kind, key))
			  : 0;
}

/* Does the program believe m->yes over m->no (fl_mention_belief)? */
static bool believed(const struct factset *fs, const struct fl_mention *m)
{
	uint64_t yes = u64map_get(&fs->counts, m->yes);
	uint64_t no = u64map_get(&fs->counts, m->no);
	return yes >= m->min_yes && yes * 100 >= m->pct * (yes + no);
}

/*
 * Re-analyse the files whose mentions the facts answered, for the checks
 * that asked; their findings join the file's own (suppressions apply).
 * Runs on this thread: only the few files with answered questions.
 */
static void revisit_files(struct fl_program *p, const struct factset *fs)
{
	struct fl_worker w;
	bool started = false;
	bool *want = xcalloc(fl_ncheck, sizeof(bool));
	/* the first pass already reported every comment */
	struct fl_options ro = *p->opt;
	ro.comment_hook = NULL;
	for (size_t i = 0; i < p->files.n; i++) {
		struct fl_result *r = &p->results[i];
		bool any = false;
		memset(want, 0, fl_ncheck * sizeof(bool));
		for (size_t k = 0; k < r->mentions.n; k++) {
			const struct fl_mention *m = &r->mentions.v[k];
			if ((!m->need || factset_has(fs, m->need)) &&
			    !(m->forbid && factset_has(fs, m->forbid)) &&
			    (!m->yes || believed(fs, m)) &&
			    m->check < fl_ncheck && p->opt->enabled[m->check] &&
			    fl_checks[m->check]->revisit)
				want[m->check] = any = true;
		}
		VEC_FREE(&r->mentions);
		if (!any)
			continue;
		if (!started) {
			worker_init(&w, &ro, NULL);
			started = true;
		}
		revisit_one(&w, p, &p->files.v[i], r, want);
	}
	if (started)
		worker_release(&w);
	free(want);
}

static void run_global(struct fl_program *p)
{
	struct factset fs = {0};
	for (size_t i = 0; i < p->files.n; i++) {
		struct fl_result *r = &p->results[i];
		for (size_t k = 0; k < r->facts.n; k++)
			factset_add(&fs, r->facts.v[k]);
		/* sums do not depend on the order: any --jobs */
		for (size_t k = 0; k < r->tallies.n; k++) {
			uint32_t *n = u64map_slot(&fs.counts, r->tallies.v[k].h);
			uint32_t add = r->tallies.v[k].n;
			*n = *n > UINT32_MAX - add ? UINT32_MAX : *n + add;
		}
		VEC_FREE(&r->tallies);
	}
	/* Settle conditional findings. */
	for (size_t i = 0; i < p->files.n; i++) {
		struct fl_result *r = &p->results[i];
		size_t out = 0;
		for (size_t k = 0; k < r->findings.n; k++) {
			struct fl_finding *fd = &r->findings.v[k];
			if (fd->ncond) {
				bool keep = true;
				for (int c = 0; c < fd->ncond && keep; c++) {
					bool has = factset_has(
						&fs, fact_hash(fd->cond[c].kind,
							       fd->cond[c].key));
					keep = has != fd->cond[c].unless;
				}
				if (!keep) {
					finding_release(fd);
					continue;
				}
				if (fd->cond_step) {
					struct fl_step *st =
						VEC_PUSH(&fd->trace);
					st->path = xstrdup(fd->path);
					st->loc = fd->loc;
					st->message = fd->cond_step;
					fd->cond_step = NULL;
				}
			}
			r->findings.v[out++] = *fd;
		}
		r->findings.n = out;
	}
	p->factset = &fs;
	revisit_files(p, &fs);
	/* Whole-program checks. */
	for (size_t i = 0; i < fl_ncheck; i++)
		if (p->opt->enabled[i] && fl_checks[i]->global)
			fl_checks[i]->global(p);
	p->factset = NULL;
	u64set_release(&fs.set);
	u64map_release(&fs.counts);
}

/* ------------------------------------------------------------------ */
/* Post: filter, suppress, sort, dedup, fingerprint                    */

static struct fl_result *result_for_path(struct fl_program *p, const char *path)
{
	size_t lo = 0, hi = p->files.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->files.v[mid].path, path);
		if (!c)
			return &p->results[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool keep(struct fl_program *p, struct fl_finding *fd)
{
	if (!p->opt->enabled[check_index(fd->check)])
		return false;
	if (fd->confidence < p->opt->min_confidence)
		return false;
	return true;
}

struct fp_ref {
	char base[33];
	size_t idx;
};

static int fp_ref_cmp(const void *a, const void *b)
{
	const struct fp_ref *x = a, *y = b;
	int c = strcmp(x->base, y->base);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void post(struct fl_program *p)
{
	for (size_t i = 0; i <= p->files.n; i++) {
		struct fl_result *r = i < p->files.n ? &p->results[i]
						     : &p->global;
		for (size_t k = 0; k < r->findings.n; k++) {
			struct fl_finding *fd = &r->findings.v[k];
			bool ok = keep(p, fd);
			if (ok && r == &p->global) {
				struct fl_result *own =
					result_for_path(p, fd->path);
				if (own && suppressed(own, fd)) {
					p->suppressed++;
					ok = false;
				}
			}
			if (ok)
				*VEC_PUSH(&p->findings) = *fd;
			else
				finding_release(fd);
		}
		r->findings.n = 0;
		if (i < p->files.n) {
			for (size_t k = 0; k < r->notes.n; k++)
				*VEC_PUSH(&p->notes) = r->notes.v[k];
			r->notes.n = 0;
		}
	}
	if (p->findings.n)
		qsort(p->findings.v, p->findings.n, sizeof(*p->findings.v),
		      finding_cmp);
	/* Dedup: same rule, place and message. */
	size_t out = 0;
	for (size_t i = 0; i < p->findings.n; i++) {
		struct fl_finding *fd = &p->findings.v[i];
		if (out) {
			struct fl_finding *prev = &p->findings.v[out - 1];
			if (!finding_cmp(prev, fd)) {
				finding_release(fd);
				continue;
			}
		}
		p->findings.v[out++] = *fd;
	}
	p->findings.n = out;
	/* Fingerprints: findings with equal (rule, file, function, key
	 * line) are numbered in source order. */
	struct fp_ref *refs = xcalloc(out ? out : 1, sizeof(*refs));
	for (size_t i = 0; i < out; i++) {
		finding_fingerprint(&p->findings.v[i], 0);
		memcpy(refs[i].base, p->findings.v[i].fingerprint, 33);
		refs[i].idx = i;
	}
	qsort(refs, out, sizeof(*refs), fp_ref_cmp);
	unsigned ord = 0;
	for (size_t i = 0; i < out; i++) {
		ord = (i && !strcmp(refs[i].base, refs[i - 1].base)) ? ord + 1
								     : 0;
		if (ord)
			finding_fingerprint(&p->findings.v[refs[i].idx], ord);
	}
	free(refs);
}

void program_run(struct fl_program *p)
{
	double t0 = now_seconds();
	p->results = xcalloc(p->files.n ? p->files.n : 1, sizeof(*p->results));
	struct fl_hookset *hs = hookset_new(p->opt);
	run_files(p, hs);
	hookset_free(hs);
	double t1 = now_seconds();
	p->seconds_files = t1 - t0;
	for (size_t i = 0; i < p->files.n; i++) {
		struct fl_result *r = &p->results[i];
		p->bytes += r->bytes;
		p->lines += r->lines;
		if (r->analyzed)
			p->analyzed++;
		else
			p->skipped++;
	}
	run_global(p);
	post(p);
	p->seconds_global = now_seconds() - t1;
}

void program_release(struct fl_program *p)
{
	for (size_t i = 0; i < p->files.n; i++) {
		free(p->files.v[i].path);
		if (p->results)
			result_release(&p->results[i]);
	}
	VEC_FREE(&p->files);
	free(p->results);
	p->results = NULL;
	result_release(&p->global);
	for (size_t i = 0; i < p->findings.n; i++)
		finding_release(&p->findings.v[i]);
	VEC_FREE(&p->findings);
	for (size_t i = 0; i < p->notes.n; i++)
		note_release(&p->notes.v[i]);
	VEC_FREE(&p->notes);
}
