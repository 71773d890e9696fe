# bookagent: `make run` serves on the embedded defaults; `make test` runs every check.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test lint chaos bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

setup: $(BIN)/.installed

# Embedded defaults (SQLite, thread pool, template writer) even if a Redis happens to run,
# unless TASK_BACKEND, DATABASE_URL or BOOKAGENT_WRITER are set by the caller.
run: setup
	TASK_BACKEND=$${TASK_BACKEND:-thread} BOOKAGENT_WRITER=$${BOOKAGENT_WRITER:-template} \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/bookagent serve

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# Kill, stop and overload real processes (tests/chaos); each case starts its own servers.
chaos: setup
	$(BIN)/pytest tests/chaos -p no:cacheprovider

# Every benchmark, each beside its baseline, in one table (also written to benchmarks/RESULTS.md);
# about 20 min on 2 cores. `make bench BENCH_ARGS=--quick` runs everything small (5-7 min).
# Byte-compiles the package first, as a wheel install does: with PYTHONDONTWRITEBYTECODE set
# (common in containers) an editable install would recompile every module at every start.
bench: setup
	$(BIN)/python -m compileall -q src benchmarks >/dev/null
	$(BIN)/python -m benchmarks.run_all $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
