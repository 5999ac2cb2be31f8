# SmåKom CMS — the project's vocabulary. `make run` and `make test` install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-sqlite test-postgres test-browser lint format bench demo-data migrate messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	PORT=$(PORT) $(BIN)/python scripts/dev.py

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo-data: migrate
	$(BIN)/python manage.py load_demo

test: install
	bash scripts/test.sh

test-sqlite: install
	bash scripts/test.sh sqlite

test-postgres: install
	bash scripts/test.sh postgres

test-browser: install
	bash scripts/test.sh browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l sv --ignore=.venv --ignore=var
	$(BIN)/python scripts/compile_messages.py

bench: install
	bash scripts/bench.sh

clean:
	rm -rf var/ $(VENV)
