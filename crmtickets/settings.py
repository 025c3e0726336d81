"""Settings for crmtickets, read from the environment.

Every value has a safe development default so that a fresh clone runs with nothing configured;
`CRM_ENV=production` turns the defaults strict (no DEBUG, secrets required). See docs/deploying.md.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from crmapi import limits
from crmtickets.env import (
    env_bool,
    env_float,
    env_int,
    env_int_list,
    env_keyed,
    env_list,
    env_rate,
    env_renamed,
    env_str,
)
from crmtickets.worker_timeout import REQUEST_RUN_MAX_SECONDS

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Environment -----------------------------------------------------------------------------

CRM_ENV = env_str("CRM_ENV", "development").lower()
IS_DEVELOPMENT = CRM_ENV == "development"
DEBUG = env_bool("DJANGO_DEBUG", IS_DEVELOPMENT)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY if IS_DEVELOPMENT else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when CRM_ENV is not 'development'.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS (outside development) -------------------------------------------------------------
# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto (and must overwrite
# any value a client sent). Plain HTTP is redirected (health probes are answered before,
# crmtickets/health.py); cookies are Secure; HSTS is sent. `manage.py check --deploy` reports nothing.

BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", not IS_DEVELOPMENT)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not IS_DEVELOPMENT)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if IS_DEVELOPMENT else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not IS_DEVELOPMENT
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not IS_DEVELOPMENT

# --- Applications ----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise's and staticfiles' runserver: crmapi's own (a missing Content-Type stays
    # missing, crmapi/management/commands/runserver.py) is the one Django runs.
    "crmapi",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "tickets",
    "desk",
    "webhooks",
    "notifications",
    "attachments",
    "sla",
]

MIDDLEWARE = [
    # Outermost: logs the response the client finally got (crmtickets/access_log.py).
    "crmtickets.access_log.AccessLogMiddleware",
    # Before the host check and the HTTPS redirect (crmtickets/health.py).
    "crmtickets.health.HealthProbeMiddleware",
    # Outside the envelope, so error envelopes carry the CORS headers too.
    "crmapi.cors.CrmCorsMiddleware",
    "crmapi.middleware.CrmEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # crmtickets.site_only: whitenoise's and Django's own, skipped for paths under /crm/. CSRF and
    # X-Frame-Options stay Django's by name, which `check --deploy` looks for (the API's views
    # are CSRF-exempt; the header costs nothing).
    "crmtickets.site_only.WhiteNoiseMiddleware",
    "crmtickets.site_only.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "crmtickets.site_only.AuthenticationMiddleware",
    "crmtickets.site_only.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "crmtickets.urls"
WSGI_APPLICATION = "crmtickets.wsgi.application"
# The API answers with and without a trailing slash itself; never redirect a POST.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "crmtickets" / "templates"],  # the site's own pages (the one at /)
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user@host:5432/name; default: an SQLite file beside manage.py.
# Connections are kept open across requests (a new PostgreSQL connection per request costs ~4x)
# and health-checked before reuse, so a restarted database is picked up without a restart.

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent creates queue instead of failing
    # with "database is locked" half-way through a transaction. The write-ahead log lets reads
    # go on while a write runs and commits with one sync instead of the rollback journal's
    # three (creates went from ~330 to ~480 a second in `make bench`); `synchronous` stays
    # FULL, so a committed write survives a power cut (docs/performance.md). Django's backend,
    # with writers queued on a lock that wakes the next one as soon as one commits, instead of
    # SQLite's busy handler, which sleeps 1 to 25 ms between tries (crmtickets/sqlite/).
    DATABASES["default"]["ENGINE"] = "crmtickets.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
else:
    # Django's backend, sending a transaction's BEGIN, and its last writes that nobody reads,
    # with the statements after them, and asking the kernel, not the server, whether a reused
    # connection is still open: fewer round trips (crmtickets/postgresql/).
    DATABASES["default"]["ENGINE"] = "crmtickets.postgresql"
    # The statements compiled once prepared on the server once per connection (the backend's
    # docstring). Off behind a pooler that does not keep a session's prepared statements for
    # it (pgbouncer in transaction mode).
    DATABASES["default"]["PREPARE_STATEMENTS"] = env_bool("DB_PREPARED_STATEMENTS", True)  # type: ignore[typeddict-unknown-key]  # (a key of this backend)
    # Fail fast when the store is unreachable: the client gets "Downstream error" within 5 s
    # (CONTRACT §8). A connect that hangs gives up after DB_CONNECT_TIMEOUT seconds; an
    # open connection whose packets silently vanish (database host gone, route dropped) gives up
    # after DB_TCP_USER_TIMEOUT_MS of unacknowledged data instead of the kernel's ~15 minutes.
    # Worst case, a statement on a silent connection then a reconnect: 2 s + 2 s. While a
    # query runs, keepalive probes after 1 s of silence put data on the wire for that timeout to
    # judge (a live server's kernel answers them however long the query takes).
    # A server that answers but is stuck (a frozen server, a row some transaction keeps locked)
    # is bounded too: a statement gives up after DB_STATEMENT_TIMEOUT_MS, a wait for a lock after
    # DB_LOCK_TIMEOUT_MS, and the client gets that same envelope instead of waiting until gunicorn
    # kills the worker. 0 turns one off. `manage.py migrate` runs without the statement timeout
    # (tickets/management/commands/migrate.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=env_int("DB_CONNECT_TIMEOUT", 2),
        tcp_user_timeout=env_int("DB_TCP_USER_TIMEOUT_MS", 2000),
        keepalives=1,
        keepalives_idle=1,
        keepalives_interval=1,
        options=(
            f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 5000)} "
            f"-c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 2000)} "
            # No JIT: it pays off for long analytical queries only, and the planner's guesses for
            # a young or unanalysed table (the desk queue's four joins) make it compile for
            # seconds a query that reads a handful of rows (docs/decisions.md).
            "-c jit=off"
        ),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation --------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served by whitenoise. Outside development from `collectstatic` output, compressed and with
# hashed names (cached forever); in development straight from the apps' static folders.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if IS_DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Attachments (CONTRACT §13, docs/configuration.md): the `attachments` storage. By default a
# private directory that no URL of the server maps to; CRM_ATTACHMENT_STORAGE=s3 keeps them in
# an S3-compatible bucket instead, as private objects.
CRM_ATTACHMENT_STORAGE = env_str("CRM_ATTACHMENT_STORAGE", "filesystem").lower()
CRM_ATTACHMENT_ROOT = env_str("CRM_ATTACHMENT_ROOT", str(BASE_DIR / "var" / "attachments"))
# With S3: E10 answers 302 to a presigned URL (valid CRM_ATTACHMENT_URL_SECONDS, at most 300)
# instead of streaming the bytes through the service.
CRM_ATTACHMENT_REDIRECT = env_bool("CRM_ATTACHMENT_REDIRECT", False)
CRM_ATTACHMENT_URL_SECONDS = env_int("CRM_ATTACHMENT_URL_SECONDS", 300)
if not 1 <= CRM_ATTACHMENT_URL_SECONDS <= 300:
    raise ImproperlyConfigured("CRM_ATTACHMENT_URL_SECONDS must be from 1 to 300.")
if CRM_ATTACHMENT_STORAGE == "s3":
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("CRM_ATTACHMENT_S3_BUCKET", ""),
            "endpoint_url": env_str("CRM_ATTACHMENT_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CRM_ATTACHMENT_S3_REGION", "") or None,
            "access_key": env_str("CRM_ATTACHMENT_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("CRM_ATTACHMENT_S3_SECRET_ACCESS_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": CRM_ATTACHMENT_URL_SECONDS,
            "file_overwrite": False,
            "addressing_style": env_str("CRM_ATTACHMENT_S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
        },
    }
elif CRM_ATTACHMENT_STORAGE == "filesystem":
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": CRM_ATTACHMENT_ROOT},
    }
else:
    raise ImproperlyConfigured("CRM_ATTACHMENT_STORAGE must be 'filesystem' or 's3'.")
CRM_ATTACHMENT_MAX_BYTES = env_int("CRM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CRM_ATTACHMENT_MAX_PER_TICKET = env_int("CRM_ATTACHMENT_MAX_PER_TICKET", 20)

WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = IS_DEVELOPMENT
# Static files are for the admin and the API docs on this origin: no CORS header (whitenoise adds `*`).
WHITENOISE_ALLOW_ALL_ORIGINS = False

# --- Request limits --------------------------------------------------------------------------

# CONTRACT §6: a body over 1 MiB is 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = limits.QUERY_PARAMETERS_MAX

# --- Cache ------------------------------------------------------------------------------------
# Holds the throttle counters, so it must be shared by every process: Redis when REDIS_URL is set
# (e.g. redis://127.0.0.1:6379/0), else local memory (one process, development and tests).
# A Redis outage must not take the API down: cache errors are logged and ignored, which turns
# throttling off until Redis is back. After a failure or a timeout a process leaves Redis alone
# for CRM_CACHE_RETRY_SECONDS (crmtickets/cache.py), so a hung Redis costs it one timeout per
# interval instead of one per request.

REDIS_URL = env_str("REDIS_URL", "")
CRM_CACHE_RETRY_SECONDS = env_float("CRM_CACHE_RETRY_SECONDS", 5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "crmtickets.cache.FailFastRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CRM_CACHE_KEY_PREFIX", "crmtickets"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }
    # Each failure is logged once, when the process starts skipping Redis (crmtickets/cache.py).
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    # Room for a window's counter of every caller (Django's default of 300 entries would drop
    # the counters of a busy minute, and throttling with them, each drop a costlier request).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "crmtickets",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Django REST framework -------------------------------------------------------------------

env_renamed("CRM_THROTTLE_ANON_RATE", "CRM_THROTTLE_ADDRESS_RATE")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["crmapi.renderers.EnvelopeRenderer"],
    "DEFAULT_PARSER_CLASSES": ["crmapi.parsers.StrictJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "crmapi.errors.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Throttling (crmapi/throttling.py): per token contact, and per client address on E3; each
    # CRM_THROTTLE_<SCOPE>_RATE sets its scope. An empty rate turns that throttle off (load tests).
    "DEFAULT_THROTTLE_RATES": {
        "contact": env_rate("CRM_THROTTLE_CONTACT_RATE", "120/min"),
        "address": env_rate("CRM_THROTTLE_ADDRESS_RATE", "30/min"),
    },
    # How many reverse proxies append to X-Forwarded-For: the client is the address the outermost
    # one saw. 0 = the socket's peer (X-Forwarded-For ignored). One by default behind a TLS proxy.
    "NUM_PROXIES": env_int("CRM_TRUSTED_PROXIES", 1 if BEHIND_TLS_PROXY else 0),
}

# The OpenAPI description (crmapi/openapi/); /api/docs/ and /api/redoc/ load only local files.
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM Ticket Services",
    "DESCRIPTION": (
        "The customer's Ticket Services API. Every response is JSON in an envelope whose scalar values "
        'are strings: `{"response": {"success": "true", "result": ...}}`, or on error '
        '`{"response": {"success": "false", "result": {"arguments": {"statusCode": "400", '
        '"errorCode": "400 BAD_REQUEST", "errorMessage": ...}}}}` with `statusCode` equal to the HTTP '
        "status. Headers are checked in order: presence, values, then the token. Header names are "
        "case-insensitive; paths also answer with a trailing slash."
    ),
    "VERSION": "1.0.0",
    # A relative server: the host that serves this description (/api/schema/), whatever it is.
    "SERVERS": [{"url": "/", "description": "The host serving this description."}],
    "CONTACT": {"name": "crmtickets maintainers"},
    "LICENSE": {"name": "Proprietary"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SORT_OPERATION_PARAMETERS": False,  # headers in the contract's order (CONTRACT §3)
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "validatorUrl": None},
    "PREPROCESSING_HOOKS": ["crmapi.openapi.hooks.strip_trailing_slash"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crmapi.openapi.hooks.empty_query_is_absent",
        "crmapi.openapi.hooks.ticket_links",
        "crmapi.openapi.hooks.named_enums",
        "crmapi.openapi.hooks.body_is_required",
        "crmapi.openapi.hooks.no_token_is_said",
        "crmapi.openapi.hooks.trailing_slash_forms",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "CustomerTicketStatusEnum": ["Open", "Closed"],
        "TicketPriorityEnum": "tickets.models.TicketPriority",
        "RatingEnum": ["1", "2", "3", "4", "5"],
        "FlagEnum": ["0", "1"],
        "SuccessEnum": ["true"],
        "FailureEnum": ["false"],
    },
    "TAGS": [
        {"name": "tickets", "description": "The token contact's tickets (E1, E5, E7, E11, E12)."},
        {"name": "comments", "description": "The conversation on a ticket (E4, E6)."},
        {"name": "attachments", "description": "Files attached to a ticket's conversation (E8, E9, E10)."},
        {"name": "issue types", "description": "The catalogue a customer picks from (E2)."},
        {"name": "social", "description": "Tickets from social and app channels, without a token (E3)."},
    ],
}

# --- CRM: tokens -----------------------------------------------------------------------------
# CONTRACT §4. HS256 with CRM_JWT_SECRET by default; RS256 with a PEM public key when
# CRM_JWT_PUBLIC_KEY_FILE is set. The accepted algorithm is fixed here, never read from a token.

DEVELOPMENT_JWT_SECRET = "development-only-jwt-secret-do-not-use-in-production"
CRM_JWT_PUBLIC_KEY_FILE = env_str("CRM_JWT_PUBLIC_KEY_FILE", "")
CRM_JWT_ALGORITHM = "RS256" if CRM_JWT_PUBLIC_KEY_FILE else "HS256"
CRM_JWT_SECRET = env_str("CRM_JWT_SECRET", DEVELOPMENT_JWT_SECRET if IS_DEVELOPMENT else "")
if CRM_JWT_ALGORITHM == "HS256" and not IS_DEVELOPMENT:
    if not CRM_JWT_SECRET:
        raise ImproperlyConfigured("CRM_JWT_SECRET must be set when CRM_ENV is not 'development'.")
    if len(CRM_JWT_SECRET.encode()) < 32:
        raise ImproperlyConfigured("CRM_JWT_SECRET must be at least 32 bytes long.")
CRM_JWT_ISSUER = env_str("CRM_JWT_ISSUER", "")
CRM_JWT_AUDIENCE = env_str("CRM_JWT_AUDIENCE", "")
CRM_JWT_LEEWAY_SECONDS = 30

# --- CRM: contract knobs ---------------------------------------------------------------------

# E3 has no token by contract. When set (`name:key,name2:key2`), E3 requires the caller's channel
# key in `X-Channel-Key` and scopes its Idempotency-Keys per channel (crmapi/channels.py);
# `check --deploy` warns when it is unset outside development.
CRM_SOCIAL_CHANNEL_KEYS = env_keyed(
    "CRM_SOCIAL_CHANNEL_KEYS",
    max_name_length=limits.CHANNEL_NAME_MAX_LENGTH,
    min_key_length=limits.CHANNEL_KEY_MIN_LENGTH,
)

# CONTRACT §3: when set, the `source` header must be one of these (case-insensitive).
CRM_ALLOWED_SOURCES = env_list("CRM_ALLOWED_SOURCES", [])
# CONTRACT §7: the first ticket number (a store migrated from an older CRM continues its numbering).
CRM_TICKET_NUMBER_START = env_int("CRM_TICKET_NUMBER_START", 1000)
# The longest a request can run before gunicorn kills its worker (crmtickets/worker_timeout.py):
# an Idempotency-Key claim older than this (plus a margin) was left by a process that died.
CRM_REQUEST_RUN_MAX_SECONDS = REQUEST_RUN_MAX_SECONDS
# CONTRACT §11: a customer may reopen a closed ticket (E4, E11) for this many days after closing.
CRM_REOPEN_DAYS = env_int("CRM_REOPEN_DAYS", 30)
if CRM_REOPEN_DAYS < 0:
    raise ImproperlyConfigured("CRM_REOPEN_DAYS must be 0 or more.")

# --- Support desk: failed logins ---------------------------------------------------------------
# desk/login_limits.py: this many failed logins for one username, or from one client address,
# within the lockout locks it for the lockout's seconds (counted in the cache, like the throttles).

CRM_DESK_LOGIN_FAILURES_MAX = env_int("CRM_DESK_LOGIN_FAILURES_MAX", 10)
CRM_DESK_LOGIN_LOCKOUT_SECONDS = env_int("CRM_DESK_LOGIN_LOCKOUT_SECONDS", 900)

# --- Background work: webhooks and email -----------------------------------------------------
# django-tasks with its database backend: a task is a row written in the transaction of the
# change that asks for it (the outbox), run by `manage.py run_worker` processes (make worker),
# as many as needed on any machine; PostgreSQL hands rows out with SKIP LOCKED.

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# A worker process runs this many tasks at once (threads, one database connection each); an idle
# thread looks for a due task every CRM_WORKER_INTERVAL seconds. Interrupted attempts are looked
# for every CRM_WORKER_RECOVER_INTERVAL seconds; finished task rows are kept this many days.
CRM_WORKER_THREADS = env_int("CRM_WORKER_THREADS", 4)
CRM_WORKER_INTERVAL = env_float("CRM_WORKER_INTERVAL", 0.1)
CRM_WORKER_RECOVER_INTERVAL = env_float("CRM_WORKER_RECOVER_INTERVAL", 60.0)
CRM_TASK_RESULTS_KEEP_DAYS = env_int("CRM_TASK_RESULTS_KEEP_DAYS", 14)
# Each app's function that keeps its periodic tasks queued (tickets/periodic.py); the worker
# calls them when it starts.
WORKER_PERIODIC_TASKS = ["webhooks.recovery.keep_scheduled", "sla.tasks.keep_scheduled"]
if CRM_WORKER_THREADS < 1 or CRM_TASK_RESULTS_KEEP_DAYS < 1:
    raise ImproperlyConfigured("CRM_WORKER_THREADS and CRM_TASK_RESULTS_KEEP_DAYS must be 1 or more.")

# CONTRACT §12. Seconds an attempt may take; the retry schedule after each failed attempt
# (each delay ±10 %); private and loopback receivers outside development (https still required).
CRM_WEBHOOK_TIMEOUT = env_float("CRM_WEBHOOK_TIMEOUT", 15.0)
CRM_WEBHOOK_RETRY_DELAYS = env_int_list("CRM_WEBHOOK_RETRY_DELAYS", [5, 300, 1800, 7200, 18000, 36000, 36000])
CRM_WEBHOOK_ALLOW_PRIVATE = env_bool("CRM_WEBHOOK_ALLOW_PRIVATE", False)
# Certificates (PEM) trusted for receivers' TLS instead of the system's, e.g. a private CA for
# receivers inside the network; "" = the system's trust store.
CRM_WEBHOOK_CA_FILE = env_str("CRM_WEBHOOK_CA_FILE", "")

# Service levels (sla/): the worker looks for breached targets every CRM_SLA_CHECK_INTERVAL
# seconds; the queue marks a ticket due within CRM_SLA_WARNING_MINUTES as nearly breached (and
# filters on it); each process keeps the policies and calendars CRM_SLA_SETTINGS_TTL seconds.
CRM_SLA_CHECK_INTERVAL = env_float("CRM_SLA_CHECK_INTERVAL", 60.0)
CRM_SLA_WARNING_MINUTES = env_int("CRM_SLA_WARNING_MINUTES", 60)
CRM_SLA_SETTINGS_TTL = env_float("CRM_SLA_SETTINGS_TTL", 60.0)
if CRM_SLA_CHECK_INTERVAL <= 0 or CRM_SLA_WARNING_MINUTES < 1 or CRM_SLA_SETTINGS_TTL < 0:
    raise ImproperlyConfigured(
        "CRM_SLA_CHECK_INTERVAL must be above 0, CRM_SLA_WARNING_MINUTES 1 or more, "
        "CRM_SLA_SETTINGS_TTL 0 or more."
    )

# Email to agents (notifications/): the console in development, SMTP elsewhere, configured here.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if IS_DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crmtickets <crmtickets@localhost>")
# Where new tickets are announced ("" = nobody), and the desk's address for links in emails.
CRM_DESK_NOTIFY_EMAIL = env_str("CRM_DESK_NOTIFY_EMAIL", "")
CRM_DESK_URL = env_str("CRM_DESK_URL", "http://127.0.0.1:8000").rstrip("/")

# --- CORS ------------------------------------------------------------------------------------
# Browser pages on these origins may call /crm/ (crmapi/cors.py); no other origin gets a CORS
# header. No cookies are involved (the token is a header), so credentials stay off.

CORS_ALLOWED_ORIGINS = env_list("CRM_CORS_ORIGINS", [])
CORS_URLS_REGEX = r"^/crm/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
CORS_ALLOW_HEADERS = [
    *cors_default_headers,
    "token",
    "correlationid",
    "source",
    "srdate",
    "operation",
    "destination",
    "data",
    "idempotency-key",
    "if-none-match",
    "x-channel-key",
]
CORS_EXPOSE_HEADERS = ["correlationId", "X-Total-Count", "Retry-After", "Idempotent-Replayed", "ETag"]

# --- Logging ---------------------------------------------------------------------------------
# One JSON object per line on stderr (crmtickets/jsonlog.py). Logger names predate the split into
# apps and stay, so log queries keep working: the request log (tickets.access),
# errors with their traceback and correlationId (tickets.errors), and Django's own messages.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "crmtickets.jsonlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        # Replaces Django's default handlers for its loggers, which would print each error twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A 4xx is already in the request log; Django would add a second line for each.
        "django.request": {"level": "ERROR"},
    },
}
