# The two commands of README.md: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := test,population,dask,plot,docs
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck pytest docs docs-serve bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

demo: $(STAMP)
	@for f in examples/*.json; do \
	  echo "=== $$f"; $(BIN)/insurrules check "$$f" || exit 1; echo; \
	done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py docs/hooks
	$(BIN)/ruff format --check src tests benchmarks conftest.py docs/hooks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint typecheck pytest docs

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "=== $$f"; $(BIN)/python "$$f" || exit 1; done

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
