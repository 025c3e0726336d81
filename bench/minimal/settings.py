"""The minimal hand-written Django project `make bench` holds the API to (docs/performance.md).

What one would write by hand to serve E1, E2, E3 and E5 and nothing else, in production mode: no
admin, no DRF, no sessions or auth; SecurityMiddleware and CommonMiddleware only; the same
database (and connection settings) and the same HTTPS settings as the project in production.
bench/run.py serves it with the same gunicorn configuration and workers beside the project.
"""

import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
JWT_SECRET = os.environ["CRM_JWT_SECRET"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True

INSTALLED_APPS = ["bench.minimal"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "bench.minimal.urls"
APPEND_SLASH = False
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Without it, concurrent creates fail with "database is locked" (the project sets it too).
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
