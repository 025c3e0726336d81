"""The OpenAPI description of /crm/v1/ (drf-spectacular), kept out of the views.

The API validates bodies by hand (see serializers.py), so nothing here validates a request: the
serializers below exist only to give drf-spectacular named components with the contract's rules
(CONTRACT §3, §6, §7, §9). Views carry one decorator each, taken from the bottom of this module.

Decisions where the contract says nothing about the description itself:
- The JWT is the `token` security scheme (apiKey in header `token`), not a header parameter too:
  generated clients and Swagger UI's "Authorize" then handle it once for every operation.
- Bodies are described with the table spelling of the document (`ticketStatus`, `tickettitle`);
  the example spelling (`ticketstatus`, `ticket_title`) is explained, with the document's body, in
  the body's description (a formal example must validate against the property names).
- Paths are written without the trailing slash the routes also accept.
"""

import json
from collections.abc import Sequence

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers

from crmapi import headers, idempotency, inputs, limits, messages
from crmapi.errors import error_envelope
from crmapi.inputs import WHITESPACE
from crmapi.renderers import success_envelope
from tickets import formats
from tickets.models import TicketStatus

HEADER = OpenApiParameter.HEADER
QUERY = OpenApiParameter.QUERY

# Text the service refuses: blank (only white space) or holding a NUL (CONTRACT §6).
NOT_ONLY_SPACE = rf"[^{WHITESPACE}]"
NON_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
STATUSES = list(TicketStatus.values)
DATETIME = rf"^{formats.DATETIME_FORM}$"
# 1 to n visible ASCII characters (correlationId, Idempotency-Key), as crmapi.headers checks them.
VISIBLE_ASCII = rf"^[{headers.VISIBLE_ASCII}]+$"
TICKET_NO = rf"^{formats.TICKET_NUMBER_PREFIX}[0-9]+$"
RECORD_ID = rf"^{formats.RECORD_ID_PREFIX}[0-9]+$"


def prefixed_or_empty(prefix: str) -> str:
    """`formats.prefixed`'s output: the prefix and digits, or "" for none."""
    return rf"^({prefix}[0-9]+)?$"


# --- The token ---------------------------------------------------------------------------------


class TokenScheme(OpenApiAuthenticationExtension):
    """The customer's JWT in the `token` header (CONTRACT §3.3, §4)."""

    target_class = "crmapi.authentication.JWTAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": (
                "A JWT from the customer's identity service; its `sub` is the contact number "
                '(`"649797"`), `exp` is required. A `Bearer ` prefix is tolerated. In development, '
                "mint one with `python manage.py issue_token --contact 649797 --ttl 3600`.\n\n"
                "A missing `token` is 400 like any missing header; it is checked after the other "
                "headers, and every failure is 401 with errorCode `INVALID_TOKEN`, e.g. "
                "`JWT strings must contain exactly 2 period characters. Found: 0`, `JWT expired.`, "
                "`JWT signature does not match.`"
            ),
        }


# --- Headers (CONTRACT §3, §9) -----------------------------------------------------------------


def _header(name: str, schema: dict, description: str, example: str, *, required: bool = True):
    return OpenApiParameter(
        name,
        type={"type": "string", **schema},
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
            "The caller's trace id: 1 to 128 visible ASCII characters, no spaces (a UUID is "
            "recommended, not required). Echoed as a response header. Names are case-insensitive.",
            "123e4567-e89b-12d3-a456-426614174000",
        ),
        _header(
            "source",
            {"minLength": 1, "maxLength": limits.SOURCE_HEADER_MAX_LENGTH, "pattern": NOT_ONLY_SPACE},
            "The calling channel, 1 to 64 characters. When the service sets `CRM_ALLOWED_SOURCES`, "
            "one of those (case-insensitive).",
            "Selfcare",
        ),
        _header(
            "srDate",
            {"pattern": headers.SR_DATE_PATTERN},
            "The request date, a real calendar date written exactly `DD-MM-YYYY`, zero-padded "
            "(`11-09-2021` is 11 September 2021; `1-9-2021`, `2021-09-11` and `31-02-2021` are refused). "
            "Also accepted spelled `srdate`.",
            "11-09-2021",
        ),
        _header(
            "operation",
            {"enum": [operation]},
            f"Names the endpoint: `{operation}` (case-insensitive).",
            operation,
        ),
        _header("destination", {"enum": ["CRM"]}, "Always `CRM` (case-insensitive).", "CRM"),
    ]


