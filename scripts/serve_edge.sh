#!/usr/bin/env bash
# `make serve-edge`: the production shape on loopback (docs/deploying.md, "The edge"). nginx in
# front (deploy/nginx/), two gunicorn instances on internal ports behind it, a worker
# (manage.py run_worker), production settings, secrets made up for this run as `make serve-prod`
# does (unless set), Redis for the throttles the instances share, and a self-signed certificate
# made for this run.
#   scripts/serve_edge.sh [HOST] [PORT] [TLS_PORT]      (default 127.0.0.1 8080 8443)
# Environment: DATABASE_URL (required), REDIS_URL (default redis://127.0.0.1:6379/0), PY (default
# .venv/bin/python), EDGE_RUN_DIR (the run's directory: nginx's prefix, logs, pid files; default a
# new temporary one), EDGE_SKIP_COLLECTSTATIC=1 (the API only: no static files for the admin).
# Ctrl-C (or SIGTERM) stops everything: background jobs ignore the terminal's SIGINT, so each
# process gets a SIGTERM of its own (gunicorn and the worker finish what is under way).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PY=${PY:-.venv/bin/python}
HOST=${1:-127.0.0.1}
PORT=${2:-8080}
TLS_PORT=${3:-8443}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is not installed (apt-get install nginx-light)" >&2; exit 1; }
: "${DATABASE_URL:?set DATABASE_URL}"

secret() { "$PY" -c "import secrets; print(secrets.token_urlsafe($1))"; }
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export CRM_ENV=production DATABASE_URL
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(secret 50)}
export CRM_JWT_SECRET=${CRM_JWT_SECRET:-$(secret 48)}
# nginx sets X-Forwarded-For and -Proto itself; plain HTTP is served too, for local checks.
export CRM_TRUSTED_PROXIES=1 DJANGO_SECURE_SSL_REDIRECT=false
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}

RUN=${EDGE_RUN_DIR:-$(mktemp -d -t crmtickets-edge.XXXXXX)}
mkdir -p "$RUN/logs" "$RUN/temp"
ln -sfn "$ROOT/deploy/nginx/errors" "$RUN/errors"

# As `make serve-prod` prepares: the database created if missing, migrations, the issue types,
# static files; in one process, each start of Django costs seconds.
steps="c('ensure_database'); c('migrate', interactive=False, verbosity=0); c('seed_issue_types')"
[ "${EDGE_SKIP_COLLECTSTATIC:-0}" = 1 ] || steps="$steps; c('collectstatic', interactive=False, verbosity=0)"
"$PY" manage.py shell --no-imports -c "from django.core.management import call_command as c; $steps"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$HOST" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$RUN/edge-key.pem" -out "$RUN/edge.pem" 2>/dev/null

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all INT TERM EXIT

APPS=()
for instance in 1 2; do
  app_port=$(free_port)
  GUNICORN_BIND="127.0.0.1:$app_port" "$PY" -m gunicorn --config gunicorn.conf.py \
    >>"$RUN/logs/app$instance.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$RUN/app$instance.pid"
  APPS+=("127.0.0.1:$app_port")
done
"$PY" manage.py run_worker >>"$RUN/logs/worker.log" 2>&1 &
PIDS+=($!)
echo $! >"$RUN/worker.pid"

user=""
[ "$(id -u)" -ne 0 ] || user="user root;"  # nginx's workers would otherwise run as nobody
sed -e "s|@USER@|$user|" -e "s|@APP1@|${APPS[0]}|" -e "s|@APP2@|${APPS[1]}|" \
  -e "s|@HTTP@|$HOST:$PORT|" -e "s|@HTTPS@|$HOST:$TLS_PORT|" -e "s|@DEPLOY@|$ROOT/deploy/nginx|" \
  deploy/nginx/nginx.conf.template >"$RUN/nginx.conf"
"$NGINX" -q -t -p "$RUN/" -c "$RUN/nginx.conf" -e "$RUN/logs/error.log"
"$NGINX" -p "$RUN/" -c "$RUN/nginx.conf" -e "$RUN/logs/error.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")

# Both instances answer before the edge is announced.
for app in "${APPS[@]}"; do
  for _ in $(seq 1 120); do
    "$PY" -c "import urllib.request, sys; urllib.request.urlopen('http://$app/healthz', timeout=1)" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || exit 1
    sleep 0.5
  done
done
echo "edge ready" >"$RUN/ready"
echo
echo "Token for contact ${DEMO_CONTACT:-649797}, valid 24 h with this run's secret:"
"$PY" manage.py issue_token --contact "${DEMO_CONTACT:-649797}" --ttl 86400
echo
echo "Serving http://$HOST:$PORT/ and https://$HOST:$TLS_PORT/ (self-signed: $RUN/edge.pem)"
echo "App instances ${APPS[*]}, logs in $RUN/logs. Ctrl-C stops everything."
wait "$NGINX_PID"
