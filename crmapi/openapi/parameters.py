"""The parameters of the OpenAPI description: the contract's request headers (CONTRACT §3, §9),
the response headers, and the query parameters (§7, §10), the latter derived from their
declarations in crmapi.inputs."""

from typing import Final

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from crmapi import channels, idempotency, limits
from crmapi.headers import SR_DATE_PATTERN
from crmapi.inputs import ATTACHMENT_ID_PARAMETER, LIST_PARAMETERS, TICKET_NO_PARAMETER, Kind, QueryParameter
from crmapi.openapi.components import NOT_ONLY_SPACE, STATUSES, VISIBLE_ASCII, any_case, canonical
from crmapi.openapi.examples import EXAMPLE_CORRELATION_ID, EXAMPLE_KEY

HEADER: Final = OpenApiParameter.HEADER
QUERY: Final = OpenApiParameter.QUERY


# --- Request headers (CONTRACT §3, §9) ---------------------------------------------------------


def _header(name: str, schema: dict, description: str, example: str, *, required: bool = True):
    return OpenApiParameter(
        name,
        type=schema if "anyOf" in schema else {"type": "string", **schema},
        location=HEADER,
        required=required,
        description=description,
        examples=[OpenApiExample(name, value=example)],
    )


def contract_headers(operation: str) -> list[OpenApiParameter]:
    """The mandatory headers every endpoint checks, in the contract's order (CONTRACT §3)."""
    return [
        _header(
            "correlationId",
            {"minLength": 1, "maxLength": limits.CORRELATION_ID_MAX_LENGTH, "pattern": VISIBLE_ASCII},
            f"The caller's trace id: 1 to {limits.CORRELATION_ID_MAX_LENGTH} visible ASCII characters, "
            "no spaces (a UUID is recommended, not required). Echoed as a response header. Names are "
            "case-insensitive.",
            EXAMPLE_CORRELATION_ID,
        ),
        _header(
            "source",
            {"minLength": 1, "maxLength": limits.SOURCE_HEADER_MAX_LENGTH, "pattern": NOT_ONLY_SPACE},
            f"The calling channel, 1 to {limits.SOURCE_HEADER_MAX_LENGTH} characters. When the service "
            "sets `CRM_ALLOWED_SOURCES`, one of those (case-insensitive).",
            "Selfcare",
        ),
        _header(
            "srDate",
            {"pattern": SR_DATE_PATTERN},
            "The request date, a real calendar date written exactly `DD-MM-YYYY`, zero-padded "
            "(`11-09-2021` is 11 September 2021; `1-9-2021`, `2021-09-11` and `31-02-2021` are refused). "
            "Also accepted spelled `srdate`.",
            "11-09-2021",
        ),
        _header(
            "operation",
            any_case([operation], f"{operation[:1].upper()}{operation[1:]}OperationEnum"),
            f"Names the endpoint. {canonical([operation])}",
            operation,
        ),
        _header(
            "destination", any_case(["CRM"], "DestinationEnum"), f"Always CRM. {canonical(['CRM'])}", "CRM"
        ),
    ]


IDEMPOTENCY_KEY = _header(
    idempotency.HEADER,
    {"minLength": 1, "maxLength": limits.IDEMPOTENCY_KEY_MAX_LENGTH, "pattern": VISIBLE_ASCII},
    f"Optional, 1 to {limits.IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters. "
    "A retry with the same key and the same JSON body (on E4, also the same `data` header) "
    "within 24 hours returns the first response with `Idempotent-Replayed: true` and creates "
    "nothing; the same key with a different body, or while the first request is still running, "
    "is 409. Only successes are stored, so a corrected retry may reuse the key. Scoped to the "
    "endpoint and the token's contact (E3: the key alone).",
    EXAMPLE_KEY,
    required=False,
)

