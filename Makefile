# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCKS  := requirements.lock requirements-dev.lock
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCKS) | sha1sum | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint typecheck lock bench-match bench-live bench-stats bench-load messages

# Exactly the locked packages, each checked against its hash; then the project itself, built
# with the locked setuptools (no isolated build env fetching whatever is newest).
$(STAMP): pyproject.toml $(LOCKS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Re-resolve the locks after a change to pyproject.toml's dependencies (`make lock UPGRADE=--upgrade`
# to move every pin to the newest release allowed; otherwise existing pins are kept).
# uv resolves for the target, Python 3.11 on linux x86_64, whatever machine runs this, and
# records the hash of every file of each pinned release; pip alone installs from the result.
# The dev lock is held to the runtime lock's pins, so the tests run what the image ships.
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" --quiet $(UPGRADE)
BUILD_REQUIRES := $(BIN)/python -c "import tomllib; \
	print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')"
LOCK_DIR ?= .
lock:
	test -x $(BIN)/uv || $(MAKE) install
	$(BUILD_REQUIRES) | $(BIN)/uv pip compile pyproject.toml - $(LOCK_FLAGS) \
		-o $(LOCK_DIR)/requirements.lock
	$(BUILD_REQUIRES) | $(BIN)/uv pip compile pyproject.toml - --extra dev $(LOCK_FLAGS) \
		--constraint $(LOCK_DIR)/requirements.lock -o $(LOCK_DIR)/requirements-dev.lock

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
