/*
 * libFuzzer target for the per-file pipeline: C pre-pass, parse, the walk
 * that builds the model, every check's hooks and file_end, suppressions.
 * The first byte picks the language (even: Python, odd: C); the rest is
 * the file.  Run with `make fuzz FUZZ_SECONDS=60`.
 */
#include "../../src/core/run.h"
#include "../../src/core/walk.h"

#include <stdlib.h>
#include <string.h>

static struct fl_options opt;
static struct fl_hookset *hs;
static struct fl_worker worker;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!hs) {
		lang_init();
		options_init(&opt);
		opt.min_confidence = CONF_LOW;
		opt.file_timeout = 5;
		hs = hookset_new(&opt);
		worker_init(&worker, &opt, hs);
	}
	if (size < 1)
		return 0;
	enum fl_lang lang = (data[0] & 1) ? LANG_C : LANG_PYTHON;
	size_t len = size - 1;
	char *buf = malloc(len + 1);
	memcpy(buf, data + 1, len);
	struct fl_result r;
	memset(&r, 0, sizeof(r));
	struct fl_path fp = {lang == LANG_C ? "fuzz.c" : "fuzz.py", lang, 0};
	analyze_buffer(&worker, &fp, buf, len, &r);
	/* Findings must be well-formed. */
	for (size_t i = 0; i < r.findings.n; i++) {
		const struct fl_finding *fd = &r.findings.v[i];
		if (!fd->message || !fd->loc.line || !fd->frame)
			abort();
		finding_fingerprint(&r.findings.v[i], 0);
	}
	result_release(&r);
	free(buf);
	return 0;
}
