"""Application errors, the contract's messages, and the one place errors become envelopes.

Every error under /crm/ leaves as
    {"response": {"success": "false", "result": {"arguments": {statusCode, errorCode, errorMessage}}}}
(CONTRACT §2). Messages are constants here so that code and tests share one spelling.
"""

import logging
import math
import uuid
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from tickets.headers import valid_correlation_id

logger = logging.getLogger("tickets.errors")

# --- Messages (CONTRACT §3, §5, §6, §8, §9, §10) ---------------------------------------------------

HEADER_MISSING = "Header '{name}' not present in the request."
HEADER_CORRELATION_ID_INVALID = (
    "Header 'correlationId' must be 1 to 128 visible ASCII characters without spaces."
)
HEADER_SOURCE_TOO_LONG = "Header 'source' must be 1 to 64 characters."
HEADER_SOURCE_NOT_ALLOWED = "Header 'source' must be one of: {allowed}."
HEADER_SR_DATE_INVALID = "Header 'srDate' must be a real date in DD-MM-YYYY format."
HEADER_OPERATION_INVALID = "Header 'operation' must be '{operation}' for this endpoint."
HEADER_DESTINATION_INVALID = "Header 'destination' must be 'CRM'."

TOKEN_PERIODS = "JWT strings must contain exactly 2 period characters. Found: {count}"
TOKEN_EXPIRED = "JWT expired."
TOKEN_BAD_SIGNATURE = "JWT signature does not match."
TOKEN_MALFORMED = "JWT could not be decoded."
TOKEN_ALGORITHM_NOT_ALLOWED = "JWT algorithm is not allowed."
TOKEN_CLAIM_MISSING = "JWT is missing the required '{claim}' claim."
TOKEN_ISSUER_INVALID = "JWT issuer is not accepted."
TOKEN_AUDIENCE_INVALID = "JWT audience is not accepted."
TOKEN_NOT_YET_VALID = "JWT is not yet valid."
TOKEN_SUBJECT_INVALID = "JWT subject must be a contact number."
TOKEN_INVALID = "JWT is not valid."

BODY_MALFORMED = "Malformed JSON request body."
BODY_NOT_OBJECT = "Request body must be a JSON object."
BODY_TOO_LARGE = "Request body must not exceed 1 MiB."
BODY_UNSUPPORTED_MEDIA_TYPE = "Content type '{content_type}' is not supported; send application/json."
BODY_CONTENT_TYPE_MISSING = "Header 'Content-Type' not present in the request; send application/json."

FIELD_REQUIRED = "Field '{name}' is required."
FIELD_NOT_STRING = "Field '{name}' must be a string."
FIELD_NOT_STRING_OR_INTEGER = "Field '{name}' must be a string or an integer."
FIELD_TOO_LONG = "Field '{name}' must be at most {max_length} characters."
FIELD_BAD_CHARACTERS = "Field '{name}' contains characters that are not allowed."
FIELD_DUPLICATE = "Field '{name}' is given more than once."
FIELD_BAD_DATE = "Field '{name}' must be a date in YYYY-MM-DD format."
FIELD_BAD_STATUS = "Field '{name}' must be one of: Open, In Progress, Wait For Response, Closed."
FIELD_BAD_CONTACT = "Field '{name}' must be a contact number."

QUERY_REQUIRED = "Query parameter '{name}' is required."
QUERY_BAD_STATUS = "Query parameter 'status' must be one of: Open, In Progress, Wait For Response, Closed."
QUERY_BAD_LIMIT = "Query parameter 'limit' must be an integer from 1 to 500."
QUERY_BAD_OFFSET = "Query parameter 'offset' must be an integer of 0 or more."

CONTACT_MISMATCH = "contactId does not match the token."
TICKET_NOT_FOUND = "Ticket '{ticket_no}' not found."

PATH_NOT_FOUND = "No endpoint at '{path}'."
METHOD_NOT_ALLOWED = "Method '{method}' is not allowed on this endpoint."
THROTTLED = "Too many requests. Retry in {wait} seconds."
IDEMPOTENCY_KEY_INVALID = "Header 'Idempotency-Key' must be 1 to 255 visible ASCII characters without spaces."
IDEMPOTENCY_KEY_REUSED = "Idempotency-Key '{key}' was already used for a different request."
IDEMPOTENCY_KEY_IN_FLIGHT = "Idempotency-Key '{key}' is already being processed."
DOWNSTREAM_ERROR_CODE = "Downstream error"
DOWNSTREAM_MESSAGE = "- Not Able to connect with CRM."
INTERNAL_ERROR = "Internal error. Reference: {reference}."
INVALID_TOKEN_CODE = "INVALID_TOKEN"


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


def envelope_for_exception(exc: BaseException, request) -> tuple[int, dict, dict]:
    """Map any exception to (status, envelope, extra headers). Logs what the client can't see."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        return exc.status_code, error_envelope(exc.status_code, exc.message, exc.error_code), headers
    if isinstance(exc, RequestDataTooBig):
        return 413, error_envelope(413, BODY_TOO_LARGE), headers
    if isinstance(exc, (drf_exceptions.AuthenticationFailed, drf_exceptions.NotAuthenticated)):
        return 401, error_envelope(401, TOKEN_INVALID, INVALID_TOKEN_CODE), headers
    if isinstance(exc, drf_exceptions.ParseError):
        return 400, error_envelope(400, BODY_MALFORMED), headers
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        message = BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type=request.content_type or "")
        return 415, error_envelope(415, message), headers
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        message = METHOD_NOT_ALLOWED.format(method=request.method if request else "")
        return 405, error_envelope(405, message), headers
    if isinstance(exc, drf_exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        headers["Retry-After"] = str(wait)
        return 429, error_envelope(429, THROTTLED.format(wait=wait)), headers
    if isinstance(exc, (Http404, drf_exceptions.NotFound)):
        path = request.path if request else ""
        return 404, error_envelope(404, PATH_NOT_FOUND.format(path=path)), headers
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
