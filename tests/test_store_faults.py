"""The store fails under a running production server, and the server copes (issue 5, CONTRACT §8).

A real gunicorn (gunicorn.conf.py, threaded worker, persistent health-checked connections)
talks to the real PostgreSQL through a TCP proxy the test cuts and restores (tests/tcp_proxy.py);
the shared PostgreSQL server itself is never stopped. While the store is cut, every endpoint
answers the `Downstream error` envelope within 5 s, also when a connect hangs instead of being
refused (the DB_CONNECT_TIMEOUT at work), and /readyz says not ready. Once it is back, the same
server process serves again, and what was stored before the cut is all there.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import CONTACT, E1, E2, E3, E4, E5, E6, E7, TICKET_BODY, contract_headers
from tests.tcp_proxy import BLACKHOLE, REFUSE, CuttableProxy
from tickets import exceptions as errors

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = [E1, E2, E3, E4, E5, E6, E7]
CUTS = [REFUSE, BLACKHOLE]


class LiveServer:
    """gunicorn in a subprocess with gunicorn.conf.py and production settings, over plain HTTP,
    signing tokens with the test's secret."""

    def __init__(self, database_url: str, log):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CRM_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "CRM_JWT_SECRET": settings.CRM_JWT_SECRET,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": str(len(ENDPOINTS) + 1),
            "CRM_THROTTLE_CONTACT_RATE": "",
            "CRM_THROTTLE_ANON_RATE": "",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        try:
            self._wait_until_up()
        except AssertionError:
            self.stop()  # never leave a server behind
            raise

    def output(self) -> str:
        """The server's log so far, to explain a failed start."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited at start-up:\n{self.output()}"
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer /healthz within 60 s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def get(self, path: str) -> tuple[int, dict]:
        return self.request(urllib.request.Request(self.url + path))

    @staticmethod
    def request(request: urllib.request.Request) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def call(self, endpoint, ticket_no: str) -> tuple[int, dict, float]:
        """`endpoint` with valid headers and input; (status, body, seconds taken)."""
        headers = contract_headers(endpoint)
        query, body = "", None
        if endpoint in (E6, E7):
            query = "?" + urlencode({"ticketNo": ticket_no})
        if endpoint in (E3, E5):
            body = TICKET_BODY
        if endpoint is E4:
            body = {"ticketNo": ticket_no, "comment": "Still waiting.", "contactId": str(CONTACT)}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.url + quote(endpoint.path) + query,
            data=data,
            headers=headers,
            method=endpoint.method.upper(),
        )
        started = time.monotonic()
        status, payload = self.request(request)
        return status, payload, time.monotonic() - started

    def call_all(self, ticket_no: str) -> dict:
        """Every endpoint at once, from threads: {endpoint path and method: (status, body, seconds)}."""
        with ThreadPoolExecutor(len(ENDPOINTS)) as pool:
            results = pool.map(lambda endpoint: self.call(endpoint, ticket_no), ENDPOINTS)
        return {f"{e.method.upper()} {e.path}": result for e, result in zip(ENDPOINTS, results, strict=True)}


@pytest.fixture(scope="module")
def proxy(django_db_setup):
    proxy = CuttableProxy(
        (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    )
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def server(proxy):
    database = connection.settings_dict  # the test database, after django_db_setup
    credentials = quote(database["USER"] or "postgres") + (
        ":" + quote(database["PASSWORD"]) if database["PASSWORD"] else ""
    )
    with tempfile.TemporaryFile() as log:
        server = LiveServer(f"postgres://{credentials}@127.0.0.1:{proxy.port}/{database['NAME']}", log)
        yield server
        server.stop()


@pytest.fixture
def ticket_no(server, proxy) -> str:
    """A ticket stored through the live server while the store is reachable."""
    proxy.restore()
    status, payload, _ = server.call(E5, "")
    assert status == 200, payload
    yield payload["response"]["result"]["ticket_no"]
    proxy.restore()


def assert_downstream_error(payload: dict) -> None:
    assert payload["response"]["result"]["arguments"] == {
        "statusCode": "500",
        "errorCode": errors.DOWNSTREAM_ERROR_CODE,
        "errorMessage": errors.DOWNSTREAM_MESSAGE,
    }


@pytest.mark.parametrize("cut", CUTS)
def test_every_endpoint_answers_downstream_error_within_5_seconds_while_the_store_is_cut(
    server, proxy, ticket_no, cut
):
    proxy.cut(cut)
    for name, (status, payload, seconds) in server.call_all(ticket_no).items():
        assert status == 500, name
        assert_downstream_error(payload)
        assert seconds < 5, f"{name} took {seconds:.1f} s"


@pytest.mark.parametrize("cut", CUTS)
def test_readyz_is_503_within_5_seconds_while_the_store_is_cut(server, proxy, ticket_no, cut):
    proxy.cut(cut)
    started = time.monotonic()
    assert server.get("/readyz") == (503, {"status": "unavailable", "database": "unreachable"})
    assert time.monotonic() - started < 5


def test_healthz_stays_200_while_the_store_is_cut(server, proxy, ticket_no):
    """Liveness: an orchestrator must not restart processes that will recover by themselves."""
    proxy.cut(BLACKHOLE)
    assert server.get("/healthz") == (200, {"status": "ok"})


@pytest.mark.parametrize("cut", CUTS)
def test_same_server_process_serves_every_endpoint_again_once_the_store_is_back(
    server, proxy, ticket_no, cut
):
    proxy.cut(cut)
    assert server.call(E1, ticket_no)[0] == 500
    proxy.restore()
    results = server.call_all(ticket_no)
    assert {name: status for name, (status, _, _) in results.items()} == {name: 200 for name in results}
    assert server.get("/readyz")[0] == 200
    assert server.process.poll() is None, "the server was never restarted"


def test_ticket_stored_before_the_cut_is_intact_after_it(server, proxy, ticket_no):
    proxy.cut(REFUSE)
    server.call(E5, ticket_no)
    proxy.restore()
    status, payload, _ = server.call(E7, ticket_no)
    assert status == 200
    assert payload["response"]["result"]["ticket_no"] == ticket_no
    listed = server.call(E1, ticket_no)[1]["response"]["result"]
    assert [item["ticket_no"] for item in listed] == [ticket_no], "the failed create stored nothing"
