"""The OpenAPI description of each /crm/v1/ operation: one `extend_schema` decorator per endpoint,
which the views carry (crmapi/views.py). What the decorators are built from lives beside them:
`components` (envelopes, bodies, results), `parameters` (headers and query parameters),
`examples`, and `hooks` (what drf-spectacular's post-processing adds). The endpoint's operationId,
summary, `operation` header value and token rule come from crmapi.endpoints.

Paths are written without the trailing slash the routes also accept (hooks.strip_trailing_slash).
"""

from collections.abc import Sequence

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from attachments.downloads import CACHE_CONTROL, CONTENT_SECURITY_POLICY
from attachments.sniffing import ALLOWED_CONTENT_TYPES
from crmapi import limits, messages
from crmapi.endpoints import E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, Endpoint
from crmapi.openapi.components import (
    RECORD_FIELDS,
    TICKET_RECORD_ENVELOPE,
    CommentSubmitted,
    ErrorEnvelope,
    IssueTypeCatalogue,
    SocialTicketCreateBody,
    TicketAttachment,
    TicketAttachmentRequest,
    TicketComment,
    TicketCommentRequest,
    TicketCreateBody,
    TicketListItem,
    TicketRatingRequest,
    TicketRatingResult,
    TicketStatusRequest,
    envelope,
)
from crmapi.openapi.examples import (
    CLOSED_BY_CUSTOMER,
    COMMENT_SUBMITTED,
    DOCUMENT_COMMENT_BODY,
    DOCUMENT_HEADERS_MISSING,
    DOCUMENT_RECORD,
    EXAMPLE_CORRELATION_ID,
    EXAMPLE_KEY,
    ISSUE_TYPES,
    RATING_BODY,
    RATING_RESULT,
    STATUS_BODY,
    TICKET_COMMENTS,
    TICKET_LIST,
    body_example,
    document_body_example,
    error_example,
)
from crmapi.openapi.parameters import (
    ALLOW,
    ATTACHMENT_ID_QUERY,
    CHANNEL_KEY,
    CORRELATION_ID_ECHO,
    DATA_HEADER,
    ETAG,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    IF_NONE_MATCH,
    LIST_QUERY,
    RETRY_AFTER,
    TICKET_NO_QUERY,
    TOTAL_COUNT,
    contract_headers,
)
from crmapi.renderers import success_envelope

# --- Responses ----------------------------------------------------------------------------------


