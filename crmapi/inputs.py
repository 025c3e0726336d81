"""What the endpoints accept: the bodies and query parameters of CONTRACT §6, §7 and §10.

Validation is written as small declarative rules rather than DRF `Serializer` fields on purpose:
the contract reports only the *first* failing field in table order with an exact sentence
(CONTRACT §6), matches keys case- and underscore-insensitively, and refuses duplicate keys —
none of which DRF's field-error dictionaries express.
"""

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crmapi import messages
from crmapi.errors import bad_request
from crmapi.parsers import JSONObject
from tickets.formats import parse_contact_number
from tickets.models import COMMENT_MAX_LENGTH, TicketStatus

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STATUS_BY_LOWER = {status.lower(): status for status in TicketStatus.values}

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


def _optional_contact(name: str, value: object) -> int | None:
    if value == "":
        return None
    number = parse_contact_number(value)
    if number is None:
        raise bad_request(messages.FIELD_BAD_CONTACT.format(name=name))
    return number


# --- Ticket bodies (E3, E5) ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldRule:
    name: str  # as named in messages
    attribute: str  # the model field it fills
    check: Callable[[str, object], object]
    required: bool = True


def _non_blank(max_length: int) -> Callable[[str, object], str]:
    return lambda name, value: _text(name, value, max_length=max_length, allow_blank=False)


def _may_be_blank(max_length: int) -> Callable[[str, object], str]:
    return lambda name, value: _text(name, value, max_length=max_length, allow_blank=True)


TICKET_FIELD_RULES = [
    FieldRule("ticketStatus", "ticket_status", _status),
    FieldRule("effectiveDate", "effective_date", _effective_date),
    FieldRule("ticketCategories", "ticket_categories", _non_blank(255)),
    FieldRule("tickettitle", "title", _non_blank(255)),
    FieldRule("description", "description", _non_blank(20_000)),
    FieldRule("subcategory", "subcategory", _non_blank(255)),
    FieldRule("status", "status", _non_blank(255)),
    FieldRule("category", "category", _non_blank(255)),
    FieldRule("voucherType", "voucher_type", _may_be_blank(255)),
    FieldRule("voucherIdFormat", "voucher_id_format", _may_be_blank(255)),
    FieldRule("passwordPattern", "password_pattern", _may_be_blank(255)),
    FieldRule("source", "source", _non_blank(64)),
]
SOCIAL_CONTACT_RULE = FieldRule("contactId", "contact_number", _optional_contact, required=False)


def require_object(data: object) -> Mapping:
    if not isinstance(data, dict):
        raise bad_request(messages.BODY_NOT_OBJECT)
    return data


def validate_ticket_body(data: object, *, social: bool) -> dict[str, object]:
    """Validated model attributes for a new ticket, or the first error in table order."""
    rules = TICKET_FIELD_RULES + ([SOCIAL_CONTACT_RULE] if social else [])
    given = match_fields(require_object(data), [rule.name for rule in rules])
    values: dict[str, object] = {}
    for rule in rules:
        if rule.name not in given:
            if rule.required:
                raise bad_request(messages.FIELD_REQUIRED.format(name=rule.name))
            continue
        values[rule.attribute] = rule.check(rule.name, given[rule.name])
    return values


# --- Comment body (E4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CommentInput:
    ticket_reference: str  # as sent, for the 404 message
    comment: str
    contact_number: int


def _string_or_integer(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise bad_request(messages.FIELD_NOT_STRING_OR_INTEGER.format(name=name))
    text = str(value)
    if not text.strip():
        raise bad_request(messages.FIELD_REQUIRED.format(name=name))
    return text


def validate_comment_body(data: object, *, data_header: str) -> CommentInput:
    """E4's body in order ticketNo, comment, contactId; a blank comment falls back to the
    `data` header (CONTRACT §3, §6)."""
    given = match_fields(require_object(data), ["ticketNo", "comment", "contactId"])

    if "ticketNo" not in given:
        raise bad_request(messages.FIELD_REQUIRED.format(name="ticketNo"))
    ticket_reference = _string_or_integer("ticketNo", given["ticketNo"])

    comment = given.get("comment")
    if isinstance(comment, str) and not comment.strip():
        comment = None
    if comment is None and data_header.strip():
        comment = data_header
    if comment is None:
        raise bad_request(messages.FIELD_REQUIRED.format(name="comment"))
    comment = _text("comment", comment, max_length=COMMENT_MAX_LENGTH, allow_blank=False)

    if "contactId" not in given:
        raise bad_request(messages.FIELD_REQUIRED.format(name="contactId"))
    contact_number = parse_contact_number(given["contactId"])
    if contact_number is None:
        raise bad_request(messages.FIELD_BAD_CONTACT.format(name="contactId"))
    return CommentInput(ticket_reference, comment, contact_number)


# --- Query parameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListParams:
    status: str | None
    limit: int
    offset: int


LIST_LIMIT_MAX = 500


def _query_int(raw: str, *, minimum: int, maximum: int | None, message: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip(), re.ASCII):
        raise bad_request(message)
    number = int(raw)
    if number < minimum or (maximum is not None and number > maximum):
        raise bad_request(message)
    return number


def validate_list_params(query: Mapping[str, str]) -> ListParams:
    """E1's `status`, `limit`, `offset`; an empty parameter counts as absent (CONTRACT §7)."""
    status = None
    if raw_status := query.get("status", "").strip():
        status = _STATUS_BY_LOWER.get(raw_status.lower())
        if status is None:
            raise bad_request(messages.QUERY_BAD_STATUS)
    limit = LIST_LIMIT_MAX
    if raw_limit := query.get("limit", ""):
        limit = _query_int(raw_limit, minimum=1, maximum=LIST_LIMIT_MAX, message=messages.QUERY_BAD_LIMIT)
    offset = 0
    if raw_offset := query.get("offset", ""):
        offset = _query_int(raw_offset, minimum=0, maximum=None, message=messages.QUERY_BAD_OFFSET)
    return ListParams(status=status, limit=limit, offset=offset)


def required_query_param(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "")
    if not value.strip():
        raise bad_request(messages.QUERY_REQUIRED.format(name=name))
    return value
