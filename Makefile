# Two commands do all set-up on a fresh machine with Python 3.11+, Java 17+ and Maven:
#   make run    the service with the sample data (Neo4j fetched, started, migrated, seeded)
#   make test   the test suite, against a Neo4j it starts itself
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run neo4j stop test test-deps graphiql-assets webapp-assets ui-screenshots bench bench-adversarial bench-peer bench-reliability lock clean

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

# The Node and browser pieces of the tests (federation gateway, graphql-http audit, GraphiQL
# in Chromium) install here; any that cannot install fails `make test` loudly.
NODE_TESTS := tests/federation tests/http_audit tests/web/axe
NODE_STAMPS := $(addsuffix /node_modules/.supplygraph-installed,$(NODE_TESTS))
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

test-deps: $(NODE_STAMPS)
	@command -v chromium >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "chromium missing: apt-get install -y chromium (as root)" >&2; exit 1; }; \
	  apt-get update -qq && $(APT_GET) install -y -qq chromium; }
	@command -v chromium >/dev/null || { echo "chromium could not be installed" >&2; exit 1; }

%/node_modules/.supplygraph-installed: %/package-lock.json
	@command -v npm >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "node/npm missing: apt-get install -y nodejs npm (as root)" >&2; exit 1; }; \
	  apt-get update -qq && $(APT_GET) install -y -qq nodejs npm; }
	npm ci --prefix $* --no-audit --no-fund
	touch $@

test: install test-deps
	$(BIN)/python -m pytest

# Refresh the GraphiQL assets shipped in supplygraph/static/graphiql/vendor (committed) from
# tools/graphiql/package-lock.json.
graphiql-assets:
	tools/graphiql/copy-assets.sh

# Refresh the web app's htmx in supplygraph/web/static/vendor (committed) from
# tools/webapp/package-lock.json.
webapp-assets:
	tools/webapp/copy-assets.sh

# The screenshots of docs/ui.md: every page, at 1280 and 375 px, taken while axe-core checks it.
ui-screenshots: install test-deps
	SUPPLYGRAPH_SCREENSHOTS=$(CURDIR)/docs/ui $(BIN)/python -m pytest tests/web/test_accessibility.py -q -p no:cacheprovider

bench: install
	$(BIN)/python -m bench

# The adversarial suite's long run (tests/adversarial): 160 generated worlds, about 55,000
# operations, some 40 minutes here. `make bench-adversarial EXAMPLES=400` for more.
EXAMPLES ?= 160
bench-adversarial: install test-deps
	SUPPLYGRAPH_ADVERSARIAL_EXAMPLES=$(EXAMPLES) $(BIN)/python -m pytest tests/adversarial -q -s -p no:cacheprovider

# supplygraph beside @neo4j/graphql and the hand-written floor on one Neo4j with APOC
# (bench/peer, issue 12): loads --scale 100000 if needed, some 15 minutes here. Not part of
# `make test`. `make bench-peer PEER_ARGS="--sg-workers 2 --only exposure"` to vary it.
PEER_ARGS ?=
bench-peer: install bench/peer/node_modules/.supplygraph-installed
	$(BIN)/python -m bench.peer $(PEER_ARGS)

# The reliability suite (bench/reliability, issue 15): its own Neo4j and `serve --workers N`
# on 127.0.0.1, the 64-client mix for 60 s, Neo4j killed and restarted, the API killed
# mid-write, 3,300 hostile requests, a 20,000-row import crashed and resumed; some 15 minutes
# per worker count here. Stops everything it started. `make bench-reliability
# REL_ARGS="--workers 2 --only mix --seconds 20"` to vary it. Not part of `make test` (the
# hostile set runs there at a fixed seed: tests/reliability).
REL_ARGS ?= --workers 1 2
bench-reliability: install
	$(BIN)/python -m bench.reliability $(REL_ARGS)

# Refresh the lock after changing a pin in pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -vi '^supplygraph' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
