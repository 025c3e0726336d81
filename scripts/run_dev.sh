#!/usr/bin/env bash
# What `make run` serves with: a worker (manage.py run_worker: webhook deliveries, emails) in the
# background and Django's development server in the foreground, on one database.
#   scripts/run_dev.sh [HOST:PORT]      (PY= the Python to use, default .venv/bin/python)
# Ctrl-C stops both: the terminal's SIGINT stops the server; the worker, which as a background
# job ignores SIGINT, then gets one SIGTERM and finishes the attempts under way (a second
# Ctrl-C meanwhile stops it at once).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
ADDRESS=${1:-127.0.0.1:8000}

"$PY" manage.py run_worker &
WORKER_PID=$!
stop_worker() {
  trap 'kill -TERM "$WORKER_PID" 2>/dev/null || true' INT
  kill -TERM "$WORKER_PID" 2>/dev/null || true
  wait "$WORKER_PID" 2>/dev/null || true
}
trap stop_worker EXIT

"$PY" manage.py runserver "$ADDRESS"