def _error(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    return OpenApiResponse(ErrorEnvelope, description=description, examples=list(examples))


def _bad_request(*examples: OpenApiExample) -> OpenApiResponse:
    document_example = error_example("Missing header", 400, DOCUMENT_HEADERS_MISSING["source"])
    return _error(
        "A mandatory header is missing or malformed (checked in the contract's order), or a body "
        "field / query parameter is invalid; the message names it.",
        document_example,
        error_example("Bad header value", 400, messages.HEADER_SR_DATE_INVALID),
        *examples,
    )


UNAUTHORIZED = _error(
    "The token is not valid; errorCode `INVALID_TOKEN`.",
    error_example("Not a JWT", 401, messages.TOKEN_PERIODS.format(count=0), messages.INVALID_TOKEN_CODE),
    error_example("Expired", 401, messages.TOKEN_EXPIRED, messages.INVALID_TOKEN_CODE),
)
TICKET_NOT_FOUND = _error(
    "No such ticket, or not the token contact's (the same answer for both).",
    error_example("Not found", 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT1130")),
)
METHOD_NOT_ALLOWED = _error(
    "Never for this method: what any other method on this path gets, with an `Allow` header.",
    error_example("Wrong method", 405, messages.METHOD_NOT_ALLOWED.format(method="DELETE")),
)
_KEY_CONFLICTS = (
    error_example("Key reused", 409, messages.IDEMPOTENCY_KEY_REUSED.format(key=EXAMPLE_KEY)),
    error_example("Key in flight", 409, messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=EXAMPLE_KEY)),
)
_KEY_CONFLICT = "The `Idempotency-Key` was used for a different body, or its first request is still running."
CONFLICT = _error(_KEY_CONFLICT, *_KEY_CONFLICTS)


def _conflict(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    """A write's 409 that the conversation rule (CONTRACT §11) can also answer."""
    return _error(
        f"{description} Or: {_KEY_CONFLICT[0].lower()}{_KEY_CONFLICT[1:]}", *examples, *_KEY_CONFLICTS
    )


CLOSED_FOR_GOOD = error_example("Closed too long ago", 409, messages.TICKET_CLOSED.format(ticket_no="TT1130"))
REOPEN_CONFLICT = _conflict(
    "The ticket was closed `CRM_REOPEN_DAYS` days ago or more (30 unless configured): it cannot be "
    "reopened; the customer creates a new ticket.",
    CLOSED_FOR_GOOD,
)
PAYLOAD_TOO_LARGE = _error(
    f"The body is over {limits.BODY_MAX_MIB} MiB.", error_example("Too large", 413, messages.BODY_TOO_LARGE)
)
UNSUPPORTED_MEDIA_TYPE = _error(
    "The body is not `application/json`.",
    error_example("Not JSON", 415, messages.BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type="text/plain")),
)
TOO_MANY_REQUESTS = _error(
    "Throttled; `Retry-After` says for how long.",
    error_example("Throttled", 429, messages.THROTTLED.format(wait=30)),
)
SERVER_ERROR = _error(
    "The store is unreachable (`Downstream error`, as in the document), or an unexpected error "
    "whose reference (the correlationId) is in the service's log.",
    error_example("Store unreachable", 500, messages.DOWNSTREAM_MESSAGE, messages.DOWNSTREAM_ERROR_CODE),
    error_example(
        "Unexpected",
        500,
        messages.INTERNAL_ERROR.format(reference=EXAMPLE_CORRELATION_ID),
    ),
)

BODY_ERRORS = {413: PAYLOAD_TOO_LARGE, 415: UNSUPPORTED_MEDIA_TYPE}
COMMON_ERRORS = {405: METHOD_NOT_ALLOWED, 429: TOO_MANY_REQUESTS, 500: SERVER_ERROR}
RESPONSE_HEADERS = [CORRELATION_ID_ECHO, ALLOW, RETRY_AFTER]
NOT_MODIFIED = OpenApiResponse(
    description="`If-None-Match` matches the current `ETag`: nothing changed. No body; the `ETag` "
    "and `correlationId` headers (and `X-Total-Count` on the ticket list)."
)


def _ok(result_envelope, description: str, example) -> OpenApiResponse:
    return OpenApiResponse(
        result_envelope,
        description=description,
        examples=[OpenApiExample("Success", value=success_envelope(example), status_codes=[200])],
    )


def _operation(
    endpoint: Endpoint,
    *,
    tag: str,
    description: str,
    responses: dict,
    parameters: Sequence[OpenApiParameter] = (),
    write: bool = False,
    **kwargs,
):
    """The endpoint's decorator: its operationId, summary, `operation` header and token rule come
    from its declaration (crmapi.endpoints). Every operation also answers 405, 429 and 500; a
    `write` (a POST) also takes an `Idempotency-Key` and answers 409 (the given one, else the
    key's conflicts alone), 413 and 415 (the given ones, else the JSON body's); a `conditional`
    read (CONTRACT §14) takes `If-None-Match`, sends `ETag` and answers 304."""
    if endpoint.conditional:
        parameters = [*parameters, IF_NONE_MATCH, ETAG]
        responses = {200: responses[200], 304: NOT_MODIFIED, **responses}
    if write:
        parameters = [*parameters, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED]
        body_errors = {status: error for status, error in BODY_ERRORS.items() if status not in responses}
        responses = {**responses, 409: responses.get(409, CONFLICT), **body_errors}
    if not endpoint.token_required:
        kwargs["auth"] = []
    return extend_schema(
        operation_id=endpoint.operation_id,
        tags=[tag],
        summary=f"{endpoint.name} · {endpoint.title}",
        description=description,
        parameters=[*contract_headers(endpoint.operation), *parameters, *RESPONSE_HEADERS],
        responses={**responses, **COMMON_ERRORS},
        **kwargs,
    )


def record_example(**changes: str) -> dict[str, str]:
    """The document's E3/E5 response as this service answers it (CONTRACT §7)."""
    return {**{key: "" for key in RECORD_FIELDS}, **DOCUMENT_RECORD, **changes}


# --- The endpoints -----------------------------------------------------------------------------

_RECORD_DESCRIPTION = "The whole ticket record: every value a string, keys in the document's order."

list_tickets = _operation(
    E1,
    tag="tickets",
    description="The tickets of the contact named by the token, newest first.",
    parameters=[
        *LIST_QUERY,
        TOTAL_COUNT,
    ],
    responses={
        200: _ok(
            envelope("TicketList", TicketListItem(many=True)),
            "The tickets (`[]` when none); `X-Total-Count` counts them before paging.",
            TICKET_LIST,
        ),
        400: _bad_request(error_example("Bad query parameter", 400, messages.QUERY_BAD_LIMIT)),
        401: UNAUTHORIZED,
    },
)

list_issue_types = _operation(
    E2,
    tag="issue types",
    description="The active issue types a customer picks from, by configured order, then name.",
    responses={
        200: _ok(
            envelope("IssueTypeCatalogue", IssueTypeCatalogue()),
            "The catalogue.",
            ISSUE_TYPES,
        ),
        400: _bad_request(),
        401: UNAUTHORIZED,
    },
)

create_social_ticket = _operation(
    E3,
    tag="social",
    description="A ticket that came in through a social or app channel. No token: a `token` "
    "header is ignored. `contactId` optionally links it to a contact. A service configured with "
    "channel keys requires the channel's `X-Channel-Key`.",
    parameters=[CHANNEL_KEY],
    write=True,
    request=SocialTicketCreateBody,
    examples=[body_example(contactId="649797"), document_body_example(contactId="12x24218")],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example(from_portal="0")),
        400: _bad_request(
            error_example("Document example", 400, DOCUMENT_HEADERS_MISSING["operation"]),
            error_example("Missing field", 400, messages.FIELD_REQUIRED.format(name="ticketStatus")),
        ),
        401: _error(
            "The service requires channel keys and the request carries none of them.",
            error_example("Unknown channel key", 401, messages.CHANNEL_KEY_INVALID),
        ),
    },
)

