# Everything runs from a project-local virtualenv built from the pinned locks in requirements/.
# Nothing is assumed installed but python3 (>= 3.11) and, for the Terraform checks, terraform.

PYTHON   ?= python3
VENV     := .venv
CHECKOV  := .venv-checkov
PY       := $(VENV)/bin/python
SPEC     ?= queues.toml
# Builds a venv from locks with uv (pinned in requirements/tools.lock, kept in .venv-tools/), or pip when uv
# cannot be had; it prints a line per step and how long it took.
INSTALL  := $(PYTHON) requirements/install.py
UV       := .venv-tools/bin/uv
LOCK     := $(UV) pip compile --quiet --python $(PYTHON) --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)
# Local only: a failed record is retried after this many seconds instead of its queue's visibility timeout
# (900 s for video-processing-queue), so the failure path runs in seconds. Lambda has no such setting.
# LOCAL_RETRY_DELAY=off (or empty) keeps each queue's visibility timeout: AWS's timing.
LOCAL_RETRY_DELAY ?= 2
RETRY_DELAY_FLAG = $(if $(filter-out off,$(strip $(LOCAL_RETRY_DELAY))),--retry-delay $(strip $(LOCAL_RETRY_DELAY)))
# IAM enforced for the functions' calls in the local stack, as on AWS; `make up LOCAL_IAM=off` turns it off.
LOCAL_IAM ?= on
# `make test` runs on this many processes: the cores, plus one for the local stack's tests, which mostly wait
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))

# Terraform: never phone home; on machines with a provider mirror (no registry access), use it.
export CHECKPOINT_DISABLE := 1
TF_PLUGIN_MIRROR ?= /opt/tf-plugins
ifneq ($(wildcard $(TF_PLUGIN_MIRROR)),)
export TF_PLUGIN_MIRROR
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(VENV)/terraform.rc
endif
# checkov offline
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true
export BC_SKIP_MAPPING := TRUE

.PHONY: help generate up emulator down status check test test-quick lint goldens bench bench-first-run bench-render bench-package \
        bench-cold-import bench-up lock clean
.DEFAULT_GOAL := generate

## help: list the targets and what each does
help:
	@awk '/^## [A-Za-z0-9_.-]+:/ { line = substr($$0, 4); name = substr(line, 1, index(line, ":") - 1); \
	        text = substr(line, index(line, ":") + 1); sub(/^ +/, "", text); printf "  %-18s %s\n", name, text; next } \
	      /^##   / { text = substr($$0, 3); sub(/^ +/, "", text); printf "  %-18s %s\n", "", text }' $(MAKEFILE_LIST)

## generate: validate queues.toml, package the Lambda zips and render terraform/ (answers at once when
##           nothing changed since the last generate)
generate: $(VENV)/.generator
	$(PY) -m generator generate $(SPEC)

## up: the whole pipeline on this machine: an AWS emulator, the generated Terraform applied to it, every
##     function run from its zip, a demo job through router → downloader → thumbnail → email → analytics;
##     DEBUG=FUNCTION runs that function under debugpy (installed then) and waits for the editor to attach
up: generate $(VENV)/.installed
	$(PY) -m generator up $(SPEC) $(RETRY_DELAY_FLAG) $(if $(filter off,$(LOCAL_IAM)),--no-iam)$(if $(DEBUG), --debug $(DEBUG))

## emulator: the AWS emulator alone, empty, left running (prints its endpoint); `make up` later reuses it
emulator: $(VENV)/.installed
	$(PY) -m generator up $(SPEC) --emulator-only

## down: stop everything `make up` started and remove its state (.local/); exits 0 when nothing is up
down:
	@if [ -x $(PY) ]; then $(PY) -m generator down $(SPEC); else echo "nothing was running"; fi

## status: the local stack's queues, DLQs and alarms (the week-1 plan's Tests 2 and 3); exit 1 when a DLQ
##         holds messages
status: $(VENV)/.installed
	$(PY) -m generator status --local --spec $(SPEC)

## check: validate queues.toml only
check: $(VENV)/.generator
	$(PY) -m generator check $(SPEC)

