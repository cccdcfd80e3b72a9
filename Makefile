# Easel: the front door. Every target uses the virtualenv .venv at the repository root, creating it when missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.easel-installed
PACKAGES := proto services/common services/auth services/registry services/jobs services/gateway services/stack gpu_worker
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install up demo test test-fast lint gen check bench lock clean

install: $(STAMP)

$(STAMP): $(PYPROJECTS) requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first and pinned: an unpinned resolve would fetch a multi-GB CUDA build
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c constraints.txt $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	touch $(STAMP)

up: install
	$(PY) -m easel_stack up

demo: install
	$(PY) -m easel_stack demo

test: install
	$(PY) -m pytest -q -m "not gpu" $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -q -m "not gpu and not slow" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

gen: install
	$(PY) tools/gen_proto.py

check: install
	$(PY) tools/gen_proto.py --check
	$(PY) -m ruff check .

bench: install
	$(PY) bench/dispatch.py
	$(PY) bench/model_load.py $(BENCH_ARGS)
	$(PY) bench/generate.py $(GENERATE_ARGS)

lock: install
	( echo '# Versions known to resolve together (pip install -c constraints.txt); refresh with `make lock`.'; \
	  $(PIP) freeze --exclude-editable | grep -v '^easel' | sed 's/^torch==\(.*\)+cpu/torch==\1/' ) > constraints.txt

clean:
	rm -rf $(VENV) .easel out .pytest_cache
