"""Who may call E3, which has no token by contract (CONTRACT §3): when `CRM_SOCIAL_CHANNEL_KEYS`
names the channels and their keys, a request must carry one of the keys in `X-Channel-Key`, else
it is the 401 envelope; its Idempotency-Keys then belong to that channel, so one channel cannot
squat or replay another's. Unset, E3 stays open as the contract has it (development, or a
deployment where only trusted networks reach it); `check --deploy` warns about that outside
development.
"""

import hmac

from django.conf import settings
from django.core import checks
from rest_framework.permissions import BasePermission

from crmapi import messages
from crmapi.errors import ApiError
from crmapi.headers import header_value

HEADER = "X-Channel-Key"
_CHANNEL = "social_channel"  # the request's attribute naming its channel


def request_channel(request) -> str:
    """The channel whose key the request carries ("" when no keys are configured); a missing or
    unknown key is 401. Every configured key is compared, each in constant time, so the answer's
    timing says nothing about which key came close."""
    keys = settings.CRM_SOCIAL_CHANNEL_KEYS
    if not keys:
        return ""
    sent = header_value(request, HEADER).encode("utf-8", "surrogateescape")
    matched = ""
    for name, key in keys.items():
        if hmac.compare_digest(sent, key.encode()):
            matched = name
    if not matched:
        raise ApiError(401, messages.CHANNEL_KEY_INVALID)
    return matched


class ChannelKey(BasePermission):
    """E3's caller check, after the headers' (CONTRACT §3 order, then the key) and before the
    throttle: a refused request is not counted."""

    def has_permission(self, request, view) -> bool:
        setattr(request, _CHANNEL, request_channel(request))
        return True


def channel_of(request) -> str:
    """The channel `ChannelKey` found for the request ("" without channel keys)."""
    return getattr(request, _CHANNEL, "")


@checks.register(checks.Tags.security, deploy=True)
def channel_keys_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.IS_DEVELOPMENT or settings.CRM_SOCIAL_CHANNEL_KEYS:
        return []
    return [
        checks.Warning(
            "CRM_SOCIAL_CHANNEL_KEYS is not set: anyone who can reach E3 can create tickets in any "
            "contact's list and use any Idempotency-Key.",
            hint="Set CRM_SOCIAL_CHANNEL_KEYS=name:key,... and give each channel its key "
            "(docs/api.md, E3), or make sure only trusted networks reach /crm/v1/social/.",
            id="crmapi.W001",
        )
    ]
