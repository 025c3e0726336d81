"""WSGI entry point (gunicorn crmtickets.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmtickets.settings")

application = get_wsgi_application()
