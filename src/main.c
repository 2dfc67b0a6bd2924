/*
 * main.c - the command line: options, subcommands, exit codes.
 *
 * Exit codes: 0 no findings, 1 findings, 2 usage or internal error.
 * Nothing else in faultline exits (except on out-of-memory).
 */
#define _GNU_SOURCE
#include "core/run.h"
#include "core/cfg.h"
#include "core/config.h"
#include "core/gitdiff.h"
#include "core/walk.h"
#include "lang/c/prepass.h"
#include "report/report.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: faultline check [options] [PATH...]\n"
	"       faultline verify --baseline FILE [options] [PATH...]\n"
	"       faultline rules [--format text|json]\n"
	"       faultline explain CODE\n"
	"       faultline parse [--errors] FILE\n"
	"       faultline cfg FILE.py [FUNCTION]\n"
	"       faultline --version | --help\n"
	"\n"
	"Find reliability bugs in Python and C code: locks that protect\n"
	"nothing, swallowed failures, unchecked results, and more.\n"
	"\n"
	"check options:\n"
	"  --format FMT         text (default), json, sarif, markdown or\n"
	"                       html (one self-contained page)\n"
	"  -o, --output FILE    write the report to FILE (atomically)\n"
	"  --select LIST        only these rules: codes (ERR001), code\n"
	"                       prefixes (ERR), family or rule names; comma-\n"
	"                       separated, repeatable\n"
	"  --ignore LIST        leave these rules out (same forms)\n"
	"  --confidence LEVEL   report findings of at least this confidence:\n"
	"                       high, medium (default) or low\n"
	"  -j, --jobs N         worker threads (default: online cores)\n"
	"  --color WHEN         auto (default), always or never\n"
	"  -q, --quiet          no summary and no notes, findings only\n"
	"  --no-progress        never draw the progress line\n"
	"  --exit-zero          exit 0 even when there are findings\n"
	"  --no-ignore          do not honour .gitignore\n"
	"  --max-file-size MB   skip larger files with a note (default 10)\n"
	"  --file-timeout SEC   time limit per file (default 20)\n"
	"  --blank-macro NAME   C: also blank this macro before parsing\n"
	"                       (repeatable; NAME* is a prefix)\n"
	"  --no-macro-prepass   C: parse the source exactly as written\n"
	"  --config FILE        read this configuration file (TOML) instead\n"
	"                       of searching for faultline.toml,\n"
	"                       .faultline.toml or pyproject.toml\n"
	"  --no-config          read no configuration file\n"
	"  --diff REV           only findings whose trace touches a line\n"
	"                       changed since git revision REV\n"
	"  --stats              print timing and throughput on stderr\n"
	"  --write-baseline FILE  record the findings as a baseline (JSON,\n"
	"                       written atomically)\n"
	"  --baseline FILE      check: report only findings not in FILE;\n"
	"                       verify: classify each baseline finding as\n"
	"                       FIXED, STILL PRESENT or MOVED, and new\n"
	"                       ones as NEW (text, json or markdown)\n"
	"\n"
	"Findings are silenced inline with '# faultline: ignore[CODE]' or\n"
	"'// faultline: ignore[CODE]' on the line or the line above, and for\n"
	"a whole file with 'faultline: ignore-file[CODE]'.\n"
	"\n"
	"Exit status: 0 no findings, 1 findings, 2 usage or internal error;\n"
	"for verify, 1 when anything is still present, moved or new.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultline: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'faultline --help'.\n");
	return 2;
}

enum fmt { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_MARKDOWN, FMT_HTML };

static int parse_format(const char *s, enum fmt *fmt)
{
	static const char *const names[] = {"text", "json", "sarif",
					    "markdown", "html"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*fmt = (enum fmt)i;
			return 0;
		}
	return -1;
}

static int emit(FILE *out, enum fmt fmt, const struct fl_program *p,
		const struct report_opts *ro)
{
	switch (fmt) {
	case FMT_JSON:
		return report_json(out, p);
	case FMT_SARIF:
		return report_sarif(out, p);
	case FMT_MARKDOWN:
		return report_markdown(out, p);
	case FMT_HTML:
		return report_html(out, p);
	default:
		return report_text(out, p, ro);
	}
}

