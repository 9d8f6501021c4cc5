# linli — developer entry points. `make` alone lists the targets.
#
# BUILD_DIR (default build) and DEBUG_DIR (default build-debug) may be overridden, e.g.
# `make test BUILD_DIR=build-mine`. Every recipe fails on the first failing command.

BUILD_DIR   ?= build
DEBUG_DIR   ?= build-debug
RUN_DB      ?= sqlite:data/linli.db
RUN_DB_FILE ?= data/linli.db
RUN_LOGINS  ?= data/demo-logins.txt
RUN_LISTEN  ?= 127.0.0.1:8080
FORMAT_DIRS := server/src tests bench

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.PHONY: help deps build test run debug format clean

help:
	@echo "linli make targets:"
	@echo "  make build    install missing dependencies, configure $(BUILD_DIR)/ (Ninja, RelWithDebInfo), build $(BUILD_DIR)/linli and the web UI (web/dist)"
	@echo "  make test     build, then scripts/test.sh: the test suite on SQLite and on a private PostgreSQL 15, then the browser tests"
	@echo "  make run      build, create the demo store $(RUN_DB_FILE) and its accounts if missing, print org units, stats and demo logins, serve on $(RUN_LISTEN)"
	@echo "  make debug    build $(DEBUG_DIR)/ with -DCMAKE_BUILD_TYPE=Debug (ASan+UBSan)"
	@echo "  make format   clang-format -i on $(FORMAT_DIRS)"
	@echo "  make clean    remove $(BUILD_DIR)/ and $(DEBUG_DIR)/"
	@echo "Variables: BUILD_DIR=$(BUILD_DIR) DEBUG_DIR=$(DEBUG_DIR) RUN_DB=$(RUN_DB)"

deps:
	@scripts/install-deps.sh

build: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; \
	fi
	@cmake --build $(BUILD_DIR) -- --quiet
	@scripts/build-web.sh

test: build
	@BUILD_DIR=$(BUILD_DIR) scripts/test.sh

run: build
	@if [ -e $(RUN_DB_FILE) ] && grep -q '"code":2009' <<<"$$($(BUILD_DIR)/linli init --db $(RUN_DB) --json 2>/dev/null || true)"; then \
	  echo "$(RUN_DB_FILE) predates field encryption (error 2009): removing it to recreate the demo"; \
	  rm -f $(RUN_DB_FILE) $(RUN_DB_FILE)-wal $(RUN_DB_FILE)-shm $(RUN_DB_FILE).lock; \
	fi
	@if [ ! -e $(RUN_DB_FILE) ]; then \
	  echo "+ $(BUILD_DIR)/linli demo --db $(RUN_DB) --residents 3000 --seed 1 --logins-file $(RUN_LOGINS)"; \
	  $(BUILD_DIR)/linli demo --db $(RUN_DB) --residents 3000 --seed 1 --logins-file $(RUN_LOGINS); \
	fi
	$(BUILD_DIR)/linli org list --db $(RUN_DB)
	$(BUILD_DIR)/linli stats --db $(RUN_DB)
	@if [ -f $(RUN_LOGINS) ]; then echo "演示账号 / demo logins ($(RUN_LOGINS)):"; cat $(RUN_LOGINS); fi
	@echo "+ $(BUILD_DIR)/linli serve --db $(RUN_DB) --listen $(RUN_LISTEN)"
	@exec $(BUILD_DIR)/linli serve --db $(RUN_DB) --listen $(RUN_LISTEN)

debug: deps
	@if [ ! -f $(DEBUG_DIR)/build.ninja ]; then \
	  cmake -S . -B $(DEBUG_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null; \
	fi
	@cmake --build $(DEBUG_DIR) -- --quiet
	@echo "debug build (ASan+UBSan): $(DEBUG_DIR)/linli, $(DEBUG_DIR)/linli_tests"

format:
	@command -v clang-format >/dev/null || { echo "clang-format not found: apt-get install clang-format" >&2; exit 1; }
	@find $(wildcard $(FORMAT_DIRS)) -type f \( -name '*.cc' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) -print0 \
	  | xargs -0 -r clang-format -i
	@echo "formatted $(FORMAT_DIRS)"

clean:
	rm -rf $(BUILD_DIR) $(DEBUG_DIR)
