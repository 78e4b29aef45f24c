# yizhan — one non-recursive Makefile.
#
#   make            build ./yizhan (release flags, objects in build/release/)
#   make run        install missing packages, build, serve the bundled dataset
#   make test       install missing packages, build, run every test (unit,
#                   end-to-end, fuzz replay, the page in headless Chromium),
#                   then the unit and end-to-end tests again under ASan + UBSan
#   make SAN=address,undefined …   any target with a sanitized tree (build/san/)
#   make fuzz       build and run the libFuzzer targets for a while (clang)
#   make bench      benchmarks in scripts/bench/
#   make golden-update   redraw the golden tiles (tests/golden/); review with git diff
#
# Flags come from pkg-config.  No -march=native, no -ffast-math: golden tiles
# and routing results must be identical on every machine.

SHELL := /bin/sh
CC ?= cc
PKGS := libmicrohttpd gdal proj libpng libdeflate zlib freetype2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-missing-field-initializers -Wvla -Wformat=2
CSTD := -std=c11 -D_GNU_SOURCE

ifdef FUZZ
# libFuzzer build: clang, every object instrumented for coverage.
CC := clang
MODE := fuzz
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else ifdef SAN
MODE := san
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SAN) -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SAN)
else
MODE := release
OPT := -O2 -g
LDSAN :=
endif

B := build/$(MODE)
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -I. $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(LDSAN) $(PKG_LIBS) -lm -lpthread $(LDLIBS)

