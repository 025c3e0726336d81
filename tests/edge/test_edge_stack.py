"""The edge as `make serve-edge` runs it (scripts/serve_edge.sh): nginx in front of two gunicorn
instances and a worker, production settings, Redis, on loopback. What the proxy must hold: slow
clients never reach a worker, malformed HTTP gets the contract's envelope instead of a page of
gunicorn's, the client's own X-Forwarded-* headers are overwritten, TLS is terminated, and an app
instance killed under load costs no keyed create (docs/deploying.md, docs/abuse-protection.md).
"""

import http.client
import json
import random
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from crmapi import messages
from crmapi.edge_errors import error_page
from crmapi.edge_limits import HEADER_BUFFER_KIB, HEADERS_MAX_KIB
from tests.support.attachments import NamedBytes
from tests.support.client import contract_headers
from tests.support.edge import EdgeStack, read_response, require_nginx
from tests.support.endpoints import E1, E2, E3, E5, E8, TICKET_BODY

ADDRESS_RATE = 5  # E3 creates per minute and client address, in this stack
KIB = 1024


@pytest.fixture(scope="module")
def edge(tmp_path_factory, django_db_blocker):
    require_nginx()
    stack = EdgeStack(
        tmp_path_factory.mktemp("edge"),
        CRM_THROTTLE_ADDRESS_RATE=f"{ADDRESS_RATE}/min",
        CRM_THROTTLE_CONTACT_RATE="",
        # A claim left by a killed worker is taken over after timeout + graceful timeout + margin.
        GUNICORN_TIMEOUT="5",
    )
    yield stack
    stack.stop()


