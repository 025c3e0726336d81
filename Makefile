# The two commands of the README: `make run` (serve on SQLite, with a worker) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CONTACT ?= 649797

.PHONY: venv run worker test lint hooks format migrate token bench bench-webhooks schema api-check

# The virtualenv is rebuilt only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@$(PY) -c 'import magic' 2>/dev/null || { echo "libmagic is missing: apt-get install libmagic1 (attachment types are sniffed with it)"; exit 1; }
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_issue_types
	$(MANAGE) seed_demo
	$(MANAGE) seed_canned_replies

token: venv
	@$(MANAGE) issue_token --contact $(DEMO_CONTACT) --ttl 86400

run: migrate
	@echo
	@echo "Development token for contact $(DEMO_CONTACT) (valid 24 h):"
	@TOKEN=$$($(MANAGE) issue_token --contact $(DEMO_CONTACT) --ttl 86400); \
	echo "$$TOKEN"; echo; \
	set -- $$($(PY) -c 'from crmapi.endpoints import E1; print(E1.path, E1.operation)'); \
	echo "Try:"; \
	echo "curl -s http://$(HOST):$(PORT)$$1 -H 'token: $$TOKEN' -H 'correlationId: 123e4567-e89b-12d3-a456-426614174000' -H 'source: Selfcare' -H 'srDate: 11-09-2021' -H 'operation: $$2' -H 'destination: CRM'"; \
	echo
	PY=$(PY) scripts/run_dev.sh $(HOST):$(PORT)

# A worker alone (webhook deliveries, emails), on the database `make migrate` prepared or
# DATABASE_URL's; `make run` already starts one. Production runs `python manage.py run_worker`.
worker: venv
	$(MANAGE) run_worker

# Production settings on the local PostgreSQL, the way the container runs (docs/deploying.md):
# secrets made up for this run only, the database created if missing, migrations, the issue
# types and static files first, then gunicorn. Plain HTTP here, so no redirect to HTTPS.
SERVE_PROD_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/crmtickets)

.PHONY: serve-prod
serve-prod: venv
	@export CRM_ENV=production DATABASE_URL='$(SERVE_PROD_DATABASE_URL)' DJANGO_SECURE_SSL_REDIRECT=false \
		GUNICORN_BIND='$(HOST):$(PORT)' \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		CRM_JWT_SECRET="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
	set -e; \
	$(MANAGE) ensure_database; \
	$(MANAGE) migrate --noinput; \
	$(MANAGE) seed_issue_types; \
	$(MANAGE) collectstatic --noinput --verbosity 0; \
	echo; echo "Token for contact $(DEMO_CONTACT), valid 24 h with this run's secret:"; \
	$(MANAGE) issue_token --contact $(DEMO_CONTACT) --ttl 86400; echo; \
	echo "Serving http://$(HOST):$(PORT)/ (probes: /healthz, /readyz). Ctrl-C stops."; \
	exec $(VENV)/bin/gunicorn --config gunicorn.conf.py

# The production shape on loopback (docs/deploying.md, "The edge"): nginx on HOST:PORT (plain HTTP)
# and HOST:TLS_PORT (a self-signed certificate made for this run) in front of two gunicorn
# instances and a worker, production settings, secrets made up for this run, Redis for the shared
# throttles (REDIS_URL, default redis://127.0.0.1:6379/0). nginx comes from Debian's packages.
TLS_PORT ?= 8443

.PHONY: serve-edge
serve-edge: venv
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt-get install -y nginx-light || (apt-get update && apt-get install -y nginx-light)
	DATABASE_URL='$(SERVE_PROD_DATABASE_URL)' PY=$(PY) scripts/serve_edge.sh $(HOST) $(PORT) $(TLS_PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, then mypy (pyproject.toml [tool.mypy]), then models and migrations in step.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run

# Git hooks (.pre-commit-config.yaml): the same ruff and mypy on every commit, from this virtualenv.
hooks: venv
	$(VENV)/bin/pre-commit install

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The OpenAPI description (docs/integrating.md): regenerate openapi.yaml after changing an endpoint.
schema: venv
	$(MANAGE) spectacular --validate --fail-on-warn --file openapi.yaml

# The API reference's generated tables (docs/api.md, between its GENERATED markers): regenerate
# after changing an endpoint, a header rule, a body field, a query parameter or a message.
.PHONY: docs
docs: venv
	$(MANAGE) api_reference --write docs/api.md

# The node tools of api-check, pinned by tools/openapi/package-lock.json, are reinstalled only
# when it changes (like the virtualenv); node_modules is never committed.
NODE_TOOLS := tools/openapi
$(NODE_TOOLS)/node_modules/.installed: $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# openapi.yaml linted (Redocly CLI, Spectral), then against the live service on a free port and a
# throw-away SQLite database: Prism as a validating gateway, generated Python and TypeScript
# clients, schemathesis (scripts/api_check.sh, docs/integrating.md).
api-check: venv $(NODE_TOOLS)/node_modules/.installed
	PY=$(PY) scripts/api_check.sh

# The performance benchmark (docs/performance.md): a scratch database, gunicorn, wrk.
# BENCH_ARGS="--max-tickets 400000" skips the 2M-ticket step; DATABASE_URL=postgres://... for PostgreSQL.
bench: venv
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(PY) -m bench.run $(BENCH_ARGS)

# The conversation search (docs/performance.md): 2M tickets and 6M comments generated on
# PostgreSQL (DATABASE_URL's server, a `<name>_search_bench` database), p50/p95 of one-word searches.
# BENCH_ARGS="--keep" keeps the database for the next run, "--tickets 200000" a smaller one.
.PHONY: bench-search
bench-search: venv
	$(PY) -m bench.search $(BENCH_ARGS)

# The soak (docs/deploying.md): 10 minutes of reads, keyed creates and comments through the edge
# (make serve-edge's stack) with PostgreSQL restarted and an app instance killed in the middle;
# a table of requests, errors by kind, lost and duplicated creates. SOAK_ARGS="--duration 60".
.PHONY: soak
soak: venv
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt-get install -y nginx-light || (apt-get update && apt-get install -y nginx-light)
	DATABASE_URL='$(SERVE_PROD_DATABASE_URL)' $(PY) -m bench.soak $(SOAK_ARGS)

# Webhook deliveries (docs/performance.md): one worker's deliveries per second to a local
# receiver, and commit-to-first-attempt latency idle and under E5 load; DATABASE_URL as for bench.
bench-webhooks: venv
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(PY) -m bench.webhooks $(BENCH_ARGS)