## test: every test: unit, golden, gallery, drift, terraform fmt/validate/plan, checkov, Lambdas, the local
##       stack; on TEST_WORKERS processes (pytest-xdist; the local stack's tests share one stack on one of them)
test: $(VENV)/.installed $(CHECKOV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

## test-quick: the edit-test loop: every test that needs neither terraform nor the local stack
test-quick: $(VENV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not slow and not terraform"

## lint: ruff over the generator, the Lambdas, the tests, the benchmarks and requirements/install.py, then
##       mypy (strict) over the generator (pyproject.toml's [tool.mypy])
lint: $(VENV)/.installed
	$(PY) -m ruff check generator lambdas tests bench requirements
	$(PY) -m mypy

## goldens: re-render the golden outputs under tests/golden/ and the gallery's expected messages under
##          tests/gallery/ after an intended template or message change (review the diff before committing)
goldens: $(VENV)/.installed
	UPDATE_GOLDENS=1 $(PY) -m pytest -q tests/generator/test_golden.py tests/generator/test_gallery.py

## bench: print every benchmark's figures (first run and no-change run, render, packaging, cold imports, the
##        local stack)
bench: bench-first-run bench-render bench-package bench-cold-import bench-up

## bench-first-run: installs with uv vs pip on the dev lock, fresh clone to `make generate`, and no-change
##                  generate (fast path, full path, make) against a bare `python -c pass`
bench-first-run: $(VENV)/.installed
	$(PY) bench/first_run.py

## bench-render: render time for 1, 100 and 1000 pairs and a no-change generate of the seed
bench-render: $(VENV)/.installed
	$(PY) bench/render.py

## bench-package: packaging timings (cold, cached wheels, no change, one function changed vs pip) and zip sizes
bench-package: $(VENV)/.installed
	$(PY) bench/package.py

## bench-cold-import: each handler's cold import time in a fresh interpreter, and its zip size
bench-cold-import: $(VENV)/.installed
	$(PY) bench/cold_import.py

## bench-up: `make up` to the first email (cold and warm), the runner's drain rate against the raw SQS rate
bench-up: generate $(VENV)/.installed
	$(PY) bench/up.py

## lock: re-resolve requirements/*.in into exact pins of the whole closure in requirements/*.lock; pins
##       already there are kept (`make lock UPGRADE=1` moves everything to the newest versions)
lock:
	@$(INSTALL) --tools
	$(LOCK) requirements/dev.in -o requirements/dev.lock
	$(LOCK) requirements/generator.in --constraint requirements/dev.lock -o requirements/generator.lock
	$(LOCK) requirements/checkov.in -o requirements/checkov.lock
	$(LOCK) requirements/tools.in -o requirements/tools.lock
	$(LOCK) requirements/debug.in -o requirements/debug.lock

# What `generate` and `check` need (requirements/generator.lock, a subset of dev.lock), in a new venv, bytecode
# compiled: with PYTHONDONTWRITEBYTECODE set, uncompiled pydantic would be compiled again on every run.
$(VENV)/.generator: requirements/generator.lock requirements/tools.lock requirements/install.py pyproject.toml
	@$(INSTALL) --new --compile --editable $(VENV) requirements/generator.lock
	@if [ -n "$$TF_CLI_CONFIG_FILE" ] && [ -d "$(TF_PLUGIN_MIRROR)" ]; then \
	  $(PY) -m generator.tfcli write-config "$$TF_CLI_CONFIG_FILE"; fi
	@touch $@

# Everything the tests, lint and benchmarks need on top: the venv synced to exactly dev.lock.
$(VENV)/.installed: $(VENV)/.generator requirements/dev.lock pyproject.toml
	@$(INSTALL) --editable $(VENV) requirements/dev.lock
	@touch $@

# checkov pins an old boto3, so it gets a virtualenv of its own.
$(CHECKOV)/.installed: requirements/checkov.lock requirements/tools.lock requirements/install.py
	@$(INSTALL) --new $(CHECKOV) requirements/checkov.lock
	@touch $@

## clean: remove the virtualenvs (.venv, .venv-checkov, .venv-tools) and build/ (zips, wheel cache, stamp)
clean: down
	rm -rf $(VENV) $(CHECKOV) .venv-tools build .pytest_cache
