"""The envelope for what happens outside DRF's views, under /crm/ only (CONTRACT §2, §8).

DRF's exception handler covers errors raised in a view. Anything else — a path no view
matches, an error in another middleware, Django's own 400/500 pages — would leave as HTML;
this middleware turns every such response under /crm/ into the error envelope, echoes
`correlationId`, and strips the body of HEAD responses.

Its place in MIDDLEWARE: outside every Django middleware (security, sessions, common, CSRF,
auth, ...), so their HTML answers are replaced too; inside the three of the site that must
see what it sends or come first: the access log (logs the final response), the health probes
(answered before the host check) and CORS (adds its headers to the envelopes as well).
"""

import logging

import orjson
from django.http import HttpResponse

from crmapi.errors import envelope_for_exception, error_envelope, internal_error_reference
from crmapi.headers import valid_correlation_id
from crmapi.messages import INTERNAL_ERROR

logger = logging.getLogger("tickets.errors")

API_PREFIX = "/crm/"


def is_api_path(path: str) -> bool:
    """/crm itself and everything below it answer in the envelope."""
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


JSON = "application/json"


def envelope_response(status: int, envelope: dict, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(orjson.dumps(envelope), status=status, content_type=JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class CrmEnvelopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(JSON):
            response = self._replace_with_envelope(request, response)
        if correlation_id := valid_correlation_id(request):
            response["correlationId"] = correlation_id
        if request.method == "HEAD":
            if response.streaming:  # a download (E10): its headers, none of its bytes
                response.streaming_content = []
            else:
                response.content = b""
        if response.status_code == 304:
            # CommonMiddleware counted the empty body; a 304 must not claim the 200's length is 0.
            response.headers.pop("Content-Length", None)
        return response

    def process_exception(self, request, exception):
        """A view error that escaped DRF (e.g. a plain Django view under /crm/)."""
        if not is_api_path(request.path):
            return None
        status, envelope, headers = envelope_for_exception(exception, request)
        return envelope_response(status, envelope, headers)

    @staticmethod
    def _replace_with_envelope(request, response) -> HttpResponse:
        status = response.status_code
        if status >= 500:
            reference = internal_error_reference(request)
            logger.error(
                "Non-envelope %s under /crm/, reference %s",
                status,
                reference,
                extra={"correlationId": reference},
            )
            envelope = error_envelope(status, INTERNAL_ERROR.format(reference=reference))
        else:
            envelope = error_envelope(status, f"{response.reason_phrase}.")
        replacement = envelope_response(status, envelope)
        for header in ("Allow", "Retry-After"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement
