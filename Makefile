# The two commands of README.md: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := test,population,dask,plot,fhir,docs
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck pytest docs docs-serve bench bench-large clean

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

# not --quiet: it hides the warnings --strict counts (a broken link would pass unseen)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint typecheck pytest docs

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

# `make bench` stays within about 4 GB of memory: populations up to BENCH_MAX persons (1 M).
# `make bench-large` is the 5 M-person run; its peak memory (BENCH_LARGE_GB, measured by
# benchmarks/bench_population.py, see docs/analysts/population.md) is printed before it starts.
BENCH_MAX      ?= 1000000
BENCH_LARGE    ?= 5000000
BENCH_LARGE_GB ?= 18

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do \
	  echo "=== $$f"; INSURRULES_BENCH_MAX=$(BENCH_MAX) $(BIN)/python "$$f" || exit 1; \
	done

bench-large: $(STAMP)
	@echo "bench-large: populations up to $(BENCH_LARGE) persons; needs about" \
	  "$(BENCH_LARGE_GB) GB of memory (this machine has" \
	  "$$(awk '/MemAvailable/ {printf "%.0f", $$2 / 1048576}' /proc/meminfo) GB available)"
	INSURRULES_BENCH_MAX=$(BENCH_LARGE) $(BIN)/python benchmarks/bench_population.py

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