enum {
	OPT_FORMAT = 256,
	OPT_SELECT,
	OPT_IGNORE,
	OPT_CONFIDENCE,
	OPT_COLOR,
	OPT_NO_PROGRESS,
	OPT_EXIT_ZERO,
	OPT_NO_IGNORE,
	OPT_MAX_SIZE,
	OPT_TIMEOUT,
	OPT_BLANK_MACRO,
	OPT_NO_PREPASS,
	OPT_STATS,
	OPT_HELP,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_DIFF,
};

static const struct option check_opts[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"select", required_argument, NULL, OPT_SELECT},
	{"ignore", required_argument, NULL, OPT_IGNORE},
	{"confidence", required_argument, NULL, OPT_CONFIDENCE},
	{"jobs", required_argument, NULL, 'j'},
	{"color", required_argument, NULL, OPT_COLOR},
	{"quiet", no_argument, NULL, 'q'},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"exit-zero", no_argument, NULL, OPT_EXIT_ZERO},
	{"no-ignore", no_argument, NULL, OPT_NO_IGNORE},
	{"max-file-size", required_argument, NULL, OPT_MAX_SIZE},
	{"file-timeout", required_argument, NULL, OPT_TIMEOUT},
	{"blank-macro", required_argument, NULL, OPT_BLANK_MACRO},
	{"no-macro-prepass", no_argument, NULL, OPT_NO_PREPASS},
	{"stats", no_argument, NULL, OPT_STATS},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"no-config", no_argument, NULL, OPT_NO_CONFIG},
	{"diff", required_argument, NULL, OPT_DIFF},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Apply a comma-separated selector list; returns -1 on an unknown one. */
