# nato-iraq-kg: the two commands are `make run` and `make test`; both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help run test lint format data docs check-data reason bench system-deps vendor clean dist serve

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

$(VENV)/.installed-serve: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[serve]'
	@touch $@

# cffconvert 2.0.0 pins jsonschema<4, which the test extra's frictionless cannot share: its own venv.
CFFCONVERT := $(VENV)/tools/cffconvert/bin/cffconvert
$(CFFCONVERT): | $(BIN)/python
	$(PYTHON) -m venv $(VENV)/tools/cffconvert
	$(VENV)/tools/cffconvert/bin/pip install --quiet 'cffconvert==2.0.0'

run: $(VENV)/.installed ## Build, validate and write data/, then answer one question with its evidence
	@$(BIN)/nato-iraq-kg build
	@echo
	@echo "Question: how many Iraqi officers were trained, by which programme, and where does the page say so?"
	@$(BIN)/nato-iraq-kg query queries/examples/officers-trained.rq --format table --width 90

system-deps: ## Install the Debian packages the tests need (as root), or fail saying which is missing
	@bash scripts/ensure-system-packages.sh

test: $(VENV)/.installed-test $(CFFCONVERT) system-deps ## Install test needs, then lint, check data/ is fresh, run every test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/nato-iraq-kg build --check
	$(BIN)/pytest

serve: $(VENV)/.installed-serve ## Install the server's extras and serve the graph on 127.0.0.1:8000
	$(BIN)/nato-iraq-kg serve $(SERVE_ARGS)

dist: $(VENV)/.installed-test ## Build sdist + wheel into dist/, install the wheel in a fresh venv, smoke-test it
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	NATO_IRAQ_KG_DIST=dist $(BIN)/pytest tests/test_wheel.py -q

lint: $(VENV)/.installed-test ## Lint and check formatting
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: $(VENV)/.installed-test ## Reformat the code
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

data: $(VENV)/.installed ## Rebuild data/ from the sources
	$(BIN)/nato-iraq-kg build

docs: $(VENV)/.installed system-deps ## Regenerate docs/: ontology page and class diagram
	$(BIN)/python -m nato_iraq_kg.docs

check-data: $(VENV)/.installed ## Fail if data/ differs from a fresh build
	$(BIN)/nato-iraq-kg build --check

reason: $(VENV)/.installed-test ## Check the ontology with the HermiT reasoner
	$(BIN)/nato-iraq-kg reason --with-data

bench: $(VENV)/.installed-test ## Benchmarks at our size, 10k, 100k and 1M triples, each against a baseline (< 15 min)
	@# Cold CLI runs are timed as a user's second run is: with our modules' bytecode on disk (an
	@# editable install has none, and PYTHONDONTWRITEBYTECODE would recompile them on every run).
	$(BIN)/python -m compileall -q src/nato_iraq_kg
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bench_reanchor.py

vendor: system-deps ## Refresh the vendored YASGUI editor from npm (version pinned in vendor/)
	bash scripts/vendor-yasgui.sh

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache
