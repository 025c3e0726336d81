"""The answers the reverse proxy in front of gunicorn gives itself (docs/deploying.md, "The edge").

nginx refuses some requests before any app instance sees them: malformed HTTP, a request line or
headers over its limits, a body over the contract's limit, a client too slow to send, or no app
instance answering. Each such status has one static file, the contract's error envelope
(CONTRACT §2), rendered here from the same envelope code and limits the app uses, written to
`deploy/nginx/errors/` by `manage.py edge_error_pages` and served by nginx
(`deploy/nginx/edge.conf`).
"""

from pathlib import Path

import orjson

from crmapi import messages
from crmapi.edge_limits import HEADER_BUFFER_KIB, HEADERS_MAX_KIB
from crmapi.errors import error_envelope

ERROR_PAGES_DIR = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "errors"

RETRY_ADVICE = "retry later; a create retried with the same Idempotency-Key is made once."

EDGE_MESSAGES = {
    400: "Malformed HTTP request.",
    405: "Method not allowed by the server.",
    408: "The request was not received in time.",
    413: messages.BODY_TOO_LARGE,
    414: f"Request line must not exceed {HEADER_BUFFER_KIB} KiB.",
    431: (f"Request headers must not exceed {HEADER_BUFFER_KIB} KiB each and {HEADERS_MAX_KIB} KiB in all."),
    500: "Internal error at the proxy.",
    501: "Transfer-Encoding not supported; send the body with Content-Length or chunked.",
    502: f"The service did not answer; {RETRY_ADVICE}",
    503: f"The service is unavailable; {RETRY_ADVICE}",
    504: f"The service did not answer in time; {RETRY_ADVICE}",
    505: "HTTP version not supported; use HTTP/1.1.",
}


def error_page(status: int) -> bytes:
    """The body nginx answers `status` with: the envelope, as the app's renderer writes it."""
    return orjson.dumps(error_envelope(status, EDGE_MESSAGES[status]))


def error_pages() -> dict[str, bytes]:
    """{file name: body} for every status the proxy answers itself."""
    return {f"{status}.json": error_page(status) for status in EDGE_MESSAGES}