static int apply_selectors(bool *mask, const char *list, bool value,
			   const char **bad)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *s = strtok_r(copy, ", ", &save); s;
	     s = strtok_r(NULL, ", ", &save)) {
		bool any = false;
		for (size_t i = 0; i < fl_ncheck; i++)
			if (check_matches(fl_checks[i], s)) {
				mask[i] = value;
				any = true;
			}
		if (!any) {
			static char badbuf[128];
			snprintf(badbuf, sizeof(badbuf), "%s", s);
			*bad = badbuf;
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

struct emit_args {
	enum fmt fmt;
	const struct fl_program *p;
	const struct report_opts *ro;
};

static int emit_cb(FILE *out, void *ud)
{
	const struct emit_args *a = ud;
	return emit(out, a->fmt, a->p, a->ro);
}

/* Standard output, or FILE written atomically (temporary file and
 * rename) so a reader never sees half a report and a failure leaves the
 * old file. */
static int write_report(const char *path, enum fmt fmt,
			const struct fl_program *p,
			const struct report_opts *ro)
{
	if (!path) {
		int rc = emit(stdout, fmt, p, ro);
		if (fflush(stdout) != 0 || ferror(stdout))
			return error("cannot write the report: %s",
				     strerror(errno));
		return rc;
	}
	struct emit_args a = {fmt, p, ro};
	return write_atomic(path, "report", emit_cb, &a);
}

static void print_stats(const struct fl_program *p)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double secs = p->seconds_files + p->seconds_global;
	double cpu = p->cpu_files > 0 ? p->cpu_files : secs;
	uint64_t enodes = 0, ebytes = 0, efiles = 0;
	for (size_t i = 0; i < p->files.n; i++) {
		enodes += p->results[i].error_nodes;
		ebytes += p->results[i].error_bytes;
		efiles += p->results[i].error_nodes > 0;
	}
	fprintf(stderr,
		"faultline: %zu files (%llu analysed), %.1f MB, %llu lines\n"
		"faultline: files %.3f s wall, %.3f s cpu; global+post %.3f s\n"
		"faultline: %.2f MB/s and %.0f lines/s per cpu-second; peak "
		"RSS %.1f MB\n"
		"faultline: syntax errors: %llu error nodes in %llu files "
		"(%.1f%% of files), %.2f%% of bytes\n",
		p->files.n, (unsigned long long)p->analyzed, p->bytes / 1e6,
		(unsigned long long)p->lines, p->seconds_files, p->cpu_files,
		p->seconds_global, cpu > 0 ? p->bytes / 1e6 / cpu : 0,
		cpu > 0 ? p->lines / cpu : 0, ru.ru_maxrss / 1024.0,
		(unsigned long long)enodes, (unsigned long long)efiles,
		p->analyzed ? 100.0 * efiles / p->analyzed : 0,
		p->bytes ? 100.0 * ebytes / p->bytes : 0);
}

/* Drop the findings a baseline already holds (check --baseline). */
static void drop_known(struct fl_program *p, const struct fl_baseline *b)
{
	int *bm = xcalloc(b->v.n + 1, sizeof(int));
	enum fl_status *bs = xcalloc(b->v.n + 1, sizeof(*bs));
	int *nm = xcalloc(p->findings.n + 1, sizeof(int));
	baseline_match(b, p, bm, bs, nm);
	size_t out = 0;
	for (size_t j = 0; j < p->findings.n; j++) {
		if (nm[j] >= 0) {
			finding_release(&p->findings.v[j]);
			continue;
		}
		p->findings.v[out++] = p->findings.v[j];
	}
	p->findings.n = out;
	free(bm);
	free(bs);
	free(nm);
}

struct verify_args {
	enum fmt fmt;
	const struct verify_view *v;
	const struct report_opts *ro;
};

static int verify_cb(FILE *out, void *ud)
{
	const struct verify_args *a = ud;
	switch (a->fmt) {
	case FMT_JSON:
		return report_verify_json(out, a->v);
	case FMT_MARKDOWN:
		return report_verify_markdown(out, a->v);
	default:
		return report_verify_text(out, a->v, a->ro);
	}
}

/* verify: classify, report, and say whether anything is left. */
static int do_verify(const char *output, enum fmt fmt, struct fl_program *p,
		     const struct fl_baseline *b, const struct report_opts *ro)
{
	int *bm = xcalloc(b->v.n + 1, sizeof(int));
	enum fl_status *bs = xcalloc(b->v.n + 1, sizeof(*bs));
	int *nm = xcalloc(p->findings.n + 1, sizeof(int));
	baseline_match(b, p, bm, bs, nm);
	struct verify_view v = {b, p, bm, bs, nm};
	struct verify_args a = {fmt, &v, ro};
	int rc;
	if (output) {
		rc = write_atomic(output, "report", verify_cb, &a);
	} else {
		rc = verify_cb(stdout, &a);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = error("cannot write the report: %s",
				   strerror(errno));
	}
	bool open = false;
	for (size_t i = 0; i < b->v.n; i++)
		open |= bs[i] != ST_FIXED;
	for (size_t j = 0; j < p->findings.n; j++)
		open |= nm[j] < 0;
	free(bm);
	free(bs);
	free(nm);
	if (rc < 0)
		return 2;
	return open ? 1 : 0;
}

static int cmd_check(int argc, char **argv, bool verify)
{
	struct fl_options opt;
	options_init(&opt);
	enum fmt fmt = FMT_TEXT;
	const char *output = NULL;
	int color = -1; /* auto */
	bool quiet = false, progress = true, exit_zero = false, stats = false;
	bool *sel = NULL;
	const char *bad = NULL;
	const char *baseline = NULL, *write_baseline = NULL;
	const char *config_file = NULL, *diff_rev = NULL;
	struct changed_lines changed;
	memset(&changed, 0, sizeof(changed));
	bool no_config = false, cli_conf = false, cli_size = false,
	     cli_timeout = false;
	struct fl_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	struct fl_baseline base;
	memset(&base, 0, sizeof(base));
	int rc = 2;
	VEC(const char *) macros = {0};

	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:j:q", check_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (parse_format(optarg, &fmt) < 0) {
				rc = usage_error("unknown format '%s' (text, "
						 "json, sarif, markdown or "
						 "html)",
						 optarg);
				goto out;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SELECT:
			if (!sel)
				sel = xcalloc(fl_ncheck, sizeof(bool));
			if (apply_selectors(sel, optarg, true, &bad) < 0) {
				rc = usage_error("--select: no rule matches "
						 "'%s'",
						 bad);
				goto out;
			}
			break;
		case OPT_IGNORE:
			if (apply_selectors(opt.enabled, optarg, false, &bad) <
			    0) {
				rc = usage_error("--ignore: no rule matches "
						 "'%s'",
						 bad);
				goto out;
			}
			break;
		case OPT_CONFIDENCE: {
			int v = confidence_parse(optarg);
			if (v < 0) {
				rc = usage_error("unknown confidence '%s' "
						 "(high, medium or low)",
						 optarg);
				goto out;
			}
			opt.min_confidence = v;
			cli_conf = true;
			break;
		}
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024) {
				rc = usage_error("--jobs wants a number from "
						 "1 to 1024, not '%s'",
						 optarg);
				goto out;
			}
			opt.jobs = (int)n;
			break;
		}
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				color = -1;
			else if (!strcmp(optarg, "always"))
				color = 1;
			else if (!strcmp(optarg, "never"))
				color = 0;
			else {
				rc = usage_error("--color wants auto, always "
						 "or never, not '%s'",
						 optarg);
				goto out;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_NO_PROGRESS:
			progress = false;
			break;
		case OPT_EXIT_ZERO:
			exit_zero = true;
			break;
		case OPT_NO_IGNORE:
			opt.no_ignore = true;
			break;
		case OPT_MAX_SIZE: {
			char *end;
			double mb = strtod(optarg, &end);
			if (*end || !(mb > 0) || mb > 4000) {
				rc = usage_error("--max-file-size wants "
						 "megabytes (0 < MB <= 4000), "
						 "not '%s'",
						 optarg);
				goto out;
			}
			opt.max_file_size = (size_t)(mb * 1e6);
			cli_size = true;
			break;
		}
		case OPT_TIMEOUT: {
			char *end;
			double s = strtod(optarg, &end);
			if (*end || !(s > 0)) {
				rc = usage_error("--file-timeout wants seconds,"
						 " not '%s'",
						 optarg);
				goto out;
			}
			opt.file_timeout = s;
			cli_timeout = true;
			break;
		}
		case OPT_BLANK_MACRO:
			*VEC_PUSH(&macros) = optarg;
			break;
		case OPT_NO_PREPASS:
			opt.prepass = false;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case OPT_BASELINE:
			baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			write_baseline = optarg;
			break;
		case OPT_CONFIG:
			config_file = optarg;
			break;
		case OPT_NO_CONFIG:
			no_config = true;
			break;
		case OPT_DIFF:
			diff_rev = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		default:
			rc = usage_error("%s", "bad option");
			goto out;
		}
	}
	if (verify && !baseline) {
		rc = usage_error("%s", "verify needs --baseline FILE (written "
				       "by 'faultline check --write-baseline "
				       "FILE')");
		goto out;
	}
	if (verify && (fmt == FMT_SARIF || fmt == FMT_HTML)) {
		rc = usage_error("%s", "verify writes text, json or markdown");
		goto out;
	}
	/* Read the baseline before any work: a broken one stops the run,
	 * and is never overwritten. */
	if (baseline && baseline_read(baseline, &base) < 0) {
		rc = 2;
		goto out;
	}
	if (diff_rev && changed_lines_since(diff_rev, &changed) < 0) {
		rc = 2;
		goto out;
	}
	/* The configuration file, under the command line. */
	if (!no_config && config_load(config_file, &cfg) < 0) {
		rc = 2;
		goto out;
	}
	if (cfg.has_select && !sel) {
		sel = xcalloc(fl_ncheck, sizeof(bool));
		for (size_t k = 0; k < cfg.select.n; k++)
			apply_selectors(sel, cfg.select.v[k], true, &bad);
	}
	for (size_t k = 0; k < cfg.ignore.n; k++)
		apply_selectors(opt.enabled, cfg.ignore.v[k], false, &bad);
	if (cfg.confidence >= 0 && !cli_conf)
		opt.min_confidence = cfg.confidence;
	if (cfg.max_file_size_mb > 0 && !cli_size)
		opt.max_file_size = (size_t)(cfg.max_file_size_mb * 1e6);
	if (cfg.file_timeout > 0 && !cli_timeout)
		opt.file_timeout = cfg.file_timeout;
	opt.config = &cfg;
	for (size_t k = 0; k < fl_api_ext.macros.n; k++)
		*VEC_PUSH(&macros) = fl_api_ext.macros.v[k];
	if (sel)
		for (size_t i = 0; i < fl_ncheck; i++)
			opt.enabled[i] = opt.enabled[i] && sel[i];
	opt.extra_macros = macros.v;
	opt.nextra_macros = macros.n;
	macros.v = NULL;
	opt.progress = progress && !quiet && isatty(2);

	const char *def[] = {"."};
	const char *const *paths = optind < argc ? (const char *const *)argv + optind
						 : def;
	size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;

	struct fl_program p;
	memset(&p, 0, sizeof(p));
	p.opt = &opt;
	double t0 = now_seconds();
	if (discover(&p, paths, npaths) < 0) {
		program_release(&p);
		rc = 2;
		goto out;
	}
	p.seconds_discover = now_seconds() - t0;
	program_run(&p);
	/* per-file-ignores of the configuration; --diff: only findings
	 * whose trace touches a changed line */
	if (cfg.per_file_ignores.n || diff_rev) {
		size_t kept = 0;
		for (size_t k = 0; k < p.findings.n; k++) {
			struct fl_finding *fd = &p.findings.v[k];
			bool ign = config_ignores(&cfg, fd);
			if (ign || (diff_rev && !changed_lines_touch(&changed, fd))) {
				p.suppressed += ign;
				finding_release(fd);
				continue;
			}
			p.findings.v[kept++] = *fd;
		}
		p.findings.n = kept;
	}

	struct report_opts ro = {0};
	ro.quiet = quiet;
	ro.color = color == 1 || (color == -1 && !output && isatty(1) &&
				  !getenv("NO_COLOR"));
	if (!quiet)
		for (size_t i = 0; i < p.notes.n; i++)
			fprintf(stderr, "note: %s: %s\n", p.notes.v[i].path,
				p.notes.v[i].message);
	if (write_baseline && baseline_write(write_baseline, &p) < 0) {
		program_release(&p);
		rc = 2;
		goto out;
	}
	if (verify) {
		rc = do_verify(output, fmt, &p, &base, &ro);
		if (rc == 1 && exit_zero)
			rc = 0;
		if (stats)
			print_stats(&p);
		program_release(&p);
		goto out;
	}
	if (baseline)
		drop_known(&p, &base);
	if (write_report(output, fmt, &p, &ro) < 0) {
		program_release(&p);
		rc = 2;
		goto out;
	}
	if (stats)
		print_stats(&p);
	rc = p.findings.n && !exit_zero ? 1 : 0;
	program_release(&p);