EXAMPLE_KEY = "5f0c7a8e-3b1d-4c2a-9e6f-1a2b3c4d5e6f"
IDEMPOTENCY_KEY = _header(
    idempotency.HEADER,
    {"minLength": 1, "maxLength": limits.IDEMPOTENCY_KEY_MAX_LENGTH, "pattern": VISIBLE_ASCII},
    "Optional, 1 to 255 visible ASCII characters (CONTRACT §9). A retry with the same key and the "
    "same JSON body (on E4, also the same `data` header) within 24 hours returns the first "
    "response with `Idempotent-Replayed: true` and creates nothing; the same key with a different "
    "body, or while the first request is still running, is 409. Only successes are stored, so a "
    "corrected retry may reuse the key. Scoped to the endpoint and the token's contact (E3: the "
    "key alone).",
    EXAMPLE_KEY,
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
    response=[200],
    description="The number of the contact's tickets matching `status`, before `limit`/`offset`.",
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


# --- Envelope components (CONTRACT §2) -----------------------------------------------------------


class SchemaField(serializers.Field):
    """A schema-only field whose OpenAPI schema is given as written (kept as a constructor
    argument, because DRF rebuilds fields from their arguments)."""

    def __init__(self, schema: dict, **kwargs):
        self.schema = schema
        super().__init__(**kwargs)


class SchemaFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SchemaField

    def map_serializer_field(self, auto_schema, direction):
        return self.target.schema


def _text(*, required: bool = True, **schema) -> serializers.Field:
    return SchemaField({"type": "string", **schema}, required=required)


def envelope(name: str, result) -> serializers.Serializer:
    """`{"response": {"success": "true", "result": <result>}}` as the component `<name>Envelope`."""
    response = inline_serializer(
        name=f"{name}Response",
        fields={"success": _text(enum=["true"]), "result": result},
    )
    wrapper = inline_serializer(name=f"{name}Envelope", fields={"response": response})
    # An envelope is one object even when it wraps a list or answers a `list` action (E2).
    extend_schema_serializer(many=False)(type(wrapper))
    return wrapper


class ErrorArguments(serializers.Serializer):
    statusCode = _text(pattern=r"^[1-5][0-9]{2}$", description="The HTTP status, as a string.")
    errorCode = _text(
        description="`<status> <REASON_PHRASE>` (`400 BAD_REQUEST`), or `INVALID_TOKEN` (401) or "
        "`Downstream error` (500, the store is unreachable)."
    )
    errorMessage = _text(description="What went wrong, in one sentence.")


class ErrorResult(serializers.Serializer):
    arguments = ErrorArguments()


class ErrorResponse(serializers.Serializer):
    success = _text(enum=["false"])
    result = ErrorResult()


class ErrorEnvelope(serializers.Serializer):
    """Every error under /crm/, whatever its status."""

    response = ErrorResponse()


# --- Request bodies (CONTRACT §6) --------------------------------------------------------------

DOCUMENT_SPELLING_BODY = {
    "source": "app",
    "ticketstatus": "Open",
    "effectivedate": "",
    "ticketcategories": "Plan change",
    "ticket_title": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "vouchertype": "",
    "voucheridformat": "",
    "passwordpattern": "",
}
SPELLING_NOTE = (
    "Keys match case-insensitively and ignoring underscores, so both spellings of the customer's "
    "document work: the table's `ticketStatus`, `tickettitle`, `voucherIdFormat` (used below) and "
    "the example's `ticketstatus`, `ticket_title`, `voucheridformat`. Two keys naming one field are "
    "refused; unknown keys are ignored and never stored; `null` counts as absent. Lengths count "
    "Unicode code points. The first failing field, in the order listed, is reported.\n\n"
    "The document's example body, accepted as written once its placeholder `effectivedate` "
    '`"YYYY-MM-DD"` is replaced by a date or `""`:\n\n```json\n'
    + json.dumps(DOCUMENT_SPELLING_BODY, indent=2)
    + "\n```"
)


def body_field_schema(field: inputs.BodyField) -> dict:
    """A body field's OpenAPI property, derived from its declaration in crmapi.inputs."""
    if field.kind is inputs.Kind.TEXT:
        rules = {"pattern": NO_NUL} if field.blank else {"minLength": 1, "pattern": NON_BLANK}
        return {"type": "string", "maxLength": field.max_length, "description": field.description, **rules}
    if field.kind is inputs.Kind.STATUS:
        return {"type": "string", "enum": STATUSES, "description": field.description}
    if field.kind is inputs.Kind.DATE:
        return {
            "type": "string",
            "anyOf": [{"format": "date"}, {"enum": [""]}],
            "description": field.description,
            "example": field.example,
        }
    if field.kind is inputs.Kind.CONTACT:
        forms = [
            {
                "type": "string",
                "pattern": rf"^[{WHITESPACE}]*{formats.CONTACT_NUMBER_FORM}[{WHITESPACE}]*$",
                "example": field.example,
            },
            {"type": "integer", "minimum": 0, "maximum": formats.NUMBER_MAX},
        ]
        if not field.blank:
            return {"oneOf": forms, "description": field.description}
        return {
            "oneOf": [*forms, {"type": "string", "enum": [""]}],
            "nullable": True,
            "description": field.description,
        }
    return {
        "oneOf": [
            {"type": "string", "minLength": 1, "pattern": NOT_ONLY_SPACE},
            {"type": "integer"},
        ],
        "description": field.description,
        "example": field.example,
    }


def query_parameter(parameter: inputs.QueryParameter) -> OpenApiParameter:
    """A query parameter, derived from its declaration in crmapi.inputs."""
    if parameter.kind is inputs.Kind.STATUS:
        schema: dict = {"type": "string", "enum": STATUSES}
    elif parameter.kind is inputs.Kind.REFERENCE:
        schema = {"type": "string", "minLength": 1, "pattern": NOT_ONLY_SPACE}
    else:
        schema = {
            "type": "integer",
            "minimum": parameter.minimum,
            "maximum": parameter.maximum,
            "default": parameter.default,
        }
    examples = [OpenApiExample("Ticket number", value=parameter.example)] if parameter.example else []
    return OpenApiParameter(
        parameter.name,
        type=schema,
        location=QUERY,
        required=parameter.required,
        description=parameter.description,
        examples=examples,
    )


class BodyFieldSchema(serializers.Field):
    """A body field in a request component; its schema is derived from the declaration when the
    description is generated, so the description always says what validation does."""

    def __init__(self, declaration: inputs.BodyField, **kwargs):
        self.declaration = declaration
        super().__init__(required=declaration.required, **kwargs)


class BodyFieldSchemaExtension(OpenApiSerializerFieldExtension):
    target_class = BodyFieldSchema

    def map_serializer_field(self, auto_schema, direction):
        return body_field_schema(self.target.declaration)


def request_component(name: str, doc: str, fields) -> type[serializers.Serializer]:
    """The named request component of a body, one property per declared field, in order."""
    attributes = {field.name: BodyFieldSchema(field) for field in fields}
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **attributes})


