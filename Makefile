# madoguchi: `make demo` to try it, `make test` to check everything, `make help` for the rest.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
PORT   ?= 8000
export MADOGUCHI_TEST_DATABASE_URL ?=

# Translations are compiled (.mo) here, not committed. polib needs no system gettext, so a
# fresh machine can run the demo; `make translations` uses gettext's own tools.
COMPILE_MO := $(PY) -c "import pathlib, polib; \
	[polib.pofile(str(p)).save_as_mofile(str(p.with_suffix('.mo'))) \
	 for p in pathlib.Path('madoguchi').rglob('*.po') if p.parent.name == 'LC_MESSAGES']"

.PHONY: help install demo serve worker test lint format typecheck contracts translations \
	pytest pytest-postgres bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "madoguchi needs Python 3.11 or newer (PYTHON=$(PYTHON))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) \
		|| { echo "could not create $(VENV); on Debian: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install madoguchi with its dev tools
	@$(COMPILE_MO)

demo: install  ## migrate, load the demo content, serve on http://127.0.0.1:8000 (PORT=N)
	$(BIN)/madoguchi migrate --no-input
	$(BIN)/madoguchi load-demo
	$(BIN)/madoguchi serve --port $(PORT)

serve: install  ## serve what is in the database, without loading the demo
	$(BIN)/madoguchi serve --port $(PORT)

worker: install  ## run a background worker on its own (see docs/background-work.md)
	$(BIN)/madoguchi worker

test: install lint typecheck contracts translations pytest pytest-postgres  ## everything CI runs

lint:  ## ruff: lint and formatting
	$(BIN)/ruff check madoguchi tests bench
	$(BIN)/ruff format --check madoguchi tests bench

format:  ## rewrite the code in the house format
	$(BIN)/ruff check --fix madoguchi tests bench
	$(BIN)/ruff format madoguchi tests bench

typecheck:  ## mypy with django-stubs
	$(BIN)/mypy madoguchi

contracts:  ## the import contracts of DESIGN.md
	$(BIN)/lint-imports

translations:  ## every user-visible string has a Japanese translation
	$(BIN)/madoguchi check-translations

pytest:  ## the whole suite on SQLite (and Chromium end to end)
	$(BIN)/pytest -p no:cacheprovider

pytest-postgres:  ## the suite on MADOGUCHI_TEST_DATABASE_URL
	MADOGUCHI_TEST_DB=postgres $(BIN)/pytest -p no:cacheprovider -m "not browser"

bench: install  ## benchmarks that print their figures (wrk for the serving one)
	$(PY) -m bench

clean:  ## remove .venv, the demo data and caches
	rm -rf $(VENV) data .mypy_cache .ruff_cache