out:
	baseline_release(&base);
	config_release(&cfg);
	changed_lines_release(&changed);
	free(sel);
	VEC_FREE(&macros);
	options_release(&opt);
	return rc;
}

static int cmp_check_code(const void *a, const void *b)
{
	return strcmp((*(const struct fl_check *const *)a)->code,
		      (*(const struct fl_check *const *)b)->code);
}

static int cmd_rules(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			const char *f = argv[++i];
			if (!strcmp(f, "json"))
				json = true;
			else if (strcmp(f, "text"))
				return usage_error("unknown format '%s' (text "
						   "or json)",
						   f);
		} else if (!strcmp(argv[i], "--format=json")) {
			json = true;
		} else if (!strcmp(argv[i], "--format=text")) {
			json = false;
		} else {
			return usage_error("rules: unknown argument '%s'",
					   argv[i]);
		}
	}
	/* listed by code, as a reader looks them up */
	const struct fl_check **order = xmalloc(fl_ncheck * sizeof(*order));
	int namew = 4;
	for (size_t i = 0; i < fl_ncheck; i++) {
		order[i] = fl_checks[i];
		if ((int)strlen(fl_checks[i]->name) > namew)
			namew = (int)strlen(fl_checks[i]->name);
	}
	qsort(order, fl_ncheck, sizeof(*order), cmp_check_code);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < fl_ncheck; i++) {
			const struct fl_check *ck = order[i];
			json_t *o = json_object();
			json_object_set_new(o, "code", json_string(ck->code));
			json_object_set_new(o, "name", json_string(ck->name));
			json_object_set_new(o, "family",
					    json_string(family_name(ck->family)));
			json_t *langs = json_array();
			for (int l = 1; l < LANG__COUNT; l++)
				if (ck->langs & LANG_BIT(l))
					json_array_append_new(
						langs, json_string(lang_name(l)));
			json_object_set_new(o, "languages", langs);
			json_object_set_new(o, "severity",
					    json_string(severity_name(ck->severity)));
			json_object_set_new(o, "cwe", json_cwe_array(ck->cwe));
			json_object_set_new(o, "summary", json_string(ck->summary));
			json_array_append_new(arr, o);
		}
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
		free(order);
		return 0;
	}
	printf("%-7s %-*s %-12s %-8s %-8s %-16s %s\n", "CODE", namew, "NAME",
	       "FAMILY", "LANG", "SEVERITY", "CWE", "SUMMARY");
	for (size_t i = 0; i < fl_ncheck; i++) {
		const struct fl_check *ck = order[i];
		char langs[32] = "";
		for (int l = 1; l < LANG__COUNT; l++)
			if (ck->langs & LANG_BIT(l)) {
				if (langs[0])
					strcat(langs, ",");
				strcat(langs, lang_name(l));
			}
		printf("%-7s %-*s %-12s %-8s %-8s %-16s %s\n", ck->code,
		       namew, ck->name, family_name(ck->family), langs,
		       severity_name(ck->severity), ck->cwe, ck->summary);
	}
	free(order);
	return 0;
}

