"""Settings for `make bench`: the production settings, plus the reference views' URLs.

Everything else (middleware, DRF, database options, CONN_MAX_AGE) is exactly what production
runs; `bench/run.py` sets `CRM_ENV=production` so DEBUG is off and secrets are required.
"""

from crmtickets.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
