# labgrade developer entry points. `make demo` and `make test` work on a fresh Debian machine as
# root (they install what is missing) and where Docker already runs (they reuse it).
#
#   make setup        venv, Docker engine, base images, registry binary; then seconds
#   make demo         grade every lab's solution and samples; reports under out/
#   make test         the test suite (make test PYTEST_ARGS='-k spec -x')
#   make lint         ruff + mypy
#   make clean        remove labgrade's leftover containers/images/volumes, and out/
#   make stop-docker  stop the dockerd that scripts/ensure-docker.sh started, and only it

PYTHON ?= python3
VENV ?= .venv
OUT ?= out
STATE ?= $(or $(LABGRADE_STATE),.state)
PYTEST_ARGS ?=
# When set, `make test` writes pytest's exit status there (make itself can only say 2): .ci/run
# reads it to exit with pytest's own status.
PYTEST_STATUS_FILE ?=

STAMP := $(VENV)/.labgrade-installed
BIN := $(VENV)/bin

# A venv whose python no longer runs (its interpreter was removed or moved) is rebuilt.
ifneq ($(shell $(BIN)/python -c 'print(1)' 2>/dev/null),1)
$(shell rm -f $(STAMP))
endif

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: help setup venv docker demo test lint clean stop-docker

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

setup: venv docker

venv: $(STAMP)

# Re-install only when pyproject.toml is newer than the stamp (or the venv is missing/broken).
$(STAMP): pyproject.toml
	@if ! $(BIN)/python -c '' 2>/dev/null; then \
	  if ! command -v $(PYTHON) >/dev/null 2>&1 || ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	    if [ "$$(id -u)" != 0 ]; then \
	      echo "setup: $(PYTHON) with venv support is missing; install it (sudo apt-get install python3 python3-venv) and run make again." >&2; \
	      exit 3; \
	    fi; \
	    echo "setup: installing Debian's python3 and python3-venv ..."; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null; \
	  fi; \
	  rm -rf $(VENV); \
	  echo "setup: creating $(VENV) with $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@echo "setup: installing labgrade and its dev tools into $(VENV) (pip install -e '.[dev]')"
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

# The registry lab (`labgrade registry up`) needs Debian's docker-registry and htpasswd.
docker:
	@scripts/ensure-docker.sh
	@scripts/ensure-base-images.sh
	@scripts/ensure-registry-binary.sh

demo: setup
	$(BIN)/labgrade demo --out $(OUT)

test: setup
	@scripts/ensure-test-tools.sh
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ -n "$(PYTEST_STATUS_FILE)" ]; then echo $$status >"$(PYTEST_STATUS_FILE)"; fi; \
	exit $$status

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	@if [ -x $(BIN)/labgrade ]; then \
	  $(BIN)/labgrade clean || echo "clean: 'labgrade clean' failed (is Docker up? make setup); removing $(OUT)/ anyway" >&2; \
	fi
	rm -rf $(OUT)

# Only the dockerd whose pid scripts/ensure-docker.sh recorded, and only if that pid is still a
# dockerd: a Docker service started any other way is left alone.
stop-docker:
	@pidfile=$(STATE)/dockerd.pid; \
	if [ ! -f $$pidfile ]; then echo "stop-docker: no $$pidfile; nothing started by labgrade to stop"; exit 0; fi; \
	pid=$$(cat $$pidfile); \
	if [ "$$(cat /proc/$$pid/comm 2>/dev/null)" != dockerd ]; then \
	  echo "stop-docker: pid $$pid is not a running dockerd; removing the stale $$pidfile"; \
	  rm -f $$pidfile; exit 0; \
	fi; \
	echo "stop-docker: stopping dockerd (pid $$pid)"; \
	kill -TERM $$pid; \
	for _ in $$(seq 1 60); do kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; \
	if kill -0 $$pid 2>/dev/null; then echo "stop-docker: dockerd (pid $$pid) is still stopping after 30 s; see $(STATE)/dockerd.log" >&2; exit 1; fi; \
	rm -f $$pidfile; echo "stop-docker: stopped"
