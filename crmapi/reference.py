"""The generated tables of the API reference (docs/api.md), written from the declarations the
service itself runs on: the endpoints (crmapi.endpoints), the header rules and limits
(crmapi.limits, the OpenAPI header parameters), the body fields and query parameters
(crmapi.inputs) and every sentence (crmapi.messages). `manage.py api_reference --write
docs/api.md` (`make docs`) fills them in; a test fails when the committed page is stale.

Only the text between a section's markers is generated; the prose around them is written by hand
and left as it is:

    <!-- BEGIN GENERATED: endpoints -->
    ...
    <!-- END GENERATED: endpoints -->
"""

from collections.abc import Callable, Iterable, Sequence

from crmapi import messages
from crmapi.endpoints import ENDPOINTS, Endpoint
from crmapi.inputs import (
    COMMENT_FIELDS,
    CUSTOMER_STATUSES,
    LIST_PARAMETERS,
    RATING_FIELDS,
    RATINGS,
    SOCIAL_CONTACT_FIELD,
    STATUS_FIELDS,
    TICKET_FIELDS,
    TICKET_NO_PARAMETER,
    BodyField,
    Kind,
    QueryParameter,
)
from crmapi.permissions import COMMON_HEADERS, TOKEN_HEADER
from tickets.models import TicketStatus

BEGIN = "<!-- BEGIN GENERATED: {name} -->"
END = "<!-- END GENERATED: {name} -->"


