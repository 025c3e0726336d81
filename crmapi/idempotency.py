"""Retries with an `Idempotency-Key` header on E3, E4, E5, E8, E11 and E12 (CONTRACT §9).

The first request with a key claims it by inserting an IdempotencyRecord in its own committed
transaction: the unique constraint on (scope, caller, key) lets exactly one of several concurrent
requests win, on PostgreSQL and SQLite alike. The winner does the work and stores its 2xx
response in the same transaction as the work, so a crash leaves neither a ticket nor a stored
response, only the claim. Any error releases the claim, so a corrected retry goes through.
Every other request with the key finds the record: still in flight → 409; done, with an
equivalent body → the stored response, replayed; done, with another body → 409.

Records count for 24 hours; an older one is ignored and overwritten by the next claim, and
`manage.py purge_idempotency_keys` deletes them. A claim left in flight by a process that died
is taken over once its request can no longer be running (`abandoned_after`).

The record is written here rather than in services.py: the claim must commit on its own, before
and outside the atomic create it protects. Requests must not run inside ATOMIC_REQUESTS.
"""

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from crmapi import limits, messages
from crmapi.channels import channel_of
from crmapi.errors import ApiError, bad_request
from crmapi.headers import header_value, visible_ascii
from crmapi.models import IdempotencyRecord

logger = logging.getLogger("tickets.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
LIFETIME = timedelta(hours=24)
# Beyond the longest a request can run: clocks of several hosts and the commit after the handler.
ABANDON_MARGIN = timedelta(seconds=10)
CLAIM_ATTEMPTS = 3

_KEY = visible_ascii(limits.IDEMPOTENCY_KEY_MAX_LENGTH)


# --- The key and the body ---------------------------------------------------------------------


def idempotency_key(request) -> str | None:
    """The request's key; None when the header is absent. A blank or malformed one is 400."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not _KEY.match(key):
        raise bad_request(messages.IDEMPOTENCY_KEY_INVALID)
    return key


class _CanonicalObject(str):
    """The canonical JSON text of an object: members sorted, every duplicate kept."""


def _canonical(value) -> str:
    if isinstance(value, _CanonicalObject):
        return value
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _canonical_object(pairs: list[tuple[str, object]]) -> _CanonicalObject:
    members = sorted(f"{json.dumps(key, ensure_ascii=False)}:{_canonical(value)}" for key, value in pairs)
    return _CanonicalObject("{" + ",".join(members) + "}")


def body_fingerprint(raw: bytes) -> str:
    """Equal for the same JSON value after parsing, keys spelled as sent (CONTRACT §9): member
    order and white space do not count. A body that is not JSON is compared byte for byte."""
    try:
        canonical = _canonical(json.loads(raw, object_pairs_hook=_canonical_object))
    except (ValueError, RecursionError):
        return hashlib.sha256(b"raw:" + raw).hexdigest()
    return hashlib.sha256(b"json:" + canonical.encode("utf-8", "surrogatepass")).hexdigest()


def request_fingerprint(request, content_headers: tuple[str, ...]) -> str:
    """The body's fingerprint, plus the values of headers that carry content (E4's `data`): a
    retry that sends another comment text in `data` is a different request, not a repeat."""
    fingerprint = body_fingerprint(request.body)
    if not content_headers:
        return fingerprint
    values = [fingerprint, *(header_value(request, name) for name in content_headers)]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


# --- The record -------------------------------------------------------------------------------


def abandoned_after() -> timedelta:
    """An in-flight claim this old was left by a worker that gunicorn has killed by now."""
    return timedelta(seconds=settings.CRM_REQUEST_RUN_MAX_SECONDS) + ABANDON_MARGIN


def _is_stale(record: IdempotencyRecord, now: datetime) -> bool:
    abandoned = record.status_code is None and record.created_at < now - abandoned_after()
    return abandoned or record.created_at < now - LIFETIME


def _take_over(record: IdempotencyRecord, *, fingerprint: str, now: datetime) -> bool:
    """Claim an expired or abandoned record; False when another request got there first."""
    taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
        request_fingerprint=fingerprint, status_code=None, response_body=b"", created_at=now
    )
    record.request_fingerprint, record.status_code, record.response_body = fingerprint, None, b""
    record.created_at = now
    return taken == 1


def _claim(*, scope: str, caller: str, key: str, fingerprint: str) -> tuple[bool, IdempotencyRecord]:
    """(True, our new claim) or (False, the record another request made)."""
    record: IdempotencyRecord | None
    for _ in range(CLAIM_ATTEMPTS):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, caller=caller, key=key, request_fingerprint=fingerprint, created_at=now
                )
            return True, record
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(scope=scope, caller=caller, key=key).first()
        if record is None:  # released between our insert and our read
            continue
        if not _is_stale(record, now):
            return False, record
        if _take_over(record, fingerprint=fingerprint, now=now):
            return True, record
    raise ApiError(409, messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=messages.quoted(key)))


def _store(record: IdempotencyRecord, response: Response, *, key: str) -> None:
    """Store the response if the claim is still ours, else refuse (rolling the work back)."""
    stored = IdempotencyRecord.objects.filter(
        pk=record.pk, created_at=record.created_at, status_code__isnull=True
    ).update(status_code=response.status_code, response_body=orjson.dumps(response.data))
    if stored != 1:
        raise ApiError(409, messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=messages.quoted(key)))


def _release(record: IdempotencyRecord) -> None:
    try:
        IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
    except DatabaseError:
        logger.warning("Could not release Idempotency-Key claim %s; it expires by itself.", record.pk)


def _repeat(record: IdempotencyRecord, *, key: str, fingerprint: str) -> Response:
    if record.status_code is None:  # in flight wins over a body mismatch (CONTRACT §9)
        raise ApiError(409, messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=messages.quoted(key)))
    if record.request_fingerprint != fingerprint:
        raise ApiError(409, messages.IDEMPOTENCY_KEY_REUSED.format(key=messages.quoted(key)))
    return Response(
        orjson.loads(bytes(record.response_body)),
        status=record.status_code,
        headers={REPLAYED_HEADER: "true"},
    )


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete records past their 24 hours; returns how many."""
    cutoff = (now or timezone.now()) - LIFETIME
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- The views' side --------------------------------------------------------------------------