add_ticket_comment = _operation(
    E4,
    tag="comments",
    description="A customer comment on a ticket of the token's contact. It moves the ticket: "
    "`Wait For Response` becomes `Open`, a ticket closed less than `CRM_REOPEN_DAYS` days ago (30 "
    "unless configured) is reopened to `Open`, and one closed longer ago is refused (409) and "
    "nothing is stored. The ticket's `modifiedtime` becomes the comment's time.",
    parameters=[DATA_HEADER],
    write=True,
    request=TicketCommentRequest,
    examples=[
        OpenApiExample(
            "Document example",
            value=DOCUMENT_COMMENT_BODY,
            request_only=True,
        )
    ],
    responses={
        200: _ok(
            envelope("CommentSubmitted", CommentSubmitted()),
            "The comment was added.",
            COMMENT_SUBMITTED,
        ),
        400: _bad_request(
            error_example("Missing field", 400, messages.FIELD_REQUIRED.format(name="comment"))
        ),
        401: UNAUTHORIZED,
        403: _error(
            "`contactId` is not the token's contact.",
            error_example("Not your contact", 403, messages.CONTACT_MISMATCH),
        ),
        404: TICKET_NOT_FOUND,
        409: REOPEN_CONFLICT,
    },
)

create_ticket = _operation(
    E5,
    tag="tickets",
    description="A ticket for the contact named by the token, whatever the body says.",
    write=True,
    request=TicketCreateBody,
    examples=[body_example(), document_body_example()],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example()),
        400: _bad_request(
            error_example("Document example", 400, DOCUMENT_HEADERS_MISSING["operation"]),
            error_example("Bad date", 400, messages.FIELD_BAD_DATE.format(name="effectiveDate")),
        ),
        401: UNAUTHORIZED,
    },
)

MISSING_TICKET_NO = error_example("Missing ticketNo", 400, messages.QUERY_REQUIRED.format(name="ticketNo"))

list_ticket_comments = _operation(
    E6,
    tag="comments",
    description="The public comments of one of the contact's tickets, oldest first. Comments staff "
    "mark internal never appear.",
    parameters=[TICKET_NO_QUERY],
    responses={
        200: _ok(
            envelope("TicketComments", TicketComment(many=True)),
            "The conversation (`[]` when none).",
            TICKET_COMMENTS,
        ),
        400: _bad_request(MISSING_TICKET_NO),
        401: UNAUTHORIZED,
        404: TICKET_NOT_FOUND,
    },
)

