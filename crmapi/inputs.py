"""What the endpoints accept: the bodies and query parameters of CONTRACT §6, §7 and §10.

Validation is written as small declarative rules rather than DRF `Serializer` fields on purpose:
the contract reports only the *first* failing field in table order with an exact sentence
(CONTRACT §6), matches keys case- and underscore-insensitively, and refuses duplicate keys —
none of which DRF's field-error dictionaries express.

Each body field and query parameter is declared once below (`TICKET_FIELDS`, `COMMENT_FIELDS`,
`LIST_PARAMETERS`, ...): its name in messages, the attribute it fills, its kind, limit, blank and
required rules, and its description. Validation reads the declaration; so do the OpenAPI request
components and parameters (crmapi/openapi/) and the API reference's tables (crmapi/reference.py).
A text field's limit is its model column's `max_length` (the store's limit is the body's); the
description, a text column, takes `tickets.models.DESCRIPTION_MAX_LENGTH`.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from django.db.models import CharField

from crmapi import limits, messages
from crmapi.errors import bad_request
from crmapi.parsers import JSONObject
from tickets.formats import DATE_FORM, parse_contact_number
from tickets.models import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    Ticket,
    TicketStatus,
)

_ISO_DATE = re.compile(rf"^{DATE_FORM}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STATUS_BY_LOWER = {status.lower(): status for status in TicketStatus.values}
# The statuses a customer may ask for (E11, CONTRACT §11).
CUSTOMER_STATUSES = (TicketStatus.OPEN, TicketStatus.CLOSED)
_CUSTOMER_STATUS_BY_LOWER = {status.lower(): status for status in CUSTOMER_STATUSES}
RATINGS = range(RATING_MIN, RATING_MAX + 1)

# The white space `str.strip()` removes, spelled out as a regex class body so that the OpenAPI
# patterns (ECMA-262 regexes, whose `\s` is a different set) say exactly what "blank" means here.
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


# --- Key matching ------------------------------------------------------------------------------


def normalize_key(key: str) -> str:
    """`ticket_title`, `ticketTitle` and `TICKETTITLE` all match `tickettitle` (CONTRACT §6)."""
    return key.replace("_", "").lower()


def match_fields(body: Mapping, field_names: list[str]) -> dict[str, object]:
    """Map the body's keys onto the known fields; unknown keys are dropped.

    Two keys matching one field is refused whatever their values, before any other rule.
    """
    by_normal = {normalize_key(name): name for name in field_names}
    pairs = body.pairs if isinstance(body, JSONObject) else list(body.items())
    matched: dict[str, object] = {}
    for key, value in pairs:
        name = by_normal.get(normalize_key(key))
        if name is None:
            continue
        if name in matched:
            raise bad_request(messages.FIELD_DUPLICATE.format(name=name))
        matched[name] = value
    return {name: value for name, value in matched.items() if value is not None}


# --- Text rules --------------------------------------------------------------------------------


def _text(name: str, value: object, *, max_length: int, allow_blank: bool) -> str:
    if not isinstance(value, str):
        raise bad_request(messages.FIELD_NOT_STRING.format(name=name))
    if "\x00" in value or _SURROGATE.search(value):
        raise bad_request(messages.FIELD_BAD_CHARACTERS.format(name=name))
    if not allow_blank and not value.strip():
        raise bad_request(messages.FIELD_REQUIRED.format(name=name))
    if len(value) > max_length:
        raise bad_request(messages.FIELD_TOO_LONG.format(name=name, max_length=max_length))
    return value


def _status(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise bad_request(messages.FIELD_NOT_STRING.format(name=name))
    canonical = _STATUS_BY_LOWER.get(value.strip().lower())
    if canonical is None:
        raise bad_request(messages.FIELD_BAD_STATUS.format(name=name))
    return canonical


def _customer_status(name: str, value: object) -> str:
    """`Open` or `Closed`, any case; anything else, a non-string included, is the one 400."""
    canonical = _CUSTOMER_STATUS_BY_LOWER.get(value.strip().lower()) if isinstance(value, str) else None
    if canonical is None:
        raise bad_request(messages.FIELD_BAD_CUSTOMER_STATUS.format(name=name))
    return canonical


def _rating(name: str, value: object) -> int:
    """A whole number 1-5 as a JSON integer or a string of one digit; never a boolean or a
    float (`4.0` included), never a padded or signed string."""
    if isinstance(value, int) and not isinstance(value, bool):
        number: int | None = value
    elif isinstance(value, str) and len(value) == 1 and value in "0123456789":
        number = int(value)
    else:
        number = None
    if number not in RATINGS:
        raise bad_request(messages.FIELD_BAD_RATING.format(name=name))
    assert number is not None
    return number


def _effective_date(name: str, value: object) -> datetime.date | None:
    if not isinstance(value, str):
        raise bad_request(messages.FIELD_NOT_STRING.format(name=name))
    if value == "":
        return None
    if _ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise bad_request(messages.FIELD_BAD_DATE.format(name=name))


def _contact(name: str, value: object, *, blank_is_none: bool) -> int | None:
    if blank_is_none and value == "":
        return None
    number = parse_contact_number(value)
    if number is None:
        raise bad_request(messages.FIELD_BAD_CONTACT.format(name=name))
    return number


def _string_or_integer(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise bad_request(messages.FIELD_NOT_STRING_OR_INTEGER.format(name=name))
    text = str(value)
    if not text.strip():
        raise bad_request(messages.FIELD_REQUIRED.format(name=name))
    return text


# --- The body fields, declared once -----------------------------------------------------------


class Kind(StrEnum):
    """What a field's value may be; each kind has one check here and one schema in
    crmapi/openapi/components.py."""

    TEXT = "text"
    STATUS = "ticket status"
    DATE = "date"
    CONTACT = "contact number"
    REFERENCE = "ticket reference"  # a string or an integer, E4's ticketNo
    CUSTOMER_STATUS = "customer status"  # `Open` or `Closed`, E11's ticketStatus
    RATING = "rating"  # 1 to 5, integer or one-digit string, E12's rating


@dataclass(eq=False)
class BodyField:
    """One body field, declared once: its validation below, its OpenAPI property and the API
    reference's row are all derived from this declaration.

    `blank`: for text, `""` (or only white space) is allowed; for a contact, `""` means none.
    `document_name`: the key as the customer document's example body spells it (`ticket_title`),
    when it differs from `name` lower-cased; the OpenAPI description describes both spellings.
    `fallback_header`: a header that may carry the value instead (E4's `data`), so a client may
    leave the field out, blank or `null` and still be answered 200.
    A declaration is one object everywhere (copying returns it), so a limit changed on it shows in
    validation and in the next generated description alike.
    """

    name: str  # as named in messages and in the schema (the document's table spelling)
    attribute: str  # what it fills: the model field, or the CommentInput attribute
    kind: Kind
    description: str  # for the OpenAPI property and the API reference
    max_length: int | None = None  # text only
    blank: bool = False
    required: bool = True
    example: str | None = None
    document_name: str = ""
    fallback_header: str | None = None

    def __deepcopy__(self, memo):
        return self

    @property
    def example_spelling(self) -> str:
        """The document's example spelling of the key (CONTRACT §6)."""
        return self.document_name or self.name.lower()

    def check(self, value: object) -> object:
        """The value to store, or the contract's 400 naming this field."""
        if self.kind is Kind.TEXT:
            assert self.max_length is not None
            return _text(self.name, value, max_length=self.max_length, allow_blank=self.blank)
        if self.kind is Kind.STATUS:
            return _status(self.name, value)
        if self.kind is Kind.CUSTOMER_STATUS:
            return _customer_status(self.name, value)
        if self.kind is Kind.RATING:
            return _rating(self.name, value)
        if self.kind is Kind.DATE:
            return _effective_date(self.name, value)
        if self.kind is Kind.CONTACT:
            return _contact(self.name, value, blank_is_none=self.blank)
        return _string_or_integer(self.name, value)


def _column_length(attribute: str) -> int:
    """The model column's max_length: the store's limit is the body's limit."""
    column = Ticket._meta.get_field(attribute)
    assert isinstance(column, CharField)
    assert column.max_length is not None
    return column.max_length


def _ticket_text(name: str, attribute: str, description: str, *, blank: bool = False) -> BodyField:
    return BodyField(
        name, attribute, Kind.TEXT, description, max_length=_column_length(attribute), blank=blank
    )


_MAY_BE_EMPTY = 'Must be present; may be `""`.'
_TICKET_REFERENCE = (
    "`TT1130` or `1130` (both ticket TT1130), or the record id `17x55954`. "
    "Any other value is the same 404 as a ticket that is not the contact's."
)

# E3 and E5, in the contract's table order (the first failing field is the one reported).
TICKET_FIELDS = (
    BodyField(
        "ticketStatus",
        "ticket_status",
        Kind.STATUS,
        "Also `ticketstatus`. Case-insensitive; stored canonical.",
    ),
    BodyField(
        "effectiveDate",
        "effective_date",
        Kind.DATE,
        'Also `effectivedate`. A real date `YYYY-MM-DD`, or `""` for none '
        '(the document\'s placeholder `"YYYY-MM-DD"` is refused).',
        example="2021-09-11",
    ),
    _ticket_text("ticketCategories", "ticket_categories", "Also `ticketcategories`."),
    BodyField(
        "tickettitle",
        "title",
        Kind.TEXT,
        "Also `ticket_title`. Returned as `ticket_title` and `label`.",
        max_length=_column_length("title"),
        document_name="ticket_title",
    ),
    BodyField(
        "description",
        "description",
        Kind.TEXT,
        "The customer's request.",
        max_length=DESCRIPTION_MAX_LENGTH,
    ),
    _ticket_text("subcategory", "subcategory", "E.g. `sub1`."),
    _ticket_text("status", "status", "The channel's own status, e.g. `New` (not the ticket status)."),
    _ticket_text("category", "category", "E.g. `cat1`."),
    _ticket_text("voucherType", "voucher_type", f"Also `vouchertype`. {_MAY_BE_EMPTY}", blank=True),
    _ticket_text(
        "voucherIdFormat", "voucher_id_format", f"Also `voucheridformat`. {_MAY_BE_EMPTY}", blank=True
    ),
    _ticket_text(
        "passwordPattern", "password_pattern", f"Also `passwordpattern`. {_MAY_BE_EMPTY}", blank=True
    ),
    _ticket_text("source", "source", "The channel the ticket came through: `app`, `facebook`, ..."),
)
# E3 only, after the others.
SOCIAL_CONTACT_FIELD = BodyField(
    "contactId",
    "contact_number",
    Kind.CONTACT,
    "Optional; also `contact_id`. Links the ticket to a contact: `649797` or `12x649797`, "
    'string or integer. Absent, `null` or `""` means no contact.',
    blank=True,
    required=False,
    example="649797",
    document_name="contactId",
)
# The ticket and the contact, as E4, E11 and E12 name them.
TICKET_NO_FIELD = BodyField(
    "ticketNo", "ticket_reference", Kind.REFERENCE, _TICKET_REFERENCE, example="TT1130"
)
CONTACT_ID_FIELD = BodyField(
    "contactId",
    "contact_number",
    Kind.CONTACT,
    "Must be the token's contact: `649797` or `12x649797`.",
    example="649797",
)
# E4, in the order they are checked.
COMMENT_FIELDS = (
    TICKET_NO_FIELD,
    BodyField(
        "comment",
        "comment",
        Kind.TEXT,
        "The comment. Send it here: clients of the original document may instead leave it out (or "
        "blank) and send the text in the `data` header, which is used only then.",
        max_length=COMMENT_MAX_LENGTH,
        fallback_header="data",
    ),
    CONTACT_ID_FIELD,
)
# E11, in the order they are checked.
STATUS_FIELDS = (
    TICKET_NO_FIELD,
    BodyField(
        "ticketStatus",
        "ticket_status",
        Kind.CUSTOMER_STATUS,
        "Also `ticketstatus`. `Open` or `Closed`, case-insensitive. `Closed` closes the ticket from "
        "any status; `Open` reopens a ticket closed less than the reopen period ago and turns "
        "`Wait For Response` into `Open`. The status the ticket already has changes nothing.",
        example="Closed",
    ),
    CONTACT_ID_FIELD,
)
# E12, in the order they are checked.
RATING_FIELDS = (
    TICKET_NO_FIELD,
    BodyField(
        "rating",
        "rating",
        Kind.RATING,
        f"A whole number from {RATING_MIN} to {RATING_MAX}: a JSON integer or a string of one digit "
        "(booleans and fractions are refused).",
        example="4",
    ),
    BodyField(
        "comment",
        "comment",
        Kind.TEXT,
        'Optional: absent, `null` or blank means none (answered as `""`).',
        max_length=RATING_COMMENT_MAX_LENGTH,
        blank=True,
        required=False,
    ),
    CONTACT_ID_FIELD,
)


def ticket_fields(*, social: bool) -> tuple[BodyField, ...]:
    return (*TICKET_FIELDS, SOCIAL_CONTACT_FIELD) if social else TICKET_FIELDS


def require_object(data: object) -> Mapping:
    if not isinstance(data, dict):
        raise bad_request(messages.BODY_NOT_OBJECT)
    return data


def _validate(fields: tuple[BodyField, ...], given: Mapping[str, object]) -> dict[str, Any]:
    """{attribute: checked value}, or the first error in declaration order. Each value has the
    type its field's kind checks (text → str, date → date or None, ...), which a mapping keyed by
    name cannot spell to the type checker; hence Any."""
    values: dict[str, Any] = {}
    for field in fields:
        if field.name not in given:
            if field.required:
                raise bad_request(messages.FIELD_REQUIRED.format(name=field.name))
            continue
        values[field.attribute] = field.check(given[field.name])
    return values


def validate_ticket_body(data: object, *, social: bool) -> dict[str, Any]:
    """Validated model attributes for a new ticket, or the first error in table order."""
    fields = ticket_fields(social=social)
    return _validate(fields, match_fields(require_object(data), [field.name for field in fields]))


# --- Comment body (E4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CommentInput:
    ticket_reference: str  # as sent, for the 404 message
    comment: str
    contact_number: int


def validate_comment_body(data: object, *, data_header: str) -> CommentInput:
    """E4's body in order ticketNo, comment, contactId; a blank comment falls back to the
    `data` header (CONTRACT §3, §6)."""
    given = match_fields(require_object(data), [field.name for field in COMMENT_FIELDS])
    comment = given.get("comment")
    if isinstance(comment, str) and not comment.strip():
        del given["comment"]
    if "comment" not in given and data_header.strip():
        given["comment"] = data_header
    return CommentInput(**_validate(COMMENT_FIELDS, given))


# --- Status body (E11) and rating body (E12) ------------------------------------------------


@dataclass(frozen=True)
class StatusInput:
    ticket_reference: str  # as sent, for the 404 and 409 messages
    ticket_status: str
    contact_number: int


@dataclass(frozen=True)
class RatingInput:
    ticket_reference: str  # as sent, for the 404 and 409 messages
    rating: int
    contact_number: int
    comment: str = ""


def validate_status_body(data: object) -> StatusInput:
    """E11's body in order ticketNo, ticketStatus, contactId (CONTRACT §11)."""
    given = match_fields(require_object(data), [field.name for field in STATUS_FIELDS])
    return StatusInput(**_validate(STATUS_FIELDS, given))


def validate_rating_body(data: object) -> RatingInput:
    """E12's body in order ticketNo, rating, comment, contactId; a blank comment is none."""
    given = match_fields(require_object(data), [field.name for field in RATING_FIELDS])
    values = _validate(RATING_FIELDS, given)
    if not values.get("comment", "").strip():
        values["comment"] = ""
    return RatingInput(**values)


# --- Query parameters, declared once ---------------------------------------------------------


@dataclass(frozen=True)
class ListParams:
    status: str | None
    limit: int
    offset: int


@dataclass(frozen=True)
class QueryParameter:
    """One query parameter: its validation and its OpenAPI parameter derive from this."""

    name: str
    kind: Kind | type[int]  # STATUS, REFERENCE, or int
    description: str
    message: str = ""  # the 400 for a value out of its rule
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    default: int | None = None
    example: str | None = None

    def read(self, query: Mapping[str, str]) -> object:
        """The value; the default when absent or empty (CONTRACT §7)."""
        if self.kind is Kind.STATUS:
            raw = query.get(self.name, "").strip()
            if not raw:
                return None
            status = _STATUS_BY_LOWER.get(raw.lower())
            if status is None:
                raise bad_request(self.message)
            return status
        raw = query.get(self.name, "")
        if not raw:
            return self.default
        assert self.minimum is not None
        assert self.maximum is not None
        return _query_int(raw, minimum=self.minimum, maximum=self.maximum, message=self.message)


# E1's, in the order they are checked.
LIST_PARAMETERS = (
    QueryParameter(
        "status",
        Kind.STATUS,
        "Only tickets in this status (case-insensitive). Empty counts as absent.",
        message=messages.QUERY_BAD_STATUS,
    ),
    QueryParameter(
        "limit",
        int,
        f"At most this many tickets, 1 to {limits.LIST_LIMIT_MAX}. Empty counts as absent.",
        message=messages.QUERY_BAD_LIMIT,
        minimum=1,
        maximum=limits.LIST_LIMIT_MAX,
        default=limits.LIST_LIMIT_MAX,
    ),
    QueryParameter(
        "offset",
        int,
        "Skip this many tickets first. Empty counts as absent.",
        message=messages.QUERY_BAD_OFFSET,
        minimum=0,
        maximum=limits.QUERY_INTEGER_MAX,
        default=0,
    ),
)
# E6's and E7's: the ticket, named as E4's body names it.
TICKET_NO_PARAMETER = QueryParameter(
    "ticketNo", Kind.REFERENCE, _TICKET_REFERENCE, required=True, example="TT1130"
)

_QUERY_INTEGER = re.compile(rf"[0-9]{{1,{limits.QUERY_INTEGER_DIGITS}}}", re.ASCII)


def _query_int(raw: str, *, minimum: int, maximum: int, message: str) -> int:
    if not _QUERY_INTEGER.fullmatch(raw.strip()):
        raise bad_request(message)
    number = int(raw)
    if number < minimum or number > maximum:
        raise bad_request(message)
    return number


def validate_list_params(query: Mapping[str, str]) -> ListParams:
    """E1's `status`, `limit`, `offset`; an empty parameter counts as absent (CONTRACT §7)."""
    values = {parameter.name: parameter.read(query) for parameter in LIST_PARAMETERS}
    return ListParams(
        status=cast(str | None, values["status"]),
        limit=cast(int, values["limit"]),
        offset=cast(int, values["offset"]),
    )


def required_query_param(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "")
    if not value.strip():
        raise bad_request(messages.QUERY_REQUIRED.format(name=name))
    return value


# --- Attachment form (E8) -------------------------------------------------------------------

# The query parameter of E10 (E9 reads TICKET_NO_PARAMETER).
ATTACHMENT_ID_PARAMETER = QueryParameter(
    "id",
    Kind.REFERENCE,
    "The attachment's id as E8 and E9 give it: `21x` and its number.",
    required=True,
    example="21x1",
)


@dataclass(frozen=True)
class UploadInput:
    ticket_reference: str  # as sent, for the 404 and 409 messages
    file: Any  # the uploaded file (crmapi.uploads): a temporary file, or its size alone when over the limit
    contact_number: int


def validate_upload_form(pairs: list[tuple[str, object]], files: list) -> UploadInput:
    """E8's form in order ticketNo, file (missing, then twice), contactId (CONTRACT §13); the
    fields match as body keys do (§6), repeated ones refused."""
    form = JSONObject(pairs)
    form.pairs = pairs
    given = match_fields(form, [TICKET_NO_FIELD.name, CONTACT_ID_FIELD.name])
    ticket = _validate((TICKET_NO_FIELD,), given)
    if not files:
        raise bad_request(messages.FIELD_REQUIRED.format(name="file"))
    if len(files) > 1:
        raise bad_request(messages.FIELD_DUPLICATE.format(name="file"))
    contact = _validate((CONTACT_ID_FIELD,), given)
    return UploadInput(file=files[0], **ticket, **contact)