TicketCreateRequest = request_component(
    "TicketCreateRequest",
    "A new ticket (E5 creates it for the token's contact). " + SPELLING_NOTE,
    inputs.ticket_fields(social=False),
)
SocialTicketCreateRequest = request_component(
    "SocialTicketCreateRequest",
    "A ticket from a social or app channel (E3). " + SPELLING_NOTE,
    inputs.ticket_fields(social=True),
)
TicketCommentRequest = request_component(
    "TicketCommentRequest",
    "A customer comment (E4). Checked in this order: `ticketNo`, `comment`, `contactId` (400),\n"
    "    then `contactId` against the token (403), then the ticket (404). Keys match like E3/E5's.",
    inputs.COMMENT_FIELDS,
)


# --- Results (CONTRACT §7, §10) ----------------------------------------------------------------


class TicketListItem(serializers.Serializer):
    ticket_no = _text(pattern=TICKET_NO, example="TT1524")
    ticketstatus = _text(enum=STATUSES)
    description = _text()
    createdtime = _text(pattern=DATETIME, example="2020-02-14 18:19:47")
    ticketcategories = _text()
    id = _text(pattern=RECORD_ID, example="17x95784")


class IssueTypes(serializers.Serializer):
    code = _text(enum=["00000"])
    issueTypes = serializers.ListField(child=_text())


