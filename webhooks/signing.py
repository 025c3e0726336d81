"""Standard Webhooks v1 signatures (CONTRACT §12): what lets a receiver check that a request came
from us, unchanged and recently. Byte-equal to the `standardwebhooks` package's `Webhook.sign`
(tests/webhooks/test_signing.py), which receivers use to verify."""

import base64
import datetime
import hashlib
import hmac

from webhooks.models import SECRET_PREFIX, WebhookEndpoint


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """`v1,` + base64(HMAC-SHA256(key, "<webhook-id>.<timestamp>.<body>")), where the secret
    is `whsec_` + base64(key)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    message = f"{webhook_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    """The endpoint's secret, then, for the overlap after a rotation, the previous one."""
    secrets = [endpoint.secret]
    expires_at = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires_at is not None and expires_at > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def signature_headers(
    endpoint: WebhookEndpoint, webhook_id: str, body: str, now: datetime.datetime
) -> dict[str, str]:
    """The three headers of one attempt made at `now`: every signature space-separated, the
    newest secret's first."""
    timestamp = int(now.timestamp())
    signatures = [sign(secret, webhook_id, timestamp, body) for secret in signing_secrets(endpoint, now)]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
