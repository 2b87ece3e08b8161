# madoguchi: `make demo` to try it, `make test` to check everything.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
PORT   ?= 8000
export MADOGUCHI_TEST_DATABASE_URL ?=

.PHONY: install demo serve test lint typecheck contracts translations pytest pytest-postgres bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install madoguchi with its dev tools
	$(BIN)/madoguchi compilemessages --ignore=.venv >/dev/null

demo: install  ## migrate, load the demo content and serve on http://127.0.0.1:$(PORT)
	$(BIN)/madoguchi migrate --no-input
	$(BIN)/madoguchi load-demo
	$(BIN)/madoguchi serve --port $(PORT)

test: install lint typecheck contracts translations pytest pytest-postgres  ## everything CI runs

lint:
	$(BIN)/ruff check madoguchi tests bench
	$(BIN)/ruff format --check madoguchi tests bench

typecheck:
	$(BIN)/mypy madoguchi

contracts:
	$(BIN)/lint-imports

translations:
	$(BIN)/madoguchi check-translations

pytest:
	$(BIN)/pytest -p no:cacheprovider

pytest-postgres:
	$(BIN)/pytest -p no:cacheprovider --database=postgres -m "not browser"

bench: install  ## benchmarks that print their figures
	$(PY) -m bench

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache
