"""One log line per request on the `tickets.access` logger (JSON, see crmtickets/jsonlog.py).

What is needed to find a request again and see how it ended: method, path (without the query
string), status, duration, and who asked: `correlationId`, `source`, `operation` as sent and the
contact of a verified token. Never the token, never a body; header values are cut to a bounded
length so a hostile 100 kB header cannot flood the log.
"""

import logging
import time

from crmapi.authentication import Contact

logger = logging.getLogger("tickets.access")

LOGGED_HEADERS = ("correlationId", "source", "operation")
MAX_LOGGED_HEADER_LENGTH = 128


def logged_header(request, name: str) -> str:
    """A request header as it appears in the logs: as sent, cut to a bounded length."""
    return request.headers.get(name, "")[:MAX_LOGGED_HEADER_LENGTH]


def _contact(request) -> str:
    # DRF stores the authenticated Contact on the request. Read the attribute without
    # touching Django's lazy `request.user`, which would look up a session on admin pages.
    user = vars(request).get("user")
    return str(user.number) if type(user) is Contact else ""


class AccessLogMiddleware:
    """Outermost middleware, so the status logged is the one the client got."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {name: logged_header(request, name) for name in LOGGED_HEADERS}
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                **fields,
                "contact": _contact(request),
            },
        )
        return response