# Library code: every .c of these folders except the program's entry point.
LIB_SRC := $(wildcard common/*.c data/*.c routing/*.c tiles/*.c server/*.c)
LIB_SRC := $(filter-out server/main.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/server/main.o

# Unit tests: tests/unit/check_<name>.c defines `Suite *<name>_suite(void)`.
UNIT_SRC := $(wildcard tests/unit/check_*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
UNIT_NAMES := $(patsubst tests/unit/check_%.c,%,$(UNIT_SRC))
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(B)/%.o)

# End-to-end tests: tests/e2e/e2e_<name>.c, same Suite convention, run against
# the real ./yizhan binary of the same mode.
E2E_SRC := $(wildcard tests/e2e/e2e_*.c)
E2E_OBJ := $(E2E_SRC:%.c=$(B)/%.o)
E2E_NAMES := $(patsubst tests/e2e/e2e_%.c,%,$(E2E_SRC))

ifneq ($(MODE),release)
PROG := $(B)/yizhan
else
PROG := yizhan
endif

# Fuzz targets: tests/fuzz/fuzz_<name>.c over tests/fuzz/corpus/<name>/ (seeds)
# and tests/fuzz/regressions/<name>/ (every past crasher, kept with its fix).
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

.PHONY: all run test test-unit test-e2e test-browser test-san test-fuzz-replay deps clean fuzz bench golden-update
all: $(PROG)

# Keep objects made on the way to pattern targets (fuzz replays).
.SECONDARY:

$(PROG): $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

# The runner's list of suites is generated from the file names, so adding a
# test file needs no edit anywhere else.
$(B)/tests/unit/suites.h: $(UNIT_SRC) Makefile
	@mkdir -p $(@D)
	@{ for n in $(UNIT_NAMES); do echo "SUITE($$n)"; done; } > $@.tmp && mv $@.tmp $@
$(B)/tests/e2e/suites.h: $(E2E_SRC) Makefile
	@mkdir -p $(@D)
	@{ for n in $(E2E_NAMES); do echo "SUITE($$n)"; done; } > $@.tmp && mv $@.tmp $@

$(B)/tests/unit/runner.o: tests/runner.c $(B)/tests/unit/suites.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -I$(B)/tests/unit -c $< -o $@
$(B)/tests/e2e/runner.o: tests/runner.c $(B)/tests/e2e/suites.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -I$(B)/tests/e2e -c $< -o $@

$(B)/unit_tests: $(B)/tests/unit/runner.o $(UNIT_OBJ) $(TEST_SUPPORT_OBJ) $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(CHECK_LIBS) $(LDLIBS_ALL)
$(B)/e2e_tests: $(B)/tests/e2e/runner.o $(E2E_OBJ) $(TEST_SUPPORT_OBJ) $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(CHECK_LIBS) $(LDLIBS_ALL)

# Tests find the shared data sets beside the repository (../shared/data) and
# the program under test through YZ_BIN.
test-unit: $(B)/unit_tests
	YZ_SHARED_DATA=$(CURDIR)/../shared/data $(B)/unit_tests
test-e2e: $(B)/e2e_tests $(PROG)
	YZ_BIN=$(CURDIR)/$(PROG) YZ_SHARED_DATA=$(CURDIR)/../shared/data $(B)/e2e_tests

# Browser tests (tests/browser/): web/nav.js's unit test, and the page in
# headless Chromium (/usr/bin/chromium) driven by playwright-core against the
# real ./yizhan serve on a free loopback port; screenshots in build/browser/.
test-browser: $(PROG)
	@[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
	sh tests/browser/run.sh ./$(PROG)

# Replay: the targets linked with a plain main (tests/fuzz/replay.c), so any
# compiler and the sanitized tree can run the corpus and the crashers.
$(B)/fuzz_replay_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/replay.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)
test-fuzz-replay: $(FUZZ_NAMES:%=$(B)/fuzz_replay_%)
	@for n in $(FUZZ_NAMES); do \
		dirs=""; for d in tests/fuzz/corpus/$$n tests/fuzz/regressions/$$n; do \
			[ -d $$d ] && dirs="$$dirs $$d"; done; \
		[ -n "$$dirs" ] || continue; \
		$(B)/fuzz_replay_$$n $$dirs || exit 1; \
	done

# libFuzzer: `make fuzz` runs every target FUZZ_SECONDS seconds (clang).
$(B)/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(LIB_OBJ)
	$(CC) $(OPT) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_ALL)
fuzz:
	$(MAKE) FUZZ=1 $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
	@for n in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz: $$n ($(FUZZ_SECONDS) s)"; \
		build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus/$$n \
			$$( [ -d tests/fuzz/corpus/$$n ] && echo tests/fuzz/corpus/$$n ) 2>&1 | \
			grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true; \
	done

deps:
	@sh scripts/install-deps

# The sanitized pass reuses every test, in its own object tree.
test-san:
	$(MAKE) SAN=address,undefined test-unit test-e2e test-fuzz-replay

test: deps
	$(MAKE) all
	$(MAKE) test-unit
	$(MAKE) test-e2e
	$(MAKE) test-fuzz-replay
	$(MAKE) test-browser
	$(MAKE) test-san

# Golden tiles: redraw tests/golden/manifest.txt's list with ./yizhan render
# into tests/golden/expected/ and rewrite the hashes; review with git diff.
golden-update: $(PROG)
	sh scripts/golden-update ./$(PROG)

run: deps
	$(MAKE) all
	./yizhan serve

clean:
	rm -rf build yizhan

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- bench (issues 3, 4 and 5) ----------------------------------------------
# `make bench`: the compute-only routing benchmark (build/release/routing_bench,
# linked with the library objects), then scripts/bench/run.sh (yizhan vs
# pgRouting, and HTTP with wrk), then scripts/bench/tiles.sh (tiles: yizhan vs
# Mapnik and MapServer uncached, vs nginx cached), and scripts/bench/coverage.sh
# (coverage and suggest vs pgRouting); raw outputs in /tmp/yizhan-bench/ (tiles
# in /tmp/yizhan-bench/tiles/).
$(B)/routing_bench: $(B)/scripts/bench/routing_bench.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)
$(B)/coverage_bench: $(B)/scripts/bench/coverage_bench.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)
$(B)/tile_split: $(B)/scripts/bench/tile_split.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)
$(B)/tile_loop: $(B)/scripts/bench/tile_loop.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)
bench: $(PROG) $(B)/routing_bench $(B)/coverage_bench $(B)/tile_split $(B)/tile_loop
	sh scripts/bench/run.sh
	sh scripts/bench/coverage.sh
	sh scripts/bench/tiles.sh
# ---- end bench --------------------------------------------------------------
