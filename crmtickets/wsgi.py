"""WSGI entry point (gunicorn crmtickets.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from crmtickets.chunked_body import reads_chunked_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmtickets.settings")

application = reads_chunked_bodies(get_wsgi_application())
