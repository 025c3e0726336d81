"""Requests as a client team sends them, and the envelope they come back in."""

import json

from tests.support.endpoints import CONTACT, Endpoint
from tests.support.tokens import token_for


def contract_headers(
    endpoint: Endpoint, *, contact: int = CONTACT, token: str | None = None
) -> dict[str, str]:
    """Every mandatory header of `endpoint`, valid, as the document's examples send them.
    A token is minted only when none is given (an RS256 test signs its own)."""
    headers = {
        "correlationId": "123e4567-e89b-12d3-a456-426614174000",
        "source": "Selfcare",
        "srDate": "11-09-2021",
        "operation": endpoint.operation,
        "destination": "CRM",
    }
    if endpoint.token_required:
        headers = {"token": token or token_for(contact), **headers}
    return headers


class CrmClient:
    """Django's test client with the contract's headers; `headers` overrides them, a value of
    None removes one. `body` is sent as JSON unless `raw` (bytes/str) is given; `environ` adds
    WSGI variables (e.g. REMOTE_ADDR)."""

    def __init__(self, client):
        self.client = client

    def call(
        self,
        endpoint: Endpoint,
        *,
        body=None,
        raw=None,
        query: dict | None = None,
        headers: dict | None = None,
        contact: int = CONTACT,
        content_type: str = "application/json",
        method: str | None = None,
        environ: dict | None = None,
    ):
        sent = contract_headers(endpoint, contact=contact, token=(headers or {}).get("token"))
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        kwargs = {"headers": sent, **(environ or {})}
        if query:
            kwargs["query_params"] = query
        method = method or endpoint.method
        if method in ("post", "put", "patch") or raw is not None or body is not None:
            data = raw if raw is not None else json.dumps(body if body is not None else {})
            kwargs["data"] = data
            kwargs["content_type"] = content_type
        return getattr(self.client, method)(endpoint.path, **kwargs)


def envelope_result(response):
    """The `result` of a success envelope, asserting the envelope's shape on the way."""
    payload = response.json()
    assert list(payload) == ["response"]
    assert payload["response"]["success"] == "true", payload
    return payload["response"]["result"]


def envelope_error(response) -> dict:
    """The `arguments` of an error envelope; asserts statusCode equals the HTTP status."""
    payload = response.json()
    assert payload["response"]["success"] == "false", payload
    arguments = payload["response"]["result"]["arguments"]
    assert arguments["statusCode"] == str(response.status_code)
    return arguments


def assert_error(response, status: int, message: str, error_code: str | None = None) -> None:
    """An error envelope of `status` saying `message` (and, when given, carrying `error_code`)."""
    assert response.status_code == status
    error = envelope_error(response)
    assert error["errorMessage"] == message
    if error_code is not None:
        assert error["errorCode"] == error_code


def assert_raw_error(answer: tuple[int, str | None, bytes], status: int, message: str) -> None:
    """`assert_error` for an answer read off a socket: (status, Content-Type, body)."""
    got_status, content_type, body = answer
    assert (got_status, content_type) == (status, "application/json"), body[:300]
    assert json.loads(body)["response"]["result"]["arguments"]["errorMessage"] == message
