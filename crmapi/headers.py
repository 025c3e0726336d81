"""Reading the contract's request headers (CONTRACT §3): one place for how a value is read and
what counts as a usable `correlationId`, shared by the header rules, the envelope middleware and
the error handler."""

import re

from crmapi import limits

# A regex class body: the visible ASCII characters (letters, digits, punctuation), no space. The
# form of `correlationId` and `Idempotency-Key`; the OpenAPI patterns are written from it too.
VISIBLE_ASCII = r"\x21-\x7e"
# `srDate`, DD-MM-YYYY with a day and month in range (whether the date is real is checked apart).
# Written so that it means the same in Python and in ECMA-262 (the OpenAPI pattern).
SR_DATE_PATTERN = r"^(0[1-9]|[12][0-9]|3[01])-(0[1-9]|1[0-2])-[0-9]{4}$"


def visible_ascii(max_length: int) -> re.Pattern:
    """1 to `max_length` visible ASCII characters, no spaces."""
    return re.compile(rf"^[{VISIBLE_ASCII}]{{1,{max_length}}}$")


_CORRELATION_ID = visible_ascii(limits.CORRELATION_ID_MAX_LENGTH)


def header_value(request, name: str) -> str:
    """The header's value stripped; "" when absent (blank counts as missing).

    WSGI hands header bytes over decoded as latin-1 (PEP 3333), but clients send UTF-8 (E4's
    `data` header carries a comment in any language): text that is valid UTF-8 is read as such.
    """
    value = request.headers.get(name, "")
    return (value if value.isascii() else _as_utf8(value)).strip()


def _as_utf8(value: str) -> str:
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:  # not UTF-8 on the wire, or already decoded: keep it as received
        return value


def is_correlation_id(text: str) -> bool:
    """CONTRACT §3: 1 to 128 visible ASCII characters, no spaces (limits.py)."""
    return bool(_CORRELATION_ID.match(text))


def valid_correlation_id(request) -> str | None:
    """The request's `correlationId` when it follows the rule, else None.

    Only a valid one is echoed or used as an error reference: an invalid one may hold CR/LF or NUL
    (no response header can) or be 100 kB long (clients and proxies refuse such a header).
    """
    value = header_value(request, "correlationId") if request is not None else ""
    return value if is_correlation_id(value) else None
