"""A chunked request body (`Transfer-Encoding: chunked`, no `Content-Length`) is read like any
other, within the same limits (CONTRACT §8).

Django reads `CONTENT_LENGTH` bytes of `wsgi.input`, none when it is absent, so a chunked body
would be read as empty (400 `Request body must be a JSON object.`, even for 2 MiB). A server that
de-chunks the body and ends the input at its end says so with `wsgi.input_terminated` (gunicorn
does). Then the body is read here, at most one byte over the largest body the app accepts
(DATA_UPLOAD_MAX_MEMORY_SIZE), and handed to Django with its length: the limits apply as for a
`Content-Length`, 413 over it. A server that does not say so is left alone: reading its raw
input would wait for the client to close the connection. The project's runserver de-chunks the
body itself (crmapi/management/commands/runserver.py).
"""

import io

from django.conf import settings


def reads_chunked_bodies(application):
    """The WSGI `application`, given de-chunked bodies with their length."""

    def read_chunked_body(environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return read_chunked_body