_EMPTY = 'Always `""`: the store keeps no data for it.'
RECORD_FIELDS = {
    "ticket_no": {"pattern": TICKET_NO, "description": "`TT` + the ticket number."},
    "assigned_user_id": {
        "pattern": prefixed_or_empty(formats.USER_ID_PREFIX),
        "description": '`19x<staff user id>`, `""` when unassigned.',
    },
    "parent_id": {"description": _EMPTY},
    "ticketpriorities": {"description": _EMPTY},
    "product_id": {"description": _EMPTY},
    "ticketseverities": {"description": _EMPTY},
    "ticketstatus": {"enum": STATUSES},
    "ticketcategories": {},
    "update_log": {"description": "Human-readable history; starts with `Ticket created.`"},
    "hours": {"description": _EMPTY},
    "days": {"description": _EMPTY},
    "createdtime": {"pattern": DATETIME},
    "modifiedtime": {"pattern": DATETIME},
    "modifiedby": {
        "pattern": prefixed_or_empty(formats.USER_ID_PREFIX),
        "description": '`19x<staff user id>`, `""` when none.',
    },
    "ticket_title": {},
    "description": {},
    "solution": {"description": _EMPTY},
    "contact_id": {
        "pattern": prefixed_or_empty(formats.CONTACT_ID_PREFIX),
        "description": '`12x<contact number>`, `""` when none.',
    },
    "from_portal": {"enum": ["0", "1"], "description": "`1` for E5, `0` for E3."},
    "effectivedate": {"pattern": rf"^({formats.DATE_FORM})?$"},
    "subcategory": {},
    "source": {"description": "The body's channel."},
    "starred": {"enum": ["0", "1"]},
    "tags": {"description": _EMPTY},
    "cf_1518": {"description": _EMPTY},
    "cf_1520": {"description": _EMPTY},
    "cf_1522": {"description": _EMPTY},
    "cf_1524": {"description": _EMPTY},
    "cf_1526": {"description": _EMPTY},
    "internalmemo": {"description": _EMPTY},
    "vendorid": {"description": _EMPTY},
    "vouchertype": {},
    "requiredprefix": {"description": _EMPTY},
    "rechargeinterfaces": {"description": _EMPTY},
    "voucheridformat": {},
    "passwordpattern": {},
    "currencyid": {"description": _EMPTY},
    "id": {"pattern": RECORD_ID, "description": "`17x<record id>`."},
    "label": {"description": "The title."},
    "category": {},
    "status": {"description": "The channel's status, as sent."},
}

TicketRecord = inline_serializer(
    name="TicketRecord",
    fields={key: _text(**schema) for key, schema in RECORD_FIELDS.items()},
)


TICKET_RECORD_ENVELOPE = envelope("TicketRecord", TicketRecord)


class TicketComment(serializers.Serializer):
    id = _text(pattern=r"^[0-9]+$")
    commentcontent = _text()
    createdtime = _text(pattern=DATETIME)
    author = _text(enum=["customer", "agent"])
    authorname = _text(description='The agent\'s display name; `""` for the customer.')


class CommentSubmitted(serializers.Serializer):
    message = _text(enum=["Comments submitted successfully"])


# --- Examples --------------------------------------------------------------------------------

DOCUMENT_HEADERS_MISSING = {
    "source": messages.HEADER_MISSING.format(name="source"),
    "operation": messages.HEADER_MISSING.format(name="operation"),
}


def _error_example(name: str, status: int, message: str, code: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=error_envelope(status, message, code), status_codes=[status])


