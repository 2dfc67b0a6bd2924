# faultline build.  Quick start (see README):
#   make run [TARGET=path]   set up, build, scan examples/ (or TARGET)
#   make test                set up, build, run every test
# Other targets: all, install PREFIX=..., fuzz [FUZZ_SECONDS=60], golden,
# bench, clean.

CC ?= gcc
PREFIX ?= /usr/local
TARGET ?= examples
FUZZ_SECONDS ?= 60

TS := node_modules/tree-sitter/vendor/tree-sitter/lib
TSPY := node_modules/tree-sitter-python/src
TSC := node_modules/tree-sitter-c/src
TSTOML := node_modules/@tree-sitter-grammars/tree-sitter-toml/src

OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
PKGS := jansson libgit2 libxxhash
CPPFLAGS_FL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$(TS)/include
CFLAGS_FL = -std=c11 $(OPT) $(WARN) -pthread $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_FL = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lgit2 -lxxhash) -pthread
# Third-party C sources: same optimisation, their own warnings.
CFLAGS_TS = -std=c11 $(OPT) -D_POSIX_C_SOURCE=200112L -D_DEFAULT_SOURCE -I$(TS)/include -I$(TS)/src -w

SRC := $(sort $(wildcard src/core/*.c src/lang/*/*.c src/checks/*/*.c src/report/*.c))
DOCS := $(sort $(wildcard docs/rules/*.md))
TS_SRC := $(TS)/src/lib.c $(TSPY)/parser.c $(TSPY)/scanner.c $(TSC)/parser.c

# Per build flavour: B=build dir, extra flags.
# release: build/      asan: build/asan/
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SETUP := build/.setup
SETUP_TEST := build/.setup-test
SETUP_FUZZ := build/.setup-fuzz

.PHONY: all run test install fuzz golden bench clean setup

all: build/faultline

$(SETUP): package.json package-lock.json scripts/setup
	@mkdir -p build
	@scripts/setup
	@touch $@

$(SETUP_TEST): $(SETUP) scripts/setup
	@scripts/setup --test
	@touch $@

$(SETUP_FUZZ): $(SETUP) scripts/setup
	@scripts/setup --fuzz
	@touch $@

setup: $(SETUP)

# ---- generated: rule docs embedded in the binary -------------------------
build/gen/docs.c: $(DOCS) scripts/gen-docs
	@mkdir -p build/gen
	scripts/gen-docs $(DOCS) > $@.tmp && mv $@.tmp $@

# ---- objects --------------------------------------------------------------
define flavour
# $(1) = dir, $(2) = extra cflags, $(3) = extra ldflags
$(1)/obj/%.o: src/%.c $(SETUP) $$(wildcard src/*/*.h src/*/*/*.h src/checks/checks.def)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS_FL) $$(CFLAGS_FL) $(2) -c $$< -o $$@

$(1)/obj/gen/docs.o: build/gen/docs.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_FL) $(2) -c $$< -o $$@

$(1)/ts/lib.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) $(2) -c $(TS)/src/lib.c -o $$@
$(1)/ts/python-parser.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) -I$(TSPY) $(2) -c $(TSPY)/parser.c -o $$@
$(1)/ts/python-scanner.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) -I$(TSPY) $(2) -c $(TSPY)/scanner.c -o $$@
$(1)/ts/c-parser.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) -I$(TSC) $(2) -c $(TSC)/parser.c -o $$@
$(1)/ts/toml-parser.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) -I$(TSTOML) $(2) -c $(TSTOML)/parser.c -o $$@
$(1)/ts/toml-scanner.o: $(SETUP)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_TS) -I$(TSTOML) $(2) -c $(TSTOML)/scanner.c -o $$@

$(1)/libfaultline.a: $(patsubst src/%.c,$(1)/obj/%.o,$(SRC)) $(1)/obj/gen/docs.o \
		$(1)/ts/lib.o $(1)/ts/python-parser.o $(1)/ts/python-scanner.o $(1)/ts/c-parser.o \
		$(1)/ts/toml-parser.o $(1)/ts/toml-scanner.o
	@rm -f $$@
	ar rcs $$@ $$^

$(1)/faultline: $(1)/obj/main.o $(1)/libfaultline.a
	$$(CC) $(2) -o $$@ $$^ $$(LIBS_FL) $(3)
endef

$(eval $(call flavour,build,,))
$(eval $(call flavour,build/asan,$(ASAN_FLAGS),$(ASAN_FLAGS)))

# ---- tests ------------------------------------------------------------------
build/fixtures: tests/fixtures/runner.c build/libfaultline.a
	$(CC) $(CPPFLAGS_FL) $(CFLAGS_FL) -o $@ $< build/libfaultline.a $(LIBS_FL)
build/asan/fixtures: tests/fixtures/runner.c build/asan/libfaultline.a
	$(CC) $(CPPFLAGS_FL) $(CFLAGS_FL) $(ASAN_FLAGS) -o $@ $< build/asan/libfaultline.a $(LIBS_FL) $(ASAN_FLAGS)
build/unit: $(wildcard tests/unit/*.c) build/libfaultline.a $(SETUP_TEST)
	$(CC) $(CPPFLAGS_FL) $(CFLAGS_FL) -o $@ $(wildcard tests/unit/*.c) build/libfaultline.a $(LIBS_FL) -lcmocka

test: $(SETUP_TEST) build/faultline build/asan/faultline build/fixtures build/asan/fixtures build/unit
	@tests/run-all

golden: build/faultline
	tests/cli/golden --update

# ---- fuzzing (libFuzzer, Debian's clang) ------------------------------------
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
build/fuzz/fuzz-file: tests/fuzz/fuzz_file.c $(SETUP_FUZZ) build/gen/docs.c
	@mkdir -p build/fuzz
	$(MAKE) --no-print-directory CC=clang build/fuzz/libfaultline.a FUZZ_EXTRA="$(FUZZ_FLAGS)"
	clang $(CPPFLAGS_FL) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libfaultline.a $(LIBS_FL)
$(eval $(call flavour,build/fuzz,$$(FUZZ_EXTRA),))

fuzz: build/fuzz/fuzz-file
	@mkdir -p build/fuzz/corpus
	cp -n tests/fuzz/seeds/* build/fuzz/corpus/ 2>/dev/null || true
	build/fuzz/fuzz-file -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 build/fuzz/corpus

# ---- run, install, bench ----------------------------------------------------
run: build/faultline
	@build/faultline check $(TARGET); rc=$$?; [ $$rc -le 1 ] || exit $$rc

install: build/faultline
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/doc/faultline/rules
	install -m 755 build/faultline $(DESTDIR)$(PREFIX)/bin/faultline
	install -m 644 docs/faultline.1 $(DESTDIR)$(PREFIX)/share/man/man1/faultline.1
	install -m 644 $(DOCS) $(DESTDIR)$(PREFIX)/share/doc/faultline/rules/
	install -m 644 docs/output.md docs/baseline.md docs/config.md docs/ci.md \
		$(DESTDIR)$(PREFIX)/share/doc/faultline/

bench: build/faultline
	bench/run

clean:
	rm -rf build