static int cmd_explain(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("%s", "explain wants one rule code, e.g. "
					 "'faultline explain ERR001'");
	const struct fl_check *ck = check_by_code(argv[1]);
	if (!ck)
		return usage_error("no rule '%s' (see 'faultline rules')",
				   argv[1]);
	const char *doc = check_doc(ck);
	if (!doc) {
		printf("%s %s\n\n%s\n", ck->code, ck->name, ck->summary);
		return 0;
	}
	fputs(doc, stdout);
	return 0;
}

/* Print "line: text" for each outermost ERROR or MISSING node. */
static void print_errors(TSNode n, const char *src, uint32_t len)
{
	if (ts_node_is_error(n) || ts_node_is_missing(n)) {
		uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
		if (e > len)
			e = len;
		uint32_t show = e - s > 70 ? 70 : e - s;
		printf("%u: %s ", ts_node_start_point(n).row + 1,
		       ts_node_is_missing(n) ? "MISSING" : "ERROR");
		for (uint32_t i = s; i < s + show; i++)
			putchar(src[i] == '\n' ? ' ' : src[i]);
		putchar('\n');
		return;
	}
	uint32_t c = ts_node_child_count(n);
	for (uint32_t i = 0; i < c; i++) {
		TSNode ch = ts_node_child(n, i);
		if (ts_node_has_error(ch) || ts_node_is_missing(ch))
			print_errors(ch, src, len);
	}
}

