# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint typecheck bench-match bench-live bench-stats bench-load messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	$(BIN)/linggong migrate
	$(BIN)/linggong seed-demo --if-empty
	$(BIN)/linggong serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# The benchmarks live in bench/ (not shipped in the wheel); `linggong bench ...` hands over to
# the same `python -m bench ...` in a source checkout.
bench-match: install
	$(BIN)/python -m bench match

# Re-extract translatable strings and list those without a zh-CN text. Each part of the app
# keeps its translations in its own catalog in web/locale/zh_CN/LC_MESSAGES/ (messages.po for
# the core, pages.po, live.po, staff.po, ...): add the missing ones to the part's file.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output -o web/locale/messages.pot .
	$(BIN)/python -m web.i18n web/locale/messages.pot

bench-live: install
	$(BIN)/python -m bench live

bench-stats: install
	$(BIN)/python -m bench stats --url $${LINGGONG_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}

# the request mix through nginx to two replicas, on a throw-away PostgreSQL database and a
# private Redis; a few minutes at most (RATES="10,20,40,80,160" by default)
bench-load: install
	$(BIN)/python -m bench load --postgres-url $${LINGGONG_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test} $(if $(RATES),--rates $(RATES))
