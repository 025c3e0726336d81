#!/usr/bin/env bash
# Proves openapi.yaml is as exact as the service (docs/integrating.md), in this order:
# 1. Redocly CLI and Spectral lint it: no errors (their configs, tools/openapi/, justify every
#    rule switched off);
# 2. the service starts as the README does (migrate, seed, runserver) on a free port with a
#    throw-away SQLite database;
# 3. Prism, a validating gateway (proxy mode, --errors), in front of it lets every README example
#    and every form the contract accepts through both ways (scripts/api_gateway_check.py);
# 4. a Python client (openapi-python-client) and a TypeScript client (openapi-typescript +
#    openapi-fetch) generated from openapi.yaml alone into scratch directories type-check
#    (mypy --strict, tsc --strict) and call every operation (scripts/api_client_check.py,
#    tools/openapi/client_check.ts);
# 5. schemathesis runs against the live /api/schema/ with valid fixed headers and a token
#    (schemathesis.toml), bounded by a fixed number of examples per operation and a time limit.
# The node tools are pinned in tools/openapi/package-lock.json (`make api-check` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PY=${PY:-.venv/bin/python}
MAX_TIME=${API_CHECK_MAX_TIME:-120}
# A fixed seed by default, so that CI judges the code and not the draw: the same cases in the same
# order every run, as many as fit in MAX_TIME.
# API_CHECK_SEED=random explores cases never tried before (how the U+001C title finding came up);
# a failure prints its seed, and API_CHECK_SEED=<that seed> replays it.
SEED=${API_CHECK_SEED:-169235088884441235201762062872437614969}
if [ "$SEED" != random ]; then set -- --seed "$SEED" "$@"; fi
WORKDIR=$(mktemp -d)
SERVER_PID=""
PRISM_PID=""
stop() {
  if [ -n "$1" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi
}
cleanup() {
  stop "$PRISM_PID"
  stop "$SERVER_PID"
  rm -rf "$WORKDIR"
}
trap cleanup EXIT
NODE_TOOLS=tools/openapi
NODE_BIN=$NODE_TOOLS/node_modules/.bin
VENV_BIN=$(cd "$(dirname "$PY")" && pwd)
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step() { echo "--- $1 (at ${SECONDS}s)"; }
step "Redocly CLI lint"
"$NODE_BIN/redocly" lint --config "$NODE_TOOLS/redocly.yaml" --format=summary openapi.yaml 2>&1 | grep -v '[║╔╚]'
step "Spectral lint (spectral:oas)"
"$NODE_BIN/spectral" lint --fail-severity error --ruleset "$NODE_TOOLS/spectral.yaml" openapi.yaml

# API_CHECK_DATABASE_URL=postgres://.../name runs it on PostgreSQL (the database is created if
# missing and left behind); by default a throw-away SQLite file.
export DATABASE_URL="${API_CHECK_DATABASE_URL:-sqlite:///$WORKDIR/api-check.sqlite3}"
# Throttling would answer most generated requests with 429 and hide the API behind it; an empty
# rate turns a throttle off (see settings). 429 itself is covered by the throttling tests.
export CRM_THROTTLE_CONTACT_RATE="" CRM_THROTTLE_ADDRESS_RATE=""
PORT=${API_CHECK_PORT:-$(free_port)}
BASE="http://127.0.0.1:$PORT"

"$PY" manage.py ensure_database >/dev/null
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py seed_issue_types >/dev/null
CRM_API_CHECK_TOKEN=$("$PY" manage.py issue_token --contact 649797 --ttl 3600)
export CRM_API_CHECK_TOKEN

"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORKDIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$BASE/api/schema/" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$BASE/api/schema/" || { cat "$WORKDIR/server.log"; echo "server did not start" >&2; exit 1; }

step "Prism proxy --errors in front of the service"
PRISM_PORT=$(free_port)
PRISM="http://127.0.0.1:$PRISM_PORT"
"$NODE_BIN/prism" proxy --errors -h 127.0.0.1 -p "$PRISM_PORT" openapi.yaml "$BASE" >"$WORKDIR/prism.log" 2>&1 &
PRISM_PID=$!
for _ in $(seq 1 60); do
  grep -q "Prism is listening" "$WORKDIR/prism.log" && break
  sleep 0.5
done
"$PY" scripts/api_gateway_check.py "$PRISM" || { grep -v "info " "$WORKDIR/prism.log" | tail -n 40; exit 1; }
stop "$PRISM_PID"; PRISM_PID=""

step "Python client (openapi-python-client), mypy --strict, every operation"
mkdir -p "$WORKDIR/python"
"$VENV_BIN/openapi-python-client" generate --path openapi.yaml --output-path "$WORKDIR/python/crm_client" \
  --meta none --config "$NODE_TOOLS/openapi-python-client.yaml" --fail-on-warning >/dev/null
(cd "$WORKDIR/python" && "$VENV_BIN/mypy" --config-file "$ROOT/$NODE_TOOLS/mypy-client.ini" \
  --cache-dir "$ROOT/.mypy_cache/api-check" crm_client "$ROOT/scripts/api_client_check.py")
PYTHONPATH="$WORKDIR/python" "$PY" scripts/api_client_check.py "$BASE"

step "TypeScript client (openapi-typescript + openapi-fetch), tsc --strict, every operation"
rm -rf "$NODE_TOOLS/generated"
"$NODE_BIN/openapi-typescript" openapi.yaml -o "$NODE_TOOLS/generated/schema.ts" >/dev/null 2>&1
"$NODE_BIN/tsc" -p "$NODE_TOOLS/tsconfig.json"
node "$NODE_TOOLS/generated/js/client_check.js" "$BASE"

step "schemathesis"
status=0
"$(dirname "$PY")/schemathesis" run "$BASE/api/schema/" --checks all --max-time "$MAX_TIME" --workers 1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines)"; tail -n 40 "$WORKDIR/server.log"
fi
exit "$status"
