# Eddy — build, test and run.  See README.md.
#
#   make run     install missing Debian packages, build, open the shell on ./eddy-data
#   make test    install, build, run every test (unit, end-to-end, conformance ratchet)
#   make asan    the whole test suite under AddressSanitizer + UBSan

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
override CFLAGS += -std=c11 -D_GNU_SOURCE -pthread $(WARN)
LDLIBS  := -lreadline -ljansson -luv -lhttp_parser -lpthread -lm
BUILD   ?= build
EDDY    ?= ./eddy
SHARED  ?= ../shared
CONFORMANCE := $(SHARED)/conformance
DATA    ?= ./eddy-data
# `make V=1` shows full commands.
Q       := $(if $(V),,@)

SRC     := $(shell find src -name '*.c' | sort)
OBJ     := $(SRC:%.c=$(BUILD)/%.o)
LIBOBJ  := $(filter-out $(BUILD)/src/main.o,$(OBJ))
UNIT    := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN := $(UNIT:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit e2e conformance asan bench bench-peers format clean check-layers fuzz fuzz-json \
        fuzz-http fuzz-pgwire fuzz-server

all: $(EDDY)

$(EDDY): $(BUILD)/eddy
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/eddy: $(OBJ)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) -Isrc -o $@ $< $(LIBOBJ) $(LDLIBS) -lcmocka

-include $(OBJ:.o=.d)

deps:
	@sh scripts/deps.sh

run: deps
	$(MAKE) all
	$(EDDY) --data $(DATA)

test: deps
	$(MAKE) all
	$(MAKE) check-layers unit e2e conformance

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do \
	  if out=$$($$t 2>&1); then echo "ok   $$t: $$(echo "$$out" | grep -c '^\[       OK')"; \
	  else echo "$$out"; echo "FAIL $$t"; exit 1; fi; done

e2e: $(EDDY)
	@EDDY=$(abspath $(EDDY)) sh tests/e2e/run.sh

conformance: $(EDDY)
	@if [ -f $(CONFORMANCE)/score.py ]; then \
	  python3 $(CONFORMANCE)/score.py --eddy $(EDDY) --require tests/conformance/passing.txt; \
	else echo "conformance: $(CONFORMANCE) not found; skipping the ratchet (set SHARED=...)"; fi

# The runtime must not see the syntax tree: plans are the wall between
# compiling and running (STYLE.md, "Compile, then run").
check-layers:
	@if grep -l 'parser/ast.h' src/engine/runtime*.c src/engine/op_*.c src/storage/*.c 2>/dev/null; then \
	  echo "check-layers: the files above include ast.h"; exit 1; fi

asan: deps
	$(MAKE) BUILD=build-asan EDDY=build-asan/eddy-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" \
	  build-asan/eddy-asan check-layers unit e2e conformance

bench: $(EDDY)
	@sh bench/run.sh $(EDDY)

# Eddy beside DuckDB (installed from npm into bench/.peers on first use;
# skipped with a message without npm or network): bench/peers.sh.
bench-peers: $(EDDY)
	@sh bench/peers.sh $(EDDY)

# libFuzzer over the lexer, parser and printer (tests/fuzz/fuzz_parse.c),
# for FUZZ_SECONDS.  New inputs go to $(BUILD)/fuzz/corpus, crashes to
# $(BUILD)/fuzz/crash-*; copy an input that found a bug into
# tests/fuzz/corpus_parse/ with its fix.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRC     := tests/fuzz/fuzz_parse.c $(sort $(wildcard src/parser/*.c src/base/*.c))

fuzz: $(BUILD)/fuzz/fuzz_parse
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_parse -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=4096 \
	  -dict=tests/fuzz/sql.dict -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz/corpus_parse

$(BUILD)/fuzz/fuzz_parse: $(FUZZ_SRC) $(wildcard src/parser/*.h src/base/*.h)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(filter-out -Wno-format-truncation,$(WARN)) -Isrc -o $@ $(FUZZ_SRC)

# libFuzzer over the JSON record decoder (tests/fuzz/fuzz_json.c), same
# conventions as `fuzz`; seeds in tests/fuzz/corpus_json/.
FUZZ_JSON_SRC := tests/fuzz/fuzz_json.c $(addprefix src/engine/,serde.c serde_json.c value.c decimal.c dtoa.c types.c \
                 schema.c timefmt.c) $(sort $(wildcard src/base/*.c))

fuzz-json: $(BUILD)/fuzz/fuzz_json
	@mkdir -p $(BUILD)/fuzz/corpus_json
	$(BUILD)/fuzz/fuzz_json -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=4096 \
	  -artifact_prefix=$(BUILD)/fuzz/json- $(BUILD)/fuzz/corpus_json tests/fuzz/corpus_json

$(BUILD)/fuzz/fuzz_json: $(FUZZ_JSON_SRC) $(wildcard src/engine/*.h src/base/*.h)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(filter-out -Wno-format-truncation,$(WARN)) -Isrc -o $@ $(FUZZ_JSON_SRC) \
	  -ljansson -lm

# libFuzzer over the server's input surfaces: the HTTP request path
# (tests/fuzz/fuzz_http.c: http.c's parsing, limits and dispatch through a
# memory connection), the PostgreSQL wire protocol
# (tests/fuzz/fuzz_pgwire.c: pgwire.c's messages against an engine with a
# small table), and the whole HTTP path of `eddy server`
# (tests/fuzz/fuzz_server.c: http.c, then server.c's routing and jobs over
# an engine shared by every input).  Same conventions as `fuzz`; seeds in
# tests/fuzz/corpus_{http,pgwire,server}/.  They link the whole engine,
# compiled once into $(BUILD)/fuzz/obj/.
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -pthread -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              $(filter-out -Wno-format-truncation,$(WARN))
FUZZ_LIBOBJ := $(LIBOBJ:$(BUILD)/%.o=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

-include $(FUZZ_LIBOBJ:.o=.d)
.SECONDARY: $(FUZZ_LIBOBJ)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBOBJ)
	@echo "  LD    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_LIBOBJ) $(LDLIBS)

fuzz-http: $(BUILD)/fuzz/fuzz_http
	@mkdir -p $(BUILD)/fuzz/corpus_http
	$(BUILD)/fuzz/fuzz_http -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=8192 \
	  -dict=tests/fuzz/http.dict -artifact_prefix=$(BUILD)/fuzz/http- $(BUILD)/fuzz/corpus_http tests/fuzz/corpus_http

fuzz-server: $(BUILD)/fuzz/fuzz_server
	@mkdir -p $(BUILD)/fuzz/corpus_server
	$(BUILD)/fuzz/fuzz_server -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=8192 \
	  -dict=tests/fuzz/server.dict -artifact_prefix=$(BUILD)/fuzz/server- $(BUILD)/fuzz/corpus_server \
	  tests/fuzz/corpus_server

fuzz-pgwire: $(BUILD)/fuzz/fuzz_pgwire
	@mkdir -p $(BUILD)/fuzz/corpus_pgwire
	$(BUILD)/fuzz/fuzz_pgwire -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=4096 \
	  -dict=tests/fuzz/pgwire.dict -artifact_prefix=$(BUILD)/fuzz/pgwire- $(BUILD)/fuzz/corpus_pgwire \
	  tests/fuzz/corpus_pgwire

format:
	clang-format -i $(SRC) $(shell find src -name '*.h') $(UNIT)

clean:
	rm -rf build build-asan eddy
