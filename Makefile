# Two commands do all set-up on a fresh machine with Python 3.11+, Java 17+ and Maven:
#   make run    the service with the sample data (Neo4j fetched, started, migrated, seeded)
#   make test   the test suite, against a Neo4j it starts itself
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run neo4j stop test bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade 'pip==26.3'
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

neo4j: install
	$(BIN)/supplygraph neo4j start

run: install
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/supplygraph neo4j start; fi
	$(BIN)/supplygraph db migrate
	$(BIN)/supplygraph seed --sample
	$(BIN)/supplygraph demo-client
	$(BIN)/supplygraph serve

stop: install
	$(BIN)/supplygraph neo4j stop

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

# Refresh the lock after changing a pin in pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -vi '^supplygraph' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
