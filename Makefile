# Everything runs from a project-local virtualenv built from the pinned locks in requirements/.
# Nothing is assumed installed but python3 (>= 3.11) and, for the Terraform checks, terraform.

PYTHON   ?= python3
VENV     := .venv
CHECKOV  := .venv-checkov
PY       := $(VENV)/bin/python
SPEC     ?= queues.toml
# Local only: a failed record is retried after this many seconds instead of its queue's visibility timeout
# (900 s for video-processing-queue), so the failure path runs in seconds. Lambda has no such setting.
LOCAL_RETRY_DELAY ?= 2

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

.PHONY: generate check test lint goldens bench bench-render bench-package bench-cold-import bench-up lock clean up down status
.DEFAULT_GOAL := generate

## generate: validate queues.toml, package the Lambda zips and render terraform/
generate: $(VENV)/.installed
	$(PY) -m generator generate $(SPEC)

## up: the whole pipeline on this machine: emulator, the generated Terraform applied to it, every function run
##     from its zip, a demo job through router → downloader → thumbnail → email → analytics; `make down` stops it
up: generate
	$(PY) -m generator up $(SPEC) --retry-delay $(LOCAL_RETRY_DELAY)

## down: stop everything `make up` started and remove its state (.local/); exits 0 when nothing is up
down:
	@if [ -x $(PY) ]; then $(PY) -m generator down $(SPEC); else echo "nothing was running"; fi

## status: the local stack's queues, DLQs and alarms (the week-1 plan's Tests 2 and 3); exit 1 when a DLQ holds messages
status: $(VENV)/.installed
	$(PY) -m generator status --local --spec $(SPEC)

## check: validate queues.toml only
check: $(VENV)/.installed
	$(PY) -m generator check $(SPEC)

## test: every test: unit, golden, gallery, drift, terraform fmt/validate/plan, checkov, Lambdas
test: $(VENV)/.installed $(CHECKOV)/.installed
	$(PY) -m pytest

## lint: ruff
lint: $(VENV)/.installed
	$(PY) -m ruff check generator lambdas tests bench

## goldens: re-render the golden outputs under tests/golden/ and the gallery's expected messages under
##          tests/gallery/ after an intended template or message change (review the diff before committing)
goldens: $(VENV)/.installed
	UPDATE_GOLDENS=1 $(PY) -m pytest -q tests/generator/test_golden.py tests/generator/test_gallery.py

## bench: print every benchmark's figures (render, packaging, cold imports, the local stack)
bench: bench-render bench-package bench-cold-import bench-up

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
bench-up: generate
	$(PY) bench/up.py

## lock: re-resolve requirements/*.in into the pinned requirements/*.lock
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -r requirements/dev.in
	{ echo '# Locked from requirements/dev.in by `make lock`. Do not edit by hand.'; \
	  .lock-venv/bin/pip freeze --all | grep -v -E '^(pip|setuptools|wheel)=='; } > requirements/dev.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -r requirements/checkov.in
	{ echo '# Locked from requirements/checkov.in by `make lock`. Do not edit by hand.'; \
	  .lock-venv/bin/pip freeze --all | grep -v -E '^(pip|setuptools|wheel)=='; } > requirements/checkov.lock
	rm -rf .lock-venv

$(VENV)/.installed: requirements/dev.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements/dev.lock
	@if [ -n "$$TF_CLI_CONFIG_FILE" ] && [ -d "$(TF_PLUGIN_MIRROR)" ]; then \
	  $(PY) -m generator.tfcli write-config "$$TF_CLI_CONFIG_FILE"; fi
	touch $@

# checkov pins an old boto3, so it gets a virtualenv of its own.
$(CHECKOV)/.installed: requirements/checkov.lock
	$(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/pip install -q --disable-pip-version-check -r requirements/checkov.lock
	touch $@

clean: down
	rm -rf $(VENV) $(CHECKOV) build .pytest_cache
