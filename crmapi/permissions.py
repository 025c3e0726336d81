"""Mandatory-header rules per operation (CONTRACT §3), then the token (§3.3).

The permission raises its own ApiError: DRF would otherwise turn a failed permission into
NotAuthenticated whenever authentication classes exist, hiding the contract's message.
"""

import datetime
import re

from django.conf import settings
from rest_framework.permissions import BasePermission

from crmapi import limits, messages
from crmapi.errors import bad_request
from crmapi.headers import SR_DATE_PATTERN, header_value, is_correlation_id

TOKEN_HEADER = "token"
COMMON_HEADERS = ("correlationId", "source", "srDate", "operation", "destination")

_SR_DATE = re.compile(SR_DATE_PATTERN)


def mandatory_headers(token_required: bool) -> tuple[str, ...]:
    return ((TOKEN_HEADER,) if token_required else ()) + COMMON_HEADERS


def _is_real_date(text: str) -> bool:
    if not _SR_DATE.match(text):
        return False
    day, month, year = (int(part) for part in text.split("-"))
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _check_values(values: dict[str, str], operation: str) -> None:
    if not is_correlation_id(values["correlationId"]):
        raise bad_request(messages.HEADER_CORRELATION_ID_INVALID)

    source = values["source"]
    if len(source) > limits.SOURCE_HEADER_MAX_LENGTH:
        raise bad_request(messages.HEADER_SOURCE_TOO_LONG)
    allowed = settings.CRM_ALLOWED_SOURCES
    if allowed and source.lower() not in {name.lower() for name in allowed}:
        raise bad_request(messages.HEADER_SOURCE_NOT_ALLOWED.format(allowed=", ".join(allowed)))

    if not _is_real_date(values["srDate"]):
        raise bad_request(messages.HEADER_SR_DATE_INVALID)

    if values["operation"].lower() != operation.lower():
        raise bad_request(messages.HEADER_OPERATION_INVALID.format(operation=operation))

    if values["destination"].lower() != "crm":
        raise bad_request(messages.HEADER_DESTINATION_INVALID)


class RequiredHeaders(BasePermission):
    """Presence of every mandatory header in contract order, then their values.

    The view declares `operations` ({action: operation header value}) and `token_required`.
    """

    def has_permission(self, request, view) -> bool:
        values = {name: header_value(request, name) for name in mandatory_headers(view.token_required)}
        for name, value in values.items():
            if not value:
                raise bad_request(messages.HEADER_MISSING.format(name=name))
        _check_values(values, view.operations[view.action])
        return True


class IsTokenContact(BasePermission):
    """Authenticates now (views authenticate lazily) so token errors come after header errors.

    Reading `request.user` runs JWTAuthentication: a bad token raises the contract's 401 there.
    It is never None here: RequiredHeaders, before this permission, refuses a missing or blank
    `token` header, and a header it lets through is never blank to JWTAuthentication either.
    Were it None (a view without RequiredHeaders), DRF's NotAuthenticated is the same 401."""

    def has_permission(self, request, view) -> bool:
        return request.user is not None
