"""Hostile inputs against a real HTTP server: gunicorn with the project's gunicorn.conf.py, as
deployed, over a real socket. What Django's test client cannot show: that the HTTP server lets
each input reach the app, which answers with its envelope, instead of answering with a page of
its own. Every request is refused before the store, so the server's database is never opened.
"""

import http.client
import json

import pytest

from crmapi import messages
from tests.support.chunked import post_chunked
from tests.support.client import assert_raw_error, contract_headers
from tests.support.endpoints import E3, E5, TICKET_BODY
from tests.support.live_server import running_server

MIB = 1024 * 1024
BODY_WITHOUT_TITLE = {name: value for name, value in TICKET_BODY.items() if name != "ticket_title"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("hostile") / "never-opened.sqlite3"
    with running_server(f"sqlite:///{database}") as server:
        yield server


def send(server, endpoint=E3, *, headers: dict | None = None, body: bytes = b"{}"):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        sent = {**contract_headers(endpoint), "Content-Type": "application/json", **(headers or {})}
        connection.request("POST", endpoint.path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_100_kb_header_value_reaches_the_app_and_gets_the_400_envelope(server):
    answer = send(server, headers={"correlationId": "x" * 100_000})
    assert_raw_error(answer, 400, messages.HEADER_CORRELATION_ID_INVALID)


def test_100_kb_token_gets_the_401_envelope(server):
    answer = send(server, E5, headers={"token": "x" * 100_000})
    assert_raw_error(answer, 401, messages.TOKEN_PERIODS.format(count=0))


def test_body_over_1_mib_gets_the_413_envelope(server):
    body = json.dumps({"description": "x" * MIB}).encode()
    assert_raw_error(send(server, body=body), 413, messages.BODY_TOO_LARGE)


def test_invalid_utf8_gets_the_400_envelope(server):
    assert_raw_error(send(server, body=b'{"description": "\xff\xfe"}'), 400, messages.BODY_MALFORMED)


def test_json_nested_100k_levels_deep_gets_the_400_envelope(server):
    body = b"[" * 100_000 + b"]" * 100_000
    assert_raw_error(send(server, body=body), 400, messages.BODY_MALFORMED)


def test_header_beyond_gunicorns_128_kib_limit_is_refused_by_gunicorn_and_it_keeps_serving(server):
    """The one input the app never sees (docs/abuse-protection.md)."""
    status, _, _ = send(server, headers={"X-Padding": "x" * (129 * 1024)})
    assert status == 431
    assert_raw_error(send(server, headers={"destination": "ERP"}), 400, messages.HEADER_DESTINATION_INVALID)


# --- Chunked bodies: read like any other, within the same limits (CONTRACT §8) -----------------


def test_chunked_body_over_1_mib_gets_the_413_envelope(server):
    body = json.dumps({"description": "x" * 2 * MIB}).encode()
    assert_raw_error(post_chunked(server.port, body), 413, messages.BODY_TOO_LARGE)


def test_chunked_body_is_read_like_any_other(server):
    """Its fields are checked (the first missing one named), so it was read, not taken as empty."""
    answer = post_chunked(server.port, json.dumps(BODY_WITHOUT_TITLE).encode())
    assert_raw_error(answer, 400, messages.FIELD_REQUIRED.format(name="tickettitle"))
