"""`manage.py runserver` as whitenoise and staticfiles make it, with two changes: a request sent
without a `Content-Type` reaches the service without one, and a chunked body is read.

Django's development server is built on wsgiref, which fills a missing `Content-Type` with
`text/plain` (the MIME default). A body sent without one was then answered `Content type
'text/plain' is not supported` by `make run` and `Header 'Content-Type' not present in the
request` behind gunicorn; now every server hands over what the client sent (CONTRACT §6, the 415
of docs/api.md). For this command to be the one Django runs, crmapi is listed before
whitenoise.runserver_nostatic in INSTALLED_APPS.

wsgiref cannot read a chunked body (`Transfer-Encoding: chunked`, no `Content-Length`): the
service saw it as empty. Here it is de-chunked, up to one byte over the largest body the app
accepts, and handed over with its length, as gunicorn does (crmtickets/chunked_body.py), so
the same limits and answers hold on both servers (CONTRACT §8).
"""

import io

from django.core.servers import basehttp
from whitenoise.runserver_nostatic.management.commands.runserver import (  # type: ignore[import-untyped]
    Command as WhiteNoiseRunserver,
)

from crmapi.uploads import largest_body_bytes


def dechunked(stream, limit: int) -> bytes:
    """The chunked body on `stream`, at most `limit` bytes of it (RFC 9112 §7.1; extensions and
    trailers skipped). A malformed one ends where it breaks."""
    body = bytearray()
    while len(body) < limit:
        size_line = stream.readline(1024).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            break
        if size == 0:
            while stream.readline(1024).strip():  # trailers, up to the blank line
                pass
            break
        body += stream.read(min(size, limit - len(body)))
        if len(body) < limit:
            stream.readline(1024)  # the chunk's CRLF
    return bytes(body)


class RequestHandler(basehttp.WSGIRequestHandler):
    chunked_body: bytes | None = None

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if chunked and self.headers.get("Content-Length") is None:
            # Held in memory: the development server only (gunicorn's spools to disk).
            self.chunked_body = dechunked(self.rfile, largest_body_bytes() + 1)
            # Django's handler reads the body from `rfile`; the socket's is closed in `finish`.
            self.socket_rfile, self.rfile = self.rfile, io.BytesIO(self.chunked_body)
            self.close_connection = True  # what is left of an oversized body stays unread
        return True

    def get_environ(self):
        environ = super().get_environ()
        if self.headers.get("Content-Type") is None:
            environ.pop("CONTENT_TYPE", None)
        if self.chunked_body is not None:
            environ["CONTENT_LENGTH"] = str(len(self.chunked_body))
        return environ

    def finish(self):
        super().finish()
        if self.chunked_body is not None:
            self.socket_rfile.close()


class Server(basehttp.WSGIServer):
    """Django's server, with the handler above whatever handler it is given."""

    def __init__(self, server_address, handler_class, *args, **kwargs):
        super().__init__(server_address, RequestHandler, *args, **kwargs)


class Command(WhiteNoiseRunserver):
    server_cls = Server
