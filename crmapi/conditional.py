"""Conditional reads (CONTRACT §14): an `ETag` on E1, E2, E6, E7 and E9, and 304 for a request
whose `If-None-Match` matches it.

A view computes its tag only after the headers, the token, the throttle, its query parameters and
the ticket's ownership have all passed, so a request that would be an error is that error, never
a 304. A read answers in one line: `return conditional.answer(request, response, E9, contact,
fingerprint)`; a read with a cheaper way to its fingerprint than its result (E1, E6) first asks
`conditional.not_modified(...)` and builds the result only when that is None.

The tag is an HMAC (keyed by SECRET_KEY) of the endpoint, the contact, what shapes the result
and the fingerprint of its data: never equal across contacts, endpoints or result versions, and
it reveals nothing of what it is made of. Tags are weak (`W/"…"`): they name the result, not its
bytes. `Cache-Control: private, no-cache` goes with them: a browser may keep the answer but asks
again each time, and no shared cache stores one contact's answer for another.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

from crmapi.endpoints import Endpoint

# Bump when any tagged result changes shape or wording for the same data (a key added, a format
# changed), so that no tag sent before the change matches the new results.
RESULTS_VERSION = "1"

CACHE_CONTROL = "private, no-cache"
# The headers of a 200 that its 304 repeats (CONTRACT §14), besides the tag.
REPEATED_HEADERS = ("X-Total-Count",)
_SALT = "crmapi.conditional"


def entity_tag(endpoint: Endpoint, contact: int, *parts) -> str:
    """The weak tag of `endpoint`'s result for `contact`, given what the result is made of. The
    time zone is part of it: every time in a result is written in it."""
    value = repr((RESULTS_VERSION, settings.TIME_ZONE, endpoint.name, contact, parts))
    return f'W/"{salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]}"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def matches(request: HttpRequest, tag: str) -> bool:
    """Whether `If-None-Match` matches `tag` by weak comparison (RFC 9110 §13.1.2): `*`, or any
    tag of its comma-separated list whose opaque part equals the tag's, `W/` or not."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    wanted = parse_etags(header)
    return wanted == ["*"] or _opaque(tag) in {_opaque(candidate) for candidate in wanted}


def is_conditional(request: HttpRequest) -> bool:
    """The request sends `If-None-Match`: worth reading a cheap fingerprint first."""
    return bool(request.headers.get("If-None-Match", "").strip())


def _validated(response: HttpResponse, tag: str) -> HttpResponse:
    response["ETag"] = tag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def not_modified(
    request: HttpRequest, tag: str, headers: dict[str, str] | None = None
) -> HttpResponse | None:
    """The 304 (no body; the tag and `headers`, e.g. E1's `X-Total-Count`) when the request's
    `If-None-Match` matches `tag`, else None. The middleware adds `correlationId`."""
    if not matches(request, tag):
        return None
    response = HttpResponseNotModified()
    for name, value in (headers or {}).items():
        response[name] = value
    return _validated(response, tag)


def answer(request: HttpRequest, response: HttpResponse, endpoint: Endpoint, contact: int, *parts):
    """`response` with its tag, or the 304 when `If-None-Match` matches it."""
    tag = entity_tag(endpoint, contact, *parts)
    kept = {name: response[name] for name in REPEATED_HEADERS if response.has_header(name)}
    return not_modified(request, tag, kept) or _validated(response, tag)
