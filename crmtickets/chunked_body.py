"""A chunked request body (`Transfer-Encoding: chunked`, no `Content-Length`) is read like any
other, within the same limits (CONTRACT §8).

Django reads `CONTENT_LENGTH` bytes of `wsgi.input`, none when it is absent, so a chunked body
would be read as empty (400 `Request body must be a JSON object.`, even for 2 MiB). A server that
de-chunks the body and ends the input at its end says so with `wsgi.input_terminated` (gunicorn
does). Then the body is read here, at most one byte over the largest body the app accepts
(an attachment upload's, `crmapi.uploads.largest_body_bytes`), spooled to disk past 1 MiB, and
handed to Django with its length: each endpoint's limit applies as for a `Content-Length`, 413
over it. A server that does not say so is left alone: reading its raw
input would wait for the client to close the connection. The project's runserver de-chunks the
body itself (crmapi/management/commands/runserver.py).
"""

import tempfile

from django.conf import settings

_CHUNK_BYTES = 64 * 1024


def _spooled(source, limit: int, body) -> int:
    """Copy at most `limit` bytes of `source` into `body`, rewound; returns how many."""
    while body.tell() < limit and (chunk := source.read(min(_CHUNK_BYTES, limit - body.tell()))):
        body.write(chunk)
    length = body.tell()
    body.seek(0)
    return length


def reads_chunked_bodies(application):
    """The WSGI `application`, given de-chunked bodies with their length."""

    def read_chunked_body(environ, start_response):
        # Imported here: this wraps the WSGI application before Django's apps are loaded.
        from crmapi.uploads import largest_body_bytes

        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not (chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")):
            return application(environ, start_response)
        # Spooled: a chunked upload (E8, up to its own limit) goes to disk past 1 MiB, so it is
        # never held in memory whole. The view has read it when the application returns.
        with tempfile.SpooledTemporaryFile(max_size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE) as body:
            length = _spooled(environ["wsgi.input"], largest_body_bytes() + 1, body)
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(length)
            return application(environ, start_response)

    return read_chunked_body