def run_once(
    *,
    request,
    scope: str,
    caller: str,
    handler,
    content_headers: tuple[str, ...] = (),
    fingerprint_of: Callable[[object], str] | None = None,
) -> Response:
    """`handler()` at most once per key; see the module docstring."""
    key = idempotency_key(request)
    if key is None:
        return handler()
    if fingerprint_of is None:
        fingerprint = request_fingerprint(request, content_headers)
    else:
        fingerprint = fingerprint_of(request)
    claimed, record = _claim(scope=scope, caller=caller, key=key, fingerprint=fingerprint)
    if not claimed:
        return _repeat(record, key=key, fingerprint=fingerprint)
    try:
        with transaction.atomic():
            response = handler()
            succeeded = 200 <= response.status_code < 300
            if succeeded:
                _store(record, response, key=key)
    except BaseException:
        _release(record)
        raise
    if not succeeded:
        _release(record)
    return response


def idempotent(
    scope: str,
    *,
    content_headers: tuple[str, ...] = (),
    fingerprint_of: Callable[[object], str] | None = None,
):
    """For a create view method: honour `Idempotency-Key`, scoped to `scope` and the caller
    (the token's contact; for the tokenless E3 its channel when channel keys are configured,
    else nobody: the key alone). `content_headers` are compared along with the body;
    `fingerprint_of(request)` replaces the JSON body's fingerprint for a body that is not JSON
    (E8's form: its fields and its file's hash, computed as the file streams in)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            if request.user is None:
                channel = channel_of(request)
                caller = f"channel:{channel}" if channel else ""
            else:
                caller = str(request.user.number)
            return run_once(
                request=request,
                scope=scope,
                caller=caller,
                handler=lambda: method(view, request, *args, **kwargs),
                content_headers=content_headers,
                fingerprint_of=fingerprint_of,
            )

        return wrapper

    return decorate