CHANNEL_KEY = _header(
    channels.HEADER,
    # No minLength: unconfigured, the service ignores any value, and configured, a short one is
    # just an unknown key (401), so no value is malformed.
    {},
    "The calling channel's key, required when the service is configured with channel keys "
    f"(`CRM_SOCIAL_CHANNEL_KEYS`, each at least {limits.CHANNEL_KEY_MIN_LENGTH} characters; else "
    "ignored): a missing or unknown key is 401. Idempotency-Keys then belong to the channel.",
    "6f1c0d9e8b7a6f5e4d3c2b1a",
    required=False,
)

DATA_HEADER = _header(
    "data",
    {},
    "Optional, for clients of the original document: the comment text, used only when the body's "
    "`comment` is absent or blank. Prefer `comment` in the body.",
    "venki testing",
    required=False,
)

CORRELATION_ID_ECHO = OpenApiParameter(
    "correlationId",
    type=str,
    location=HEADER,
    response=True,
    description="The request's `correlationId`, echoed on every response when one was sent.",
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    idempotency.REPLAYED_HEADER,
    type={"type": "string", "enum": ["true"]},
    location=HEADER,
    response=[200],
    description="Present when this is the stored first response to an `Idempotency-Key` retry.",
)
TOTAL_COUNT = OpenApiParameter(
    "X-Total-Count",
    type={"type": "integer", "minimum": 0},
    location=HEADER,
    required=True,
    response=[200, 304],
    description="The number of the contact's tickets matching `status`, before `limit`/`offset`.",
)
IF_NONE_MATCH = _header(
    "If-None-Match",
    {},
    "Optional: the `ETag` of an earlier answer (or a comma-separated list of them, or `*`). When "
    "it matches the current one (weak comparison: `W/` or not), the answer is 304 with no body; "
    "any other value, empty included, is answered as if it were absent. "
    "Headers, token and parameters are checked first: a request that would be an error is that "
    "error, never 304.",
    'W/"5d41402abc4b2a76b9719d911017c592"',
    required=False,
)
ETAG = OpenApiParameter(
    "ETag",
    type={"type": "string", "pattern": '^W/"[0-9a-f]{32}"$'},
    location=HEADER,
    required=True,
    response=[200, 304],
    description="A weak tag of this result for this contact: it changes whenever the result (or "
    "`X-Total-Count`) would. Send it back as `If-None-Match` to get a 304 while nothing changed. "
    "Comes with `Cache-Control: private, no-cache`.",
)
ALLOW = OpenApiParameter(
    "Allow",
    type=str,
    location=HEADER,
    required=True,
    response=[405],
    description="Every method the path answers, `HEAD` and `OPTIONS` included.",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    type={"type": "integer", "minimum": 1},
    location=HEADER,
    required=True,
    response=[429],
    description="Seconds to wait before the next request.",
)


# --- Query parameters (CONTRACT §7, §10) -------------------------------------------------------


def query_parameter(parameter: QueryParameter) -> OpenApiParameter:
    """A query parameter, derived from its declaration in crmapi.inputs."""
    if parameter.kind is Kind.STATUS:
        schema: dict = any_case(STATUSES, "TicketStatusEnum", padded=True)
    elif parameter.kind is Kind.REFERENCE:
        schema = {"type": "string", "minLength": 1, "pattern": NOT_ONLY_SPACE}
    else:
        schema = {
            "type": "integer",
            "minimum": parameter.minimum,
            "maximum": parameter.maximum,
            "default": parameter.default,
        }
    examples = [OpenApiExample("Ticket number", value=parameter.example)] if parameter.example else []
    description = parameter.description
    if parameter.kind is Kind.STATUS:
        description = f"{description} {canonical(STATUSES)}"
    return OpenApiParameter(
        parameter.name,
        type=schema,
        location=QUERY,
        required=parameter.required,
        description=description,
        examples=examples,
    )


LIST_QUERY = [query_parameter(parameter) for parameter in LIST_PARAMETERS]  # E1
TICKET_NO_QUERY = query_parameter(TICKET_NO_PARAMETER)  # E6, E7, E9
ATTACHMENT_ID_QUERY = query_parameter(ATTACHMENT_ID_PARAMETER)  # E10
