# Vigil build. GNU Make + pkg-config, C17, warnings are errors.
#
#   make            build build/vigil (optimized, with debug info)
#   make check      install missing Debian packages, build with ASan+UBSan, run every test
#   make bench      build optimized and run the benchmarks (results on stdout)
#   make fuzz       build the libFuzzer targets with clang into build/fuzz/
#   make demo       install packages, build, decode the bundled samples
#   make clean
#
# BUILD selects the output directory, so parallel builds can coexist (make BUILD=build-x).

BUILD    ?= build
CC       ?= cc
PKGS     := zlib libzstd yaml-0.1 libssl libcrypto libhs libpcre2-8 sqlite3 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla -Wnull-dereference \
            -Wimplicit-fallthrough
CSTD     := -std=c17 -D_GNU_SOURCE
OPT      ?= -O2 -g
CFLAGS   ?=
ALL_CFLAGS := $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) -Isrc -MMD -MP $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lm -lpthread

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
FUZZ_SRC ?= $(wildcard fuzz/fuzz-*.c)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all check test unit e2e bench fuzz fuzz-regress demo deps clean lint

all: $(BUILD)/vigil

# the built-in Sigma logsource mapping is assembled into this object (.incbin)
$(BUILD)/obj/sigma-logsource.o: etc/sigma-logsources.yml

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libvigil.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vigil: $(BUILD)/obj/main.o $(BUILD)/libvigil.a
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $< $(BUILD)/libvigil.a $(CMOCKA_LIBS) $(LDLIBS) -o $@

# Test tools (tests/tools): helpers the end-to-end cases run; never part of vigil itself.
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libvigil.a $(LDLIBS) -o $@

# Fuzz targets are also built with a plain replay driver, so `make check` replays every
# kept crasher and corpus file under the sanitizers without needing libFuzzer.
$(BUILD)/fuzz-replay/%: fuzz/%.c fuzz/replay-main.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< fuzz/replay-main.c $(BUILD)/libvigil.a $(LDLIBS) -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libvigil.a $(LDLIBS) -o $@

deps:
	@scripts/install-deps.sh

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CHECK_BUILD := $(BUILD)-check

# The sanitizer build lives in its own directory; everything is rebuilt there.
check: deps
	@scripts/lint.sh
	$(MAKE) --no-print-directory BUILD=$(CHECK_BUILD) OPT="-O1 -g" CFLAGS="$(SAN)" test

test: $(BUILD)/vigil $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz-replay/%)
	@tests/run.sh $(BUILD)

bench: deps
	$(MAKE) --no-print-directory BUILD=$(BUILD)-bench \
	    $(BUILD)-bench/vigil $(BENCH_SRC:bench/%.c=$(BUILD)-bench/bench/%)
	@bench/run.sh $(BUILD)-bench

FUZZ_CC := clang
FUZZ_FLAGS := $(CSTD) -O1 -g -Isrc $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all
fuzz: deps
	@mkdir -p $(BUILD)/fuzz
	@set -e; for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); echo "  FUZZ $$n"; \
	    $(FUZZ_CC) $(FUZZ_FLAGS) $$f $(LIB_SRC) $(PKG_LIBS) -lm -lpthread -o $(BUILD)/fuzz/$$n; \
	done

demo: deps $(BUILD)/vigil
	$(BUILD)/vigil decode samples/*.log samples/*.json
	$(BUILD)/vigil intel compile -c samples/intel/feeds.yml -o $(BUILD)/demo-intel.vgi
	$(BUILD)/vigil scan --intel $(BUILD)/demo-intel.vgi --rules samples/sigma samples/*.log samples/*.json

lint:
	@scripts/lint.sh

clean:
	rm -rf build build-*

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d)
