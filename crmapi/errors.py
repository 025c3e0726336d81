"""Application errors and the one place errors become envelopes.

Every error under /crm/ leaves as
    {"response": {"success": "false", "result": {"arguments": {statusCode, errorCode, errorMessage}}}}
(CONTRACT §2). The sentences themselves live in `crmapi.messages`.
"""

import logging
import math
import uuid
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from crmapi.headers import valid_correlation_id
from crmapi.messages import (
    BODY_MALFORMED,
    BODY_TOO_LARGE,
    BODY_UNSUPPORTED_MEDIA_TYPE,
    DOWNSTREAM_ERROR_CODE,
    DOWNSTREAM_MESSAGE,
    INTERNAL_ERROR,
    INVALID_TOKEN_CODE,
    METHOD_NOT_ALLOWED,
    PATH_NOT_FOUND,
    QUERY_TOO_MANY,
    THROTTLED,
    TOKEN_INVALID,
    quoted,
)

logger = logging.getLogger("tickets.errors")


class ApiError(drf_exceptions.APIException):
    """An error with the contract's status, message and (rarely) a non-standard errorCode."""

    def __init__(self, status: int, message: str, error_code: str | None = None):
        self.status_code = status
        self.message = message
        self.error_code = error_code or error_code_for(status)
        super().__init__(detail=message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def invalid_token(message: str) -> ApiError:
    return ApiError(401, message, INVALID_TOKEN_CODE)


def error_code_for(status: int) -> str:
    """`400 BAD_REQUEST`, `413 PAYLOAD_TOO_LARGE`, ... (CONTRACT §2)."""
    phrase = HTTPStatus(status).phrase
    if status == 413:
        phrase = "Payload Too Large"  # http.HTTPStatus says "Request Entity Too Large".
    return f"{status} {phrase.upper().replace(' ', '_').replace('-', '_')}"


def error_envelope(status: int, message: str, error_code: str | None = None) -> dict:
    return {
        "response": {
            "success": "false",
            "result": {
                "arguments": {
                    "statusCode": str(status),
                    "errorCode": error_code or error_code_for(status),
                    "errorMessage": message,
                }
            },
        }
    }


def is_store_unreachable(exc: BaseException) -> bool:
    """True for a database that cannot be reached or was lost, not for a failing statement.

    SQLite's "database is locked" / "table is locked" and a missing table are our own faults, not the store's.
    """
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return not any(marker in text for marker in ("is locked", "no such "))
    return False


def internal_error_reference(request) -> str:
    """The correlationId when the client sent a usable one, else a fresh reference to log.

    Error log lines carry it as `correlationId`, beside their traceback.
    """
    return valid_correlation_id(request) or uuid.uuid4().hex


def refusal_message(sentences: list[str], status: int) -> str:
    """What a domain refusal (a service's ValidationError or PermissionDenied) says to the client:
    its own sentences, joined by a space (each is a sentence of its own), or the status phrase
    when it gave none."""
    text = " ".join(sentence.strip() for sentence in sentences if sentence.strip())
    return text or HTTPStatus(status).phrase + "."


def envelope_for_exception(exc: BaseException, request) -> tuple[int, dict, dict]:
    """Map any exception to (status, envelope, extra headers). Logs what the client can't see."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        return exc.status_code, error_envelope(exc.status_code, exc.message, exc.error_code), headers
    if isinstance(exc, ValidationError):
        return 400, error_envelope(400, refusal_message(exc.messages, 400)), headers
    if isinstance(exc, PermissionDenied):
        return 403, error_envelope(403, refusal_message([str(arg) for arg in exc.args], 403)), headers
    if isinstance(exc, TooManyFieldsSent):
        return 400, error_envelope(400, QUERY_TOO_MANY), headers
    if isinstance(exc, RequestDataTooBig):
        return 413, error_envelope(413, BODY_TOO_LARGE), headers
    if isinstance(exc, (drf_exceptions.AuthenticationFailed, drf_exceptions.NotAuthenticated)):
        return 401, error_envelope(401, TOKEN_INVALID, INVALID_TOKEN_CODE), headers
    if isinstance(exc, drf_exceptions.ParseError):
        return 400, error_envelope(400, BODY_MALFORMED), headers
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        message = BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type=quoted(request.content_type or ""))
        return 415, error_envelope(415, message), headers
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        message = METHOD_NOT_ALLOWED.format(method=quoted(request.method if request else ""))
        return 405, error_envelope(405, message), headers
    if isinstance(exc, drf_exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))  # type: ignore[attr-defined]  # set by Throttled, not in the stubs
        headers["Retry-After"] = str(wait)
        return 429, error_envelope(429, THROTTLED.format(wait=wait)), headers
    if isinstance(exc, (Http404, drf_exceptions.NotFound)):
        path = request.path if request else ""
        return 404, error_envelope(404, PATH_NOT_FOUND.format(path=quoted(path))), headers
    if isinstance(exc, drf_exceptions.APIException):
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase + "."
        return status, error_envelope(status, str(detail)), headers
    reference = internal_error_reference(request)
    if isinstance(exc, DatabaseError) and is_store_unreachable(exc):
        logger.error("Store unreachable: %s", exc, exc_info=exc, extra={"correlationId": reference})
        return 500, error_envelope(500, DOWNSTREAM_MESSAGE, DOWNSTREAM_ERROR_CODE), headers
    logger.error("Unhandled error, reference %s", reference, exc_info=exc, extra={"correlationId": reference})
    return 500, error_envelope(500, INTERNAL_ERROR.format(reference=reference)), headers


def envelope_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error raised in a view, in the error envelope."""
    request = context.get("request")
    status, body, headers = envelope_for_exception(exc, request)
    return Response(body, status=status, headers=headers)