get_ticket = _operation(
    E7,
    tag="tickets",
    description="One ticket of the token's contact as the full record.",
    parameters=[TICKET_NO_QUERY],
    responses={
        200: _ok(TICKET_RECORD_ENVELOPE, _RECORD_DESCRIPTION, record_example()),
        400: _bad_request(MISSING_TICKET_NO),
        401: UNAUTHORIZED,
        404: TICKET_NOT_FOUND,
    },
)

NOT_YOUR_CONTACT = _error(
    "`contactId` is not the token's contact.",
    error_example("Not your contact", 403, messages.CONTACT_MISMATCH),
)

update_ticket_status = _operation(
    E11,
    tag="tickets",
    description="The customer closes or reopens one of its tickets. `Closed` closes it from any "
    "status. `Open` reopens a `Closed` ticket closed less than `CRM_REOPEN_DAYS` days ago (30 "
    "unless configured; refused with 409 later) and turns `Wait For Response` into `Open`; on an "
    "`Open` or `In Progress` ticket it changes nothing. Asking for the status the ticket already "
    "has changes nothing. A change adds `Status changed from <old> to <new> by the customer on "
    "<when>.` to `update_log` and sets `modifiedtime`.",
    write=True,
    request=TicketStatusRequest,
    examples=[OpenApiExample("Close", value=STATUS_BODY, request_only=True)],
    responses={
        200: _ok(
            TICKET_RECORD_ENVELOPE,
            "The ticket's whole record, as stored after the request.",
            record_example(**CLOSED_BY_CUSTOMER),
        ),
        400: _bad_request(
            error_example(
                "Not open or closed", 400, messages.FIELD_BAD_CUSTOMER_STATUS.format(name="ticketStatus")
            )
        ),
        401: UNAUTHORIZED,
        403: NOT_YOUR_CONTACT,
        404: TICKET_NOT_FOUND,
        409: REOPEN_CONFLICT,
    },
)

rate_ticket = _operation(
    E12,
    tag="tickets",
    description="The customer rates one of its closed tickets, 1 to 5, with an optional comment. "
    "A ticket has at most one rating: a new one replaces it. A rating is not a comment: it never "
    "appears in the conversation (E6).",
    write=True,
    request=TicketRatingRequest,
    examples=[OpenApiExample("Rate", value=RATING_BODY, request_only=True)],
    responses={
        200: _ok(envelope("TicketRating", TicketRatingResult()), "The rating as stored.", RATING_RESULT),
        400: _bad_request(error_example("Bad rating", 400, messages.FIELD_BAD_RATING.format(name="rating"))),
        401: UNAUTHORIZED,
        403: NOT_YOUR_CONTACT,
        404: TICKET_NOT_FOUND,
        409: _conflict(
            "The ticket is not closed.",
            error_example("Not closed", 409, messages.TICKET_NOT_CLOSED.format(ticket_no="TT1130")),
        ),
    },
)

_ATTACHMENT = {
    "id": "21x1",
    "filename": "screenshot.png",
    "contenttype": "image/png",
    "size": "48213",
    "createdtime": "2021-09-11 10:15:00",
    "author": "customer",
}
_ATTACHMENT_LIMITS = (
    "At most `CRM_ATTACHMENT_MAX_BYTES` bytes (10 MiB unless configured) and "
    "`CRM_ATTACHMENT_MAX_PER_TICKET` attachments a ticket (20 unless configured)."
)