def record_example(**changes: str) -> dict[str, str]:
    """The document's E3/E5 response as this service answers it (CONTRACT §7)."""
    record = {key: "" for key in RECORD_FIELDS}
    record.update(
        ticket_no="TT1130",
        ticketstatus="Open",
        ticketcategories="Plan change",
        update_log="Ticket created.",
        createdtime="2020-04-14 17:13:02",
        modifiedtime="2020-04-14 17:13:02",
        ticket_title="Plan change",
        description="Plan change request for ",
        contact_id="12x649797",
        from_portal="1",
        effectivedate="2021-09-11",
        subcategory="sub1",
        source="app",
        starred="0",
        id="17x55954",
        label="Plan change",
        category="cat1",
        status="New",
    )
    record.update(changes)
    return record


TABLE_SPELLING_BODY = {
    "ticketStatus": "Open",
    "effectiveDate": "2021-09-11",
    "ticketCategories": "Plan change",
    "tickettitle": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "voucherType": "",
    "voucherIdFormat": "",
    "passwordPattern": "",
    "source": "app",
}


def _body_example(**extra: str) -> OpenApiExample:
    return OpenApiExample("Table spelling", value={**TABLE_SPELLING_BODY, **extra}, request_only=True)


# --- Responses per endpoint --------------------------------------------------------------------


def _error(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    return OpenApiResponse(ErrorEnvelope, description=description, examples=list(examples))


def _bad_request(*examples: OpenApiExample) -> OpenApiResponse:
    document_example = _error_example("Missing header", 400, DOCUMENT_HEADERS_MISSING["source"])
    return _error(
        "A mandatory header is missing or malformed (checked in the contract's order), or a body "
        "field / query parameter is invalid; the message names it.",
        document_example,
        _error_example("Bad header value", 400, messages.HEADER_SR_DATE_INVALID),
        *examples,
    )


UNAUTHORIZED = _error(
    "The token is not valid; errorCode `INVALID_TOKEN`.",
    _error_example("Not a JWT", 401, messages.TOKEN_PERIODS.format(count=0), messages.INVALID_TOKEN_CODE),
    _error_example("Expired", 401, messages.TOKEN_EXPIRED, messages.INVALID_TOKEN_CODE),
)
TICKET_NOT_FOUND = _error(
    "No such ticket, or not the token contact's (the same answer for both).",
    _error_example("Not found", 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT1130")),
)
METHOD_NOT_ALLOWED = _error(
    "Never for this method: what any other method on this path gets, with an `Allow` header.",
    _error_example("Wrong method", 405, messages.METHOD_NOT_ALLOWED.format(method="DELETE")),
)
CONFLICT = _error(
    "The `Idempotency-Key` was used for a different body, or its first request is still running.",
    _error_example("Key reused", 409, messages.IDEMPOTENCY_KEY_REUSED.format(key=EXAMPLE_KEY)),
    _error_example("Key in flight", 409, messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=EXAMPLE_KEY)),
)
PAYLOAD_TOO_LARGE = _error(
    "The body is over 1 MiB.", _error_example("Too large", 413, messages.BODY_TOO_LARGE)
)
UNSUPPORTED_MEDIA_TYPE = _error(
    "The body is not `application/json`.",
    _error_example("Not JSON", 415, messages.BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type="text/plain")),
)
TOO_MANY_REQUESTS = _error(
    "Throttled; `Retry-After` says for how long.",
    _error_example("Throttled", 429, messages.THROTTLED.format(wait=30)),
)
SERVER_ERROR = _error(
    "The store is unreachable (`Downstream error`, as in the document), or an unexpected error "
    "whose reference (the correlationId) is in the service's log.",
    _error_example("Store unreachable", 500, messages.DOWNSTREAM_MESSAGE, messages.DOWNSTREAM_ERROR_CODE),
    _error_example(
        "Unexpected",
        500,
        messages.INTERNAL_ERROR.format(reference="123e4567-e89b-12d3-a456-426614174000"),
    ),
)

BODY_ERRORS = {413: PAYLOAD_TOO_LARGE, 415: UNSUPPORTED_MEDIA_TYPE}
COMMON_ERRORS = {405: METHOD_NOT_ALLOWED, 429: TOO_MANY_REQUESTS, 500: SERVER_ERROR}
RESPONSE_HEADERS = [CORRELATION_ID_ECHO, ALLOW, RETRY_AFTER]


