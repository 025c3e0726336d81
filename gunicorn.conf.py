"""gunicorn settings for the container image and `make serve-prod`; every knob from the environment.

gunicorn writes no access log: the app logs one JSON line per request itself (crmtickets/access_log.py).
"""

import os

from crmapi import edge_limits
from crmtickets.env import env_int, env_str
from crmtickets.worker_timeout import GRACEFUL_TIMEOUT_SECONDS, WORKER_TIMEOUT_SECONDS

wsgi_app = "crmtickets.wsgi:application"
bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
# A fixed default rather than one per CPU: a container sees every CPU of its host, and each
# worker keeps its own PostgreSQL connection open.
workers = env_int("GUNICORN_WORKERS", 4)
threads = env_int("GUNICORN_THREADS", 1)
# GUNICORN_TIMEOUT; the app knows the sum as the longest a request can run (crmtickets/worker_timeout.py).
timeout = WORKER_TIMEOUT_SECONDS
graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
# Longer than a load balancer's idle timeout (often 60 s), so it never reuses a closed connection.
keepalive = env_int("GUNICORN_KEEPALIVE", 75)
# gunicorn answers a header over its limit (8 KiB by default) with its own HTML page; raised so
# that oversized values up to 128 KiB reach the app and get the contract's 400 envelope.
limit_request_field_size = 128 * 1024
# Behind the proxy (deploy/nginx/), nginx enforces the request line and header limits and answers
# with the envelope; gunicorn's own limits sit just above nginx's so that it never answers what
# nginx passed on with a page of its own.
limit_request_line = edge_limits.REQUEST_LINE_MAX_BYTES
limit_request_fields = edge_limits.HEADER_LINES_MAX
accesslog = None
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "info").lower()
# The heartbeat files of the workers: in memory, not on a container's overlay file system.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# No runtime control socket: nothing uses it, and it would be written under $HOME (read-only in
# the image) at one fixed path shared by every gunicorn of the same user on a machine.
control_socket_disable = True