add_ticket_attachment = _operation(
    E8,
    tag="attachments",
    description="Attach a file to one of the contact's tickets: a `multipart/form-data` form with "
    "`ticketNo`, `contactId` and exactly one file part `file`. The type is sniffed from the "
    f"bytes (never the declared type or the name): {', '.join(f'`{t}`' for t in ALLOWED_CONTENT_TYPES)} "
    f"(UTF-8 text without NUL that is not HTML, XML, SVG, a script or other markup). {_ATTACHMENT_LIMITS} "
    "The 1 MiB body limit of the JSON endpoints does not apply. Counts as a customer comment: "
    "`update_log` gains `Attachment '<filename>' added by the customer on <when>.`, `Wait For "
    "Response` and a recently closed ticket become `Open`, one closed longer ago is 409.",
    write=True,
    request={"multipart/form-data": TicketAttachmentRequest},
    responses={
        200: _ok(
            envelope("TicketAttachmentAdded", TicketAttachment()), "The attachment as stored.", _ATTACHMENT
        ),
        400: _bad_request(
            error_example("Missing file", 400, messages.FIELD_REQUIRED.format(name="file")),
            error_example("Empty file", 400, messages.ATTACHMENT_EMPTY),
        ),
        401: UNAUTHORIZED,
        403: NOT_YOUR_CONTACT,
        404: TICKET_NOT_FOUND,
        409: _conflict(
            "The ticket was closed `CRM_REOPEN_DAYS` days ago or more, or already holds the most "
            "attachments allowed.",
            CLOSED_FOR_GOOD,
            error_example("Full", 409, messages.ATTACHMENTS_FULL.format(ticket_no="TT1130")),
        ),
        413: _error(
            "The file is over `CRM_ATTACHMENT_MAX_BYTES` (counted as read, whatever `Content-Length` says).",
            error_example("Too large", 413, messages.ATTACHMENT_TOO_LARGE.format(max_bytes=10485760)),
        ),
        415: _error(
            "The body is not `multipart/form-data`, or the file's sniffed type is not allowed.",
            error_example(
                "Not multipart",
                415,
                messages.UPLOAD_UNSUPPORTED_MEDIA_TYPE.format(content_type="application/json"),
            ),
            error_example(
                "Type refused", 415, messages.ATTACHMENT_TYPE_NOT_ALLOWED.format(content_type="text/html")
            ),
        ),
    },
)

list_ticket_attachments = _operation(
    E9,
    tag="attachments",
    description="The public attachments of one of the contact's tickets, oldest first: the "
    "customer's and those on agents' public replies; never those on internal notes.",
    parameters=[TICKET_NO_QUERY],
    responses={
        200: _ok(
            envelope("TicketAttachments", TicketAttachment(many=True)),
            "The attachments (`[]` when none).",
            [_ATTACHMENT],
        ),
        400: _bad_request(MISSING_TICKET_NO),
        401: UNAUTHORIZED,
        404: TICKET_NOT_FOUND,
    },
)

_DOWNLOAD_HEADERS = [
    OpenApiParameter(
        "Content-Disposition",
        location=OpenApiParameter.HEADER,
        response=[200],
        description="`attachment; filename*=UTF-8''<percent-encoded file name>`.",
    ),
    OpenApiParameter(
        "Content-Security-Policy",
        location=OpenApiParameter.HEADER,
        response=[200],
        description=f"`{CONTENT_SECURITY_POLICY}`.",
    ),
    OpenApiParameter(
        "Cache-Control",
        location=OpenApiParameter.HEADER,
        response=[200, 302],
        description=f"`{CACHE_CONTROL}`.",
    ),
    OpenApiParameter(
        "Location",
        location=OpenApiParameter.HEADER,
        response=[302],
        description="A presigned URL of the object store, valid at most 5 minutes.",
    ),
]

get_ticket_attachment = _operation(
    E10,
    tag="attachments",
    description="One attachment's bytes, not in the envelope (errors are envelopes), with "
    "`Content-Type` the sniffed type, `Content-Length`, `Content-Disposition: attachment`, "
    f"`X-Content-Type-Options: nosniff`, `Content-Security-Policy: {CONTENT_SECURITY_POLICY}` and "
    f"`Cache-Control: {CACHE_CONTROL}`. With an object store and `CRM_ATTACHMENT_REDIRECT` on, "
    "302 to a URL valid at most 5 minutes serving the same bytes with the same type and "
    "disposition.",
    parameters=[ATTACHMENT_ID_QUERY, *_DOWNLOAD_HEADERS],
    responses={
        **{
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes.")
            for content_type in ALLOWED_CONTENT_TYPES
        },
        302: OpenApiResponse(description="The bytes are at `Location` (object store, presigned)."),
        400: _bad_request(error_example("Missing id", 400, messages.QUERY_REQUIRED.format(name="id"))),
        401: UNAUTHORIZED,
        404: _error(
            "No such attachment, or not on one of the token contact's tickets, or on an internal note.",
            error_example("Not found", 404, messages.ATTACHMENT_NOT_FOUND.format(id="21x1")),
        ),
    },
)
