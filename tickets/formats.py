"""How the store's identifiers and times are written: the record prefixes and formats of the
contract (CONTRACT §6, §7), in one place for the API, the desk and the commands."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

RECORD_ID_PREFIX = "17x"
CONTACT_ID_PREFIX = "12x"
USER_ID_PREFIX = "19x"
ATTACHMENT_ID_PREFIX = "21x"
TICKET_NUMBER_PREFIX = "TT"

# The forms below are regexes that mean the same in Python and in ECMA-262, so that the OpenAPI
# description (crmapi/openapi/) writes its patterns from them.
NUMBER_DIGITS = 18  # contact numbers, ticket numbers and record ids: at most this many digits
NUMBER_MAX = 10**NUMBER_DIGITS - 1
# A contact number as a client may send it: `649797` or `12x649797`.
CONTACT_NUMBER_FORM = rf"({CONTACT_ID_PREFIX})?[0-9]{{1,{NUMBER_DIGITS}}}"
# `YYYY-MM-DD`, and a timestamp as format_datetime writes it (CONTRACT §7).
DATE_FORM = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATETIME_FORM = rf"{DATE_FORM} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}"

_CONTACT = re.compile(rf"^{CONTACT_NUMBER_FORM}$", re.ASCII)
_TICKET_NUMBER = re.compile(
    rf"^(?:{TICKET_NUMBER_PREFIX})?([0-9]{{1,{NUMBER_DIGITS}}})$", re.ASCII | re.IGNORECASE
)
_RECORD_ID = re.compile(rf"^{RECORD_ID_PREFIX}([0-9]{{1,{NUMBER_DIGITS}}})$", re.ASCII)
_ATTACHMENT_ID = re.compile(rf"^{ATTACHMENT_ID_PREFIX}([0-9]{{1,{NUMBER_DIGITS}}})$", re.ASCII)


def format_datetime(value: datetime.datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the configured time zone (CONTRACT §7).

    Runs once per E1 item: `isoformat` and the cached default zone cost a third of
    `localtime().strftime()`, whose current-zone lookup goes through asgiref's Local. The project
    never activates another zone, so the default zone is the configured one.
    """
    return value.astimezone(timezone.get_default_timezone()).isoformat(" ", "seconds")[:19]


def format_ticket_number(number: int) -> str:
    return f"{TICKET_NUMBER_PREFIX}{number}"


def prefixed(prefix: str, value: int | None) -> str:
    """`17x55954`, `12x649797`, `19x5`; "" when there is no value."""
    return "" if value is None else f"{prefix}{value}"


def parse_contact_number(value: object) -> int | None:
    """`649797`, `"649797"` or `"12x649797"` → 649797; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= NUMBER_MAX else None
    if isinstance(value, str):
        text = value.strip()
        return int(text.removeprefix(CONTACT_ID_PREFIX)) if _CONTACT.match(text) else None
    return None


@dataclass(frozen=True)
class TicketReference:
    """A ticket named by number (`TT1130`, `1130`) or by record id (`17x55954`)."""

    ticket_number: int | None = None
    record_id: int | None = None


def parse_ticket_reference(value: str) -> TicketReference | None:
    text = value.strip()
    if match := _TICKET_NUMBER.match(text):
        return TicketReference(ticket_number=int(match.group(1)))
    if match := _RECORD_ID.match(text):
        return TicketReference(record_id=int(match.group(1)))
    return None


def parse_attachment_id(value: str) -> int | None:
    """The attachment's number in `21x<n>` (CONTRACT §13), or None for any other form."""
    match = _ATTACHMENT_ID.match(value.strip())
    return int(match.group(1)) if match else None


def user_display_name(user) -> str:
    """How a staff user is named to customers (E6) and in the update log: full name, else username."""
    return user.get_full_name() or user.get_username()