def request(edge, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


def raw(edge, data: bytes) -> tuple[int, dict[str, str], bytes]:
    with edge.connect() as sock:
        sock.sendall(data)
        return read_response(sock)


def assert_envelope(answer, status: int) -> dict:
    got, headers, body = answer
    assert got == status, body[:300]
    assert headers["content-type"] == "application/json", body[:300]
    arguments = json.loads(body)["response"]["result"]["arguments"]
    assert arguments["statusCode"] == str(status)
    return arguments


def issue_types(edge):
    return request(edge, "GET", E2.path, headers=contract_headers(E2))


# --- Slow clients -------------------------------------------------------------------------------


def test_40_slow_header_connections_do_not_stop_ordinary_requests(edge):
    slow = [edge.connect() for _ in range(40)]
    try:
        for sock in slow:
            sock.sendall(b"GET /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        answers = [issue_types(edge)[0] for _ in range(20)]
        assert answers == [200] * 20
        assert time.monotonic() - started < 10
    finally:
        for sock in slow:
            sock.close()


# --- Malformed HTTP: nginx's own envelope -----------------------------------------------------

GET = b"GET /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n"
POST = b"POST /crm/v1/ticket HTTP/1.1\r\nHost: 127.0.0.1\r\n"

REFUSED_BY_NGINX = {
    "bare CR in a header": (GET + b"X-A: a\rb\r\n\r\n", 400),
    "NUL in a header": (GET + b"X-A: a\x00b\r\n\r\n", 400),
    "obs-fold": (GET + b"X-A: a\r\n b\r\n\r\n", 400),
    "duplicate Content-Length": (POST + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
    "Content-Length with Transfer-Encoding": (
        POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "unknown Transfer-Encoding": (POST + b"Transfer-Encoding: gzip\r\n\r\n", 501),
    "non-ASCII in the path": (b"GET /crm/v1/ticket/\xc3\xa9 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "non-ASCII in the query": (
        b"GET /crm/v1/ticket/details?ticketNo=\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        400,
    ),
    "lower-case method": (b"get /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "method with a digit": (b"G3T /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "method of 30 letters": (b"A" * 30 + b" /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "TRACE": (b"TRACE /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 405),
    "CONNECT": (b"CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "request line over the limit": (
        b"GET /crm/v1/ticket/details?x=" + b"a" * (HEADER_BUFFER_KIB * KIB) + b" HTTP/1.1\r\n\r\n",
        414,
    ),
    "header line over the limit": (GET + b"X-A: " + b"a" * (HEADER_BUFFER_KIB * KIB) + b"\r\n\r\n", 431),
    "headers over the limit in all": (
        GET + b"".join(b"X-%d: %s\r\n" % (n, b"a" * 4000) for n in range(HEADERS_MAX_KIB // 4 + 1)) + b"\r\n",
        431,
    ),
    "HTTP/2.0 request line": (b"GET /crm/v1/ticket/issues HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505),
    "not HTTP at all": (b"\x16\x03\x01\x00\x05hello\r\n\r\n", 400),
}


@pytest.mark.parametrize("case", REFUSED_BY_NGINX)
def test_malformed_request_gets_nginxs_envelope(edge, case):
    data, status = REFUSED_BY_NGINX[case]
    answer = raw(edge, data)
    assert_envelope(answer, status)
    assert answer[2] == error_page(status)


# What nginx passes on must reach the app, never one of gunicorn's own pages.
PASSED_TO_THE_APP = {
    "bare LF in a header (nginx reads it as a line end)": (GET + b"X-A: a\nb\r\n\r\n", 400),
    "request line of 5 KiB": (
        b"GET /crm/v1/ticket/details?x=" + b"a" * (5 * KIB) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        400,
    ),
    "300 headers": (GET + b"".join(b"X-%d: a\r\n" % n for n in range(300)) + b"\r\n", 400),
    "header of 7 KiB": (GET + b"X-A: " + b"a" * (7 * KIB) + b"\r\n\r\n", 400),
    "unknown upper-case method": (b"FOO /crm/v1/ticket/issues HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 405),
}


@pytest.mark.parametrize("case", PASSED_TO_THE_APP)
def test_request_within_nginxs_limits_gets_the_apps_envelope(edge, case):
    data, status = PASSED_TO_THE_APP[case]
    answer = raw(edge, data)
    assert_envelope(answer, status)
    assert answer[2] != error_page(status)


def test_body_over_1_mib_gets_the_413_envelope_from_nginx(edge):
    body = json.dumps({"description": "x" * (1024 * KIB)}).encode()
    headers = {**contract_headers(E3), "Content-Type": "application/json"}
    arguments = assert_envelope(request(edge, "POST", E3.path, headers=headers, body=body), 413)
    assert arguments["errorMessage"] == messages.BODY_TOO_LARGE


def test_an_upload_over_1_mib_reaches_e8_through_its_own_body_limit(edge):
    """E8's limit is its own (CONTRACT §13), not the 1 MiB of the JSON bodies."""
    contact = 640_000 + random.randrange(10_000)
    assert keyed_create(edge, contact, secrets.token_hex(8))[-1] == 200
    _, _, listed = request(edge, "GET", E1.path, headers=contract_headers(E1, contact=contact))
    ticket_no = json.loads(listed)["response"]["result"][0]["ticket_no"]
    form = {
        "ticketNo": ticket_no,
        "contactId": str(contact),
        "file": NamedBytes("log.txt", b"line\n" * 600_000),
    }
    headers = {**contract_headers(E8, contact=contact), "Content-Type": MULTIPART_CONTENT}
    status, _, body = request(edge, "POST", E8.path, headers=headers, body=encode_multipart(BOUNDARY, form))
    assert status == 200, body[:300]
    assert json.loads(body)["response"]["result"]["size"] == str(len(b"line\n" * 600_000))


def test_chunked_body_reaches_the_app_whole(edge):
    """nginx reads a chunked body first and passes it on with its Content-Length."""
    connection = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=30)
    headers = {**contract_headers(E5), "Content-Type": "application/json"}
    body = json.dumps({**TICKET_BODY, "ticket_title": "chunked"}).encode()
    connection.request(
        "POST", E5.path, body=iter([body[:10], body[10:]]), headers=headers, encode_chunked=True
    )
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["response"]["success"]) == (200, "true")


# --- Headers nginx sets itself ---------------------------------------------------------------


def test_spoofed_x_forwarded_for_does_not_get_around_the_address_throttle(edge):
    headers = {**contract_headers(E3), "Content-Type": "application/json"}
    body = json.dumps(TICKET_BODY).encode()
    statuses = [
        request(edge, "POST", E3.path, headers={**headers, "X-Forwarded-For": f"198.51.100.{n}"}, body=body)[
            0
        ]
        for n in range(ADDRESS_RATE + 3)
    ]
    assert statuses.count(429) >= 3, statuses


def test_the_clients_x_forwarded_proto_is_overwritten(edge):
    """HSTS is sent only on a request the app sees as HTTPS."""
    _, headers, _ = request(edge, "GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in headers


def test_tls_is_terminated_with_the_runs_certificate(edge):
    connection = http.client.HTTPSConnection(
        "127.0.0.1", edge.tls_port, timeout=30, context=edge.tls_context()
    )
    try:
        connection.request("GET", E2.path, headers=contract_headers(E2))
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Strict-Transport-Security")
    finally:
        connection.close()


def test_plain_http_on_the_tls_port_gets_the_400_envelope(edge):
    with socket.create_connection(("127.0.0.1", edge.tls_port), timeout=10) as sock:
        sock.sendall(GET + b"\r\n")
        answer = read_response(sock)
    assert_envelope(answer, 400)


# --- An app instance killed under load --------------------------------------------------------

CREATES = 60
RETRY_FOR_SECONDS = 45  # beyond the takeover of a killed worker's claim: 5 + 5 + 10 s


def keyed_create(edge, contact: int, marker: str) -> list[int]:
    """E5 with `marker` as its Idempotency-Key and description (E1 lists descriptions), retried
    with the same key until it answers 200: the statuses it got."""
    headers = {
        **contract_headers(E5, contact=contact),
        "Content-Type": "application/json",
        "Idempotency-Key": marker,
    }
    body = json.dumps({**TICKET_BODY, "description": marker}).encode()
    statuses: list[int] = []
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while time.monotonic() < deadline:
        try:
            status = request(edge, "POST", E5.path, headers=headers, body=body)[0]
        except OSError:
            status = 0
        statuses.append(status)
        if status == 200:
            break
        time.sleep(0.2)
    return statuses


def descriptions_of(edge, contact: int) -> list[str]:
    status, _, body = request(
        edge, "GET", E1.path + "?limit=500", headers=contract_headers(E1, contact=contact)
    )
    assert status == 200, body[:300]
    return [ticket["description"] for ticket in json.loads(body)["response"]["result"]]


def test_a_killed_app_instance_loses_no_keyed_create_and_the_other_keeps_serving(edge):
    contact = random.randint(10**8, 10**9 - 1)
    markers = [f"edge-{secrets.token_hex(4)}-{n}" for n in range(CREATES)]
    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(keyed_create, edge, contact, marker) for marker in markers]
        while sum(future.done() for future in futures) < CREATES // 4:
            time.sleep(0.05)
        edge.kill_app(1)
        after_kill = [issue_types(edge)[0] for _ in range(5)]
        outcomes = [future.result() for future in futures]
    assert after_kill == [200] * 5
    assert [statuses[-1] for statuses in outcomes] == [200] * CREATES
    stored = descriptions_of(edge, contact)
    assert sorted(stored) == sorted(markers)  # each create once: none lost, none twice
