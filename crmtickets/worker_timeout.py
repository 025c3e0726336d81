"""How long a request can run at most, from gunicorn's timeouts: read by gunicorn.conf.py (which
applies them) and by the settings (which tell the app), so the two never disagree.

gunicorn kills a sync worker that has not finished its request within `timeout` seconds; a worker
told to stop (a deploy, a scale-down) gets `graceful_timeout` more before it is killed. No request
outlives their sum: work still marked in flight after that belongs to a process that is gone.
"""

from crmtickets.env import env_int

WORKER_TIMEOUT_SECONDS = env_int("GUNICORN_TIMEOUT", 30)
GRACEFUL_TIMEOUT_SECONDS = WORKER_TIMEOUT_SECONDS
REQUEST_RUN_MAX_SECONDS = WORKER_TIMEOUT_SECONDS + GRACEFUL_TIMEOUT_SECONDS