/* Debugging aid: print the syntax tree faultline sees (after the C
 * pre-pass) as an S-expression, or with --errors only where it fails. */
static int cmd_parse(int argc, char **argv)
{
	bool errors_only = argc == 3 && !strcmp(argv[1], "--errors");
	if (errors_only) {
		argv++;
		argc--;
	}
	if (argc != 2)
		return usage_error("%s", "parse wants one file");
	enum fl_lang lang = lang_from_path(argv[1]);
	if (lang == LANG_NONE)
		return usage_error("cannot tell the language of '%s'", argv[1]);
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		error("cannot open '%s': %s", argv[1], strerror(errno));
		return 2;
	}
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		strbuf_add(&sb, chunk, n);
	fclose(in);
	if (lang == LANG_C && sb.len)
		c_prepass(sb.buf, sb.len, NULL, 0);
	TSParser *parser = ts_parser_new();
	ts_parser_set_language(parser, lang_info(lang)->ts);
	TSTree *tree = ts_parser_parse_string(parser, NULL, strbuf_str(&sb),
					      (uint32_t)sb.len);
	if (errors_only) {
		print_errors(ts_tree_root_node(tree), strbuf_str(&sb),
			     (uint32_t)sb.len);
	} else {
		char *s = ts_node_string(ts_tree_root_node(tree));
		puts(s);
		free(s);
	}
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	strbuf_release(&sb);
	return 0;
}