def _code(text: str) -> str:
    """`text` as inline code, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _names(endpoints: Iterable[Endpoint]) -> str:
    return ", ".join(endpoint.name for endpoint in endpoints)


def _statuses() -> str:
    return ", ".join(_code(status) for status in TicketStatus.values)


# --- The sections ---------------------------------------------------------------------------------


def endpoints_table() -> str:
    return _table(
        ["#", "method and path", "`operation` header", "token", "what it does"],
        (
            [
                endpoint.name,
                _code(f"{endpoint.method.upper()} {endpoint.path}"),
                _code(endpoint.operation),
                "required" if endpoint.token_required else "none",
                endpoint.title,
            ]
            for endpoint in ENDPOINTS.values()
        ),
    )


def headers_table() -> str:
    # The OpenAPI header parameters carry each header's rule in words; imported here so that the
    # reference and the description say the same.
    from crmapi.openapi.parameters import DATA_HEADER, IDEMPOTENCY_KEY, IF_NONE_MATCH, contract_headers

    every = "every endpoint"
    described = {parameter.name: str(parameter.description) for parameter in contract_headers("")}
    described["operation"] = (
        "The endpoint's own value from [the endpoints](#the-endpoints) table, case-insensitive."
    )
    refusals = {
        "correlationId": [messages.HEADER_CORRELATION_ID_INVALID],
        "source": [messages.HEADER_SOURCE_TOO_LONG, messages.HEADER_SOURCE_NOT_ALLOWED],
        "srDate": [messages.HEADER_SR_DATE_INVALID],
        "operation": [messages.HEADER_OPERATION_INVALID],
        "destination": [messages.HEADER_DESTINATION_INVALID],
    }
    with_token = [endpoint for endpoint in ENDPOINTS.values() if endpoint.token_required]
    writes = [endpoint for endpoint in ENDPOINTS.values() if endpoint.method == "post"]
    rows = [
        [
            _code(TOKEN_HEADER),
            f"{_names(with_token)} (required)",
            "A JWT naming the contact; see [the token](#the-token).",
            f"401, errorCode {_code(messages.INVALID_TOKEN_CODE)}",
        ]
    ]
    rows += [
        [
            _code(name),
            f"{every} (required)",
            described[name],
            "400 " + ", or ".join(_code(message) for message in refusals[name]),
        ]
        for name in COMMON_HEADERS
    ]
    rows.append(
        [
            _code(IDEMPOTENCY_KEY.name),
            f"{_names(writes)} (optional)",
            str(IDEMPOTENCY_KEY.description),
            f"400 {_code(messages.IDEMPOTENCY_KEY_INVALID)}; 409 "
            + ", or ".join(
                _code(message)
                for message in (messages.IDEMPOTENCY_KEY_REUSED, messages.IDEMPOTENCY_KEY_IN_FLIGHT)
            ),
        ]
    )
    rows.append([_code(DATA_HEADER.name), "E4 (optional)", str(DATA_HEADER.description), "as `comment`"])
    conditional = [endpoint for endpoint in ENDPOINTS.values() if endpoint.conditional]
    rows.append(
        [
            _code(IF_NONE_MATCH.name),
            f"{_names(conditional)} (optional)",
            str(IF_NONE_MATCH.description),
            "never: a value that is no tag matches nothing",
        ]
    )
    return _table(["header", "sent on", "rule", "refused with"], rows)


def _value(kind: Kind | type[int], minimum: int | None = None, maximum: int | None = None) -> str:
    if kind is Kind.TEXT:
        return "string"
    if kind is Kind.STATUS:
        return f"one of {_statuses()}, any case"
    if kind is Kind.DATE:
        return '`YYYY-MM-DD` or `""`'
    if kind is Kind.CONTACT:
        return "`649797` or `12x649797`, string or integer"
    if kind is Kind.REFERENCE:
        return "`TT1130`, `1130` or `17x55954`, string or integer"
    if kind is Kind.CUSTOMER_STATUS:
        return " or ".join(_code(status) for status in CUSTOMER_STATUSES) + ", any case"
    if kind is Kind.RATING:
        return f"{RATINGS.start} to {RATINGS.stop - 1}, integer or one-digit string"
    return f"integer, {minimum:,} to {maximum:,}"


def _body_table(fields: Iterable[BodyField], *, optional_note: str = "no") -> str:
    return _table(
        ["field", "required", "value", "max length", "blank allowed", "notes"],
        (
            [
                _code(field.name),
                _required(field, optional_note),
                _value(field.kind),
                "" if field.max_length is None else f"{field.max_length:,}",
                _blank(field),
                field.description,
            ]
            for field in fields
        ),
    )


def _required(field: BodyField, optional_note: str) -> str:
    if not field.required:
        return optional_note
    if field.fallback_header:
        return f"yes, or the {_code(field.fallback_header)} header"
    return "yes"


def _blank(field: BodyField) -> str:
    if field.kind is Kind.TEXT:
        return '`""` allowed' if field.blank else "no"
    if field.kind is Kind.CONTACT and field.blank:
        return '`""` means none'
    if field.kind is Kind.DATE:
        return '`""` means none'
    return "no"


def ticket_body_table() -> str:
    return _body_table([*TICKET_FIELDS, SOCIAL_CONTACT_FIELD], optional_note="no (E3 only)")


def comment_body_table() -> str:
    return _body_table(COMMENT_FIELDS)


def status_body_table() -> str:
    return _body_table(STATUS_FIELDS)


def rating_body_table() -> str:
    return _body_table(RATING_FIELDS)


def query_parameters_table() -> str:
    reads = [endpoint for endpoint in ENDPOINTS.values() if endpoint.action in ("comments", "record")]
    list_endpoint = [endpoint for endpoint in ENDPOINTS.values() if endpoint.action == "details"]

    def row(parameter: QueryParameter, endpoints: list[Endpoint]) -> list[str]:
        message = messages.QUERY_REQUIRED.format(name=parameter.name) if parameter.required else ""
        message = parameter.message or message
        return [
            _code(parameter.name),
            _names(endpoints),
            "yes" if parameter.required else "no",
            _value(parameter.kind, parameter.minimum, parameter.maximum),
            "" if parameter.default is None else f"{parameter.default:,}",
            parameter.description,
            f"400 {_code(message)}" if message else "",
        ]

    rows = [row(parameter, list_endpoint) for parameter in LIST_PARAMETERS]
    rows.append(row(TICKET_NO_PARAMETER, reads))
    return _table(["parameter", "on", "required", "value", "default", "notes", "refused with"], rows)


# The HTTP status each sentence is answered with; by name, then by the name's prefix.
MESSAGE_STATUS = {
    "BODY_TOO_LARGE": "413",
    "BODY_UNSUPPORTED_MEDIA_TYPE": "415",
    "BODY_CONTENT_TYPE_MISSING": "415",
    "CONTACT_MISMATCH": "403",
    "TICKET_NOT_FOUND": "404",
    "TICKET_CLOSED": "409",
    "TICKET_NOT_CLOSED": "409",
    "PATH_NOT_FOUND": "404",
    "METHOD_NOT_ALLOWED": "405",
    "THROTTLED": "429",
    "IDEMPOTENCY_KEY_REUSED": "409",
    "IDEMPOTENCY_KEY_IN_FLIGHT": "409",
    "INTERNAL_ERROR": "500",
    "CHANNEL_KEY_INVALID": "401",
    "ATTACHMENT_NOT_FOUND": "404",
    "ATTACHMENT_TOO_LARGE": "413",
    "ATTACHMENT_EMPTY": "400",
    "ATTACHMENT_TYPE_NOT_ALLOWED": "415",
    "ATTACHMENTS_FULL": "409",
    "UPLOAD_UNSUPPORTED_MEDIA_TYPE": "415",
    "UPLOAD_CONTENT_TYPE_MISSING": "415",
    "UPLOAD_MALFORMED": "400",
    "UPLOAD_TOO_MANY_PARTS": "400",
}
MESSAGE_STATUS_BY_PREFIX = {
    "HEADER_": "400",
    "TOKEN_": "401",
    "BODY_": "400",
    "FIELD_": "400",
    "QUERY_": "400",
    "IDEMPOTENCY_KEY_": "400",
    "DOWNSTREAM_": "500",
}
# Not sentences but the two errorCodes that break the `<status> <REASON>` pattern.
ERROR_CODES = {"DOWNSTREAM_ERROR_CODE": "500", "INVALID_TOKEN_CODE": "401"}


def message_status(name: str) -> str:
    if name in MESSAGE_STATUS:
        return MESSAGE_STATUS[name]
    for prefix, status in MESSAGE_STATUS_BY_PREFIX.items():
        if name.startswith(prefix):
            return status
    return ""


def contract_messages() -> list[tuple[str, str]]:
    """(constant name, sentence) for every sentence in crmapi.messages, in its order."""
    return [
        (name, value)
        for name, value in vars(messages).items()
        if name.isupper() and isinstance(value, str) and name not in ERROR_CODES
    ]


def messages_table() -> str:
    rows = [[message_status(name), _code(sentence)] for name, sentence in contract_messages()]
    rows += [[status, f"errorCode {_code(getattr(messages, name))}"] for name, status in ERROR_CODES.items()]
    return _table(["status", "message"], rows)


SECTIONS: dict[str, Callable[[], str]] = {
    "endpoints": endpoints_table,
    "headers": headers_table,
    "ticket-body": ticket_body_table,
    "comment-body": comment_body_table,
    "status-body": status_body_table,
    "rating-body": rating_body_table,
    "query-parameters": query_parameters_table,
    "messages": messages_table,
}


# --- Filling the page ---------------------------------------------------------------------------


def fill(text: str, sections: dict[str, Callable[[], str]] = SECTIONS) -> str:
    """`text` with each marked section replaced by its generated table; the rest untouched.

    Every section must be marked exactly once, so a marker lost in an edit fails loudly instead
    of leaving a table to go stale.
    """
    for name, render in sections.items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        if text.count(begin) != 1 or text.count(end) != 1:
            raise ValueError(f"expected {begin} and {end} once each")
        head, rest = text.split(begin, 1)
        if end not in rest:
            raise ValueError(f"{end} must follow {begin}")
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{render()}\n{end}{tail}"
    return text


def skeleton(title: str = "API reference") -> str:
    """A page with only a title and the marked sections, for a repository that has none yet."""
    parts = [f"# {title}", ""]
    for name in SECTIONS:
        parts += [BEGIN.format(name=name), END.format(name=name), ""]
    return "\n".join(parts)
