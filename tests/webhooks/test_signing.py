"""Standard Webhooks v1 signatures (CONTRACT §12), held to the `standardwebhooks` package that
receivers verify with."""

import datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.models import WebhookEndpoint, new_secret
from webhooks.signing import sign, signature_headers

BODY = '{"type":"webhook.test","timestamp":"2026-12-02T14:05:09.120Z","data":{"note":"ça va — ✓"}}'
WEBHOOK_ID = "msg_0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def rotated(*, expires_in: datetime.timedelta) -> WebhookEndpoint:
    return WebhookEndpoint(
        secret=new_secret(), previous_secret=new_secret(), previous_secret_expires_at=now() + expires_in
    )


@pytest.mark.parametrize("timestamp", [0, 1_796_220_309, 4_102_444_800])
def test_signature_is_byte_equal_to_the_standardwebhooks_package(timestamp):
    secret = new_secret()
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    assert sign(secret, WEBHOOK_ID, timestamp, BODY) == Webhook(secret).sign(WEBHOOK_ID, moment, BODY)


def test_headers_verify_with_the_standardwebhooks_package():
    endpoint = WebhookEndpoint(secret=new_secret())
    headers = signature_headers(endpoint, WEBHOOK_ID, BODY, now())
    assert list(headers) == ["webhook-id", "webhook-timestamp", "webhook-signature"]
    assert headers["webhook-id"] == WEBHOOK_ID
    assert Webhook(endpoint.secret).verify(BODY.encode(), headers) == {
        "type": "webhook.test",
        "timestamp": "2026-12-02T14:05:09.120Z",
        "data": {"note": "ça va — ✓"},
    }


def test_timestamp_is_the_unix_seconds_of_the_attempt():
    moment = datetime.datetime(2026, 12, 2, 14, 5, 9, 999_000, tzinfo=datetime.UTC)
    headers = signature_headers(WebhookEndpoint(secret=new_secret()), WEBHOOK_ID, BODY, moment)
    assert headers["webhook-timestamp"] == str(int(moment.timestamp())) == "1796220309"


def test_a_changed_body_does_not_verify():
    endpoint = WebhookEndpoint(secret=new_secret())
    headers = signature_headers(endpoint, WEBHOOK_ID, BODY, now())
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(BODY.replace("✓", "x").encode(), headers)


def test_after_rotation_both_secrets_sign_the_new_one_first():
    endpoint = rotated(expires_in=datetime.timedelta(hours=23))
    headers = signature_headers(endpoint, WEBHOOK_ID, BODY, now())
    first, second = headers["webhook-signature"].split(" ")
    timestamp = int(headers["webhook-timestamp"])
    assert first == sign(endpoint.secret, WEBHOOK_ID, timestamp, BODY)
    assert second == sign(endpoint.previous_secret, WEBHOOK_ID, timestamp, BODY)
    for secret in (endpoint.secret, endpoint.previous_secret):
        Webhook(secret).verify(BODY.encode(), headers)


def test_previous_secret_stops_signing_when_its_overlap_ends():
    endpoint = rotated(expires_in=datetime.timedelta(seconds=-1))
    headers = signature_headers(endpoint, WEBHOOK_ID, BODY, now())
    assert " " not in headers["webhook-signature"]
    Webhook(endpoint.secret).verify(BODY.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.previous_secret).verify(BODY.encode(), headers)