static const char *const cfg_kind_names[] = {
	"?", "ENTRY", "EXIT", "RAISE", "STMT", "RETURN", "COND", "LOOP",
	"WITH_ENTER", "WITH_EXIT", "DISPATCH", "HANDLER", "JOIN",
};

/* Debugging aid: print the control-flow graph of every function (or of
 * those whose qualified name contains FILTER) of a Python file. */
static int cmd_cfg(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return usage_error("%s", "cfg wants a Python file and "
					 "optionally a function name");
	struct fl_options opt;
	options_init(&opt);
	struct fl_hookset *hs = hookset_new(&opt);
	struct fl_worker w;
	worker_init(&w, &opt, hs);
	struct fl_path fp = {argv[1], lang_from_path(argv[1]), 0};
	int rc = 0;
	FILE *in = fopen(argv[1], "rb");
	if (fp.lang != LANG_PYTHON || !in) {
		rc = usage_error("cannot read '%s' as Python", argv[1]);
		goto out;
	}
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		strbuf_add(&sb, chunk, n);
	strbuf_grow(&sb, 1);
	struct fl_result r;
	memset(&r, 0, sizeof(r));
	struct fl_file f;
	if (file_load(&w, &f, &fp, sb.buf ? sb.buf : xstrdup(""), sb.len, &r)) {
		for (size_t i = 0; i < f.m.funcs.n; i++) {
			const struct fl_func *fn = &f.m.funcs.v[i];
			if (argc == 3 && !strstr(fn->qualname, argv[2]))
				continue;
			const struct cfg *g = cfg_of(&f, (int)i);
			if (!g)
				continue;
			printf("%s (line %u): %zu nodes\n", fn->qualname,
			       fl_line_of(&f, fn->start), g->nodes.n);
			for (size_t k = 0; k < g->nodes.n; k++) {
				const struct cfg_node *nd = &g->nodes.v[k];
				struct fl_loc l = fl_loc_of(&f, nd->node);
				const char *t = fl_text(&f, nd->node);
				size_t tl = strcspn(t, "\n");
				printf("  %3zu %-10s %u:%u '%.*s'", k,
				       cfg_kind_names[nd->kind], l.line, l.col,
				       (int)(tl > 40 ? 40 : tl), t);
				for (uint32_t j = 0; j < nd->n; j++)
					printf("%s%d", j ? "," : " -> ",
					       nd->succ[j]);
				if (nd->exc >= 0)
					printf(" !exc %d", nd->exc);
				if (nd->flags & NF_EXC_COPY)
					printf(" (exception copy)");
				putchar('\n');
			}
		}
		file_unload(&w, &f);
	}
	result_release(&r);
	strbuf_release(&sb);
out:
	if (in)
		fclose(in);
	worker_release(&w);
	hookset_free(hs);
	options_release(&opt);
	return rc;
}

int main(int argc, char **argv)
{
	lang_init();
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("faultline %s (tree-sitter runtime 0.25.1, python "
		       "grammar 0.25.0, c grammar 0.24.1)\n",
		       FAULTLINE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "verify"))
		return cmd_check(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(argc - 1, argv + 1);
	if (!strcmp(cmd, "parse"))
		return cmd_parse(argc - 1, argv + 1);
	if (!strcmp(cmd, "cfg"))
		return cmd_cfg(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
