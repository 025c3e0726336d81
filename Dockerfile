# The crmtickets image: gunicorn serving the Django app, static files collected at build time
# and served by whitenoise. Configuration comes from the environment at run time
# (docs/deploying.md); migrations run before serving (docker-compose.yml's `migrate` service).
# The same image runs the worker with the command `python manage.py run_worker` (compose's
# `worker` service), which needs no port; its health check is turned off there.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CRM_ENV=production

WORKDIR /app

# Dependencies first (pinned in requirements.txt), so a code change does not reinstall them.
COPY requirements.txt .
# libmagic sniffs attachment types (python-magic).
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt

RUN groupadd --system crm && useradd --system --gid crm --no-create-home --home-dir /app crm

# The code belongs to root and is read-only for the user that runs it.
COPY . .
# Production settings refuse to load without secrets; these build-only placeholders exist just
# for this command and are not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key-0123456789 \
    CRM_JWT_SECRET=collectstatic-at-build-time-only-not-a-real-secret \
    python manage.py collectstatic --noinput --verbosity 0

USER crm
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