def _ok(result_envelope, description: str, example) -> OpenApiResponse:
    return OpenApiResponse(
        result_envelope,
        description=description,
        examples=[OpenApiExample("Success", value=success_envelope(example), status_codes=[200])],
    )


def _operation(
    *,
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    operation: str,
    responses: dict,
    parameters: Sequence[OpenApiParameter] = (),
    write: bool = False,
    **kwargs,
):
    """Every operation also answers 405, 429 and 500; a `write` (a POST with a JSON body) also
    takes an `Idempotency-Key` and answers 409, 413 and 415."""
    if write:
        parameters = [*parameters, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED]
        responses = {**responses, 409: CONFLICT, **BODY_ERRORS}
    return extend_schema(
        operation_id=operation_id,
        tags=[tag],
        summary=summary,
        description=description,
        parameters=[*contract_headers(operation), *parameters, *RESPONSE_HEADERS],
        responses={**responses, **COMMON_ERRORS},
        **kwargs,
    )


# --- The endpoints -----------------------------------------------------------------------------

_RECORD_DESCRIPTION = "The whole ticket record: every value a string, keys in the document's order."

list_tickets = _operation(
    operation_id="listTickets",
    tag="tickets",
    summary="E1 · List the contact's tickets",
    description="The tickets of the contact named by the token, newest first.",
    operation="ticketDetail",
    parameters=[
        *(query_parameter(parameter) for parameter in inputs.LIST_PARAMETERS),
        TOTAL_COUNT,
    ],
    responses={
        200: _ok(
            envelope("TicketList", TicketListItem(many=True)),
            "The tickets (`[]` when none); `X-Total-Count` counts them before paging.",
            [
                {
                    "ticket_no": "TT1524",
                    "ticketstatus": "Open",
                    "description": "ctg hjhg",
                    "createdtime": "2020-02-14 18:19:47",
                    "ticketcategories": "Request",
                    "id": "17x95784",
                },
                {
                    "ticket_no": "TT990",
                    "ticketstatus": "Open",
                    "description": "mobile test",
                    "createdtime": "2019-09-13 20:15:40",
                    "ticketcategories": "Request",
                    "id": "17x82089",
                },
            ],
        ),
        400: _bad_request(_error_example("Bad query parameter", 400, messages.QUERY_BAD_LIMIT)),
        401: UNAUTHORIZED,
    },
)

list_issue_types = _operation(
    operation_id="listIssueTypes",
    tag="issue types",
    summary="E2 · List the issue types",
    description="The active issue types a customer picks from, by configured order, then name.",
    operation="issueTypes",
    responses={
        200: _ok(
            envelope("IssueTypes", IssueTypes()),
            "The catalogue.",
            {"code": "00000", "issueTypes": ["General Enquiry", "Plan Enquiry"]},
        ),
        400: _bad_request(),
        401: UNAUTHORIZED,
    },
)

create_social_ticket = _operation(
    operation_id="createSocialTicket",
    tag="social",
    summary="E3 · Create a ticket from a social channel",
    description="A ticket that came in through a social or app channel. No token: a `token` "
    "header is ignored. `contactId` optionally links it to a contact.",
    operation="create",
    write=True,
    request=SocialTicketCreateRequest,
    examples=[_body_example(contactId="649797")],
    auth=[],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example(from_portal="0")),
        400: _bad_request(
            _error_example("Document example", 400, DOCUMENT_HEADERS_MISSING["operation"]),
            _error_example("Missing field", 400, messages.FIELD_REQUIRED.format(name="ticketStatus")),
        ),
    },
)

add_ticket_comment = _operation(
    operation_id="addTicketComment",
    tag="comments",
    summary="E4 · Add a comment to one of the contact's tickets",
    description="A customer comment on a ticket of the token's contact.",
    operation="addTicketComment",
    parameters=[DATA_HEADER],
    write=True,
    request=TicketCommentRequest,
    examples=[
        OpenApiExample(
            "Document example",
            value={"ticketNo": "10057", "comment": "venki testing", "contactId": "649797"},
            request_only=True,
        )
    ],
    responses={
        200: _ok(
            envelope("CommentSubmitted", CommentSubmitted()),
            "The comment was added.",
            {"message": "Comments submitted successfully"},
        ),
        400: _bad_request(
            _error_example("Missing field", 400, messages.FIELD_REQUIRED.format(name="comment"))
        ),
        401: UNAUTHORIZED,
        403: _error(
            "`contactId` is not the token's contact.",
            _error_example("Not your contact", 403, messages.CONTACT_MISMATCH),
        ),
        404: TICKET_NOT_FOUND,
    },
)

