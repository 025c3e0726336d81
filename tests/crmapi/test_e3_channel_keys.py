"""E3's callers (crmapi/channels.py): with CRM_SOCIAL_CHANNEL_KEYS set, E3 needs a channel's key
in `X-Channel-Key` (else the 401 envelope, nothing created) and each channel has its own
Idempotency-Keys; unset, the contract's tokenless E3 stands."""

import pytest

from crmapi import messages
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import E3, TICKET_BODY
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

WHATSAPP_KEY = "6f1c0d9e8b7a6f5e4d3c2b1a"
APP_KEY = "0a1b2c3d4e5f60718293a4b5"
IDEMPOTENCY_KEY = "order-1001"


@pytest.fixture
def channel_keys(settings):
    settings.CRM_SOCIAL_CHANNEL_KEYS = {"whatsapp": WHATSAPP_KEY, "app": APP_KEY}


def create(api, channel_key: str | None, **headers):
    sent = {**headers, **({} if channel_key is None else {"X-Channel-Key": channel_key})}
    return api.call(E3, body=TICKET_BODY, headers=sent)


def test_without_channel_keys_e3_needs_no_key(api):
    assert create(api, None).status_code == 200


@pytest.mark.usefixtures("channel_keys")
@pytest.mark.parametrize("key", [WHATSAPP_KEY, APP_KEY])
def test_a_configured_channels_key_creates_the_ticket(api, key):
    assert envelope_result(create(api, key))["ticket_no"].startswith("TT")


@pytest.mark.usefixtures("channel_keys")
@pytest.mark.parametrize("key", [None, "", WHATSAPP_KEY[:-1], WHATSAPP_KEY + "0", "wrong"])
def test_a_missing_or_unknown_channel_key_is_401_and_creates_nothing(api, key):
    assert_error(create(api, key), 401, messages.CHANNEL_KEY_INVALID, "401 UNAUTHORIZED")
    assert Ticket.objects.count() == 0


@pytest.mark.usefixtures("channel_keys")
def test_the_headers_are_checked_before_the_channel_key(api):
    response = api.call(E3, body=TICKET_BODY, headers={"operation": None, "X-Channel-Key": "wrong"})
    assert response.status_code == 400


@pytest.mark.usefixtures("channel_keys")
def test_idempotency_keys_belong_to_their_channel(api):
    first = create(api, WHATSAPP_KEY, **{"Idempotency-Key": IDEMPOTENCY_KEY})
    other_channel = create(api, APP_KEY, **{"Idempotency-Key": IDEMPOTENCY_KEY})
    replayed = create(api, WHATSAPP_KEY, **{"Idempotency-Key": IDEMPOTENCY_KEY})
    assert "Idempotent-Replayed" not in other_channel
    assert envelope_result(other_channel)["ticket_no"] != envelope_result(first)["ticket_no"]
    assert replayed["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 2
