"""`manage.py runserver` as whitenoise and staticfiles make it, with one change: a request sent
without a `Content-Type` reaches the service without one.

Django's development server is built on wsgiref, which fills a missing `Content-Type` with
`text/plain` (the MIME default). A body sent without one was then answered `Content type
'text/plain' is not supported` by `make run` and `Header 'Content-Type' not present in the
request` behind gunicorn; now every server hands over what the client sent (CONTRACT §6, the 415
of docs/api.md). For this command to be the one Django runs, crmapi is listed before
whitenoise.runserver_nostatic in INSTALLED_APPS.
"""

from django.core.servers import basehttp
from whitenoise.runserver_nostatic.management.commands.runserver import (  # type: ignore[import-untyped]
    Command as WhiteNoiseRunserver,
)


class RequestHandler(basehttp.WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        if self.headers.get("Content-Type") is None:
            environ.pop("CONTENT_TYPE", None)
        return environ


class Server(basehttp.WSGIServer):
    """Django's server, with the handler above whatever handler it is given."""

    def __init__(self, server_address, handler_class, *args, **kwargs):
        super().__init__(server_address, RequestHandler, *args, **kwargs)


class Command(WhiteNoiseRunserver):
    server_cls = Server