create_ticket = _operation(
    operation_id="createTicket",
    tag="tickets",
    summary="E5 · Create a ticket for the contact",
    description="A ticket for the contact named by the token, whatever the body says.",
    operation="create",
    write=True,
    request=TicketCreateRequest,
    examples=[_body_example()],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example()),
        400: _bad_request(
            _error_example("Document example", 400, DOCUMENT_HEADERS_MISSING["operation"]),
            _error_example("Bad date", 400, messages.FIELD_BAD_DATE.format(name="effectiveDate")),
        ),
        401: UNAUTHORIZED,
    },
)

MISSING_TICKET_NO = _error_example("Missing ticketNo", 400, messages.QUERY_REQUIRED.format(name="ticketNo"))
TICKET_NO_QUERY = query_parameter(inputs.TICKET_NO_PARAMETER)


list_ticket_comments = _operation(
    operation_id="listTicketComments",
    tag="comments",
    summary="E6 · Read a ticket's conversation",
    description="The public comments of one of the contact's tickets, oldest first. Comments staff "
    "mark internal never appear.",
    operation="ticketComments",
    parameters=[TICKET_NO_QUERY],
    responses={
        200: _ok(
            envelope("TicketComments", TicketComment(many=True)),
            "The conversation (`[]` when none).",
            [
                {
                    "id": "31",
                    "commentcontent": "venki testing",
                    "createdtime": "2021-09-11 10:02:13",
                    "author": "customer",
                    "authorname": "",
                },
                {
                    "id": "32",
                    "commentcontent": "Your plan changes tomorrow.",
                    "createdtime": "2021-09-11 11:40:00",
                    "author": "agent",
                    "authorname": "Dana Agent",
                },
            ],
        ),
        400: _bad_request(MISSING_TICKET_NO),
        401: UNAUTHORIZED,
        404: TICKET_NOT_FOUND,
    },
)

get_ticket = _operation(
    operation_id="getTicket",
    tag="tickets",
    summary="E7 · Read one of the contact's tickets",
    description="One ticket of the token's contact as the full record.",
    operation="ticketRecord",
    parameters=[TICKET_NO_QUERY],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example()),
        400: _bad_request(MISSING_TICKET_NO),
        401: UNAUTHORIZED,
        404: TICKET_NOT_FOUND,
    },
)


# --- Hooks (SPECTACULAR_SETTINGS) --------------------------------------------------------------


def strip_trailing_slash(endpoints):
    """Preprocessing hook: the routes accept `/?`; the description names the canonical path."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]


def empty_query_is_absent(result, generator, request, public):
    """Postprocessing hook: an optional query parameter sent empty counts as absent (CONTRACT §7),
    which OpenAPI says with `allowEmptyValue`."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


_CREATED = "$response.body#/response/result"
TICKET_LINKS = {
    "getTicket": {
        "operationId": "getTicket",
        "parameters": {"ticketNo": f"{_CREATED}/ticket_no"},
        "description": "Read the ticket just created.",
    },
    "listTicketComments": {
        "operationId": "listTicketComments",
        "parameters": {"ticketNo": f"{_CREATED}/ticket_no"},
        "description": "Read its conversation.",
    },
    "addTicketComment": {
        "operationId": "addTicketComment",
        "requestBody": {
            "ticketNo": f"{_CREATED}/ticket_no",
            "comment": "Any update on this?",
            "contactId": f"{_CREATED}/contact_id",
        },
        "description": "Comment on it.",
    },
}


def ticket_links(result, generator, request, public):
    """Postprocessing hook: OpenAPI links from a created ticket (E5) to the operations that take
    its number, for generated clients and for schemathesis' stateful phase."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if operation.get("operationId") == "createTicket":
                operation["responses"]["200"]["links"] = TICKET_LINKS
    return result
