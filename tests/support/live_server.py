"""A live gunicorn for tests that need a real HTTP server and process: the project's
gunicorn.conf.py and production settings over plain HTTP, in a subprocess, on a free port."""

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from crmapi import messages
from tests.support.attachments import attachment_form
from tests.support.client import contract_headers
from tests.support.endpoints import E6, E7, E8, E9, E10, E11, E12, valid_body
from tests.support.endpoints import ENDPOINTS as ENDPOINTS_BY_NAME
from tests.support.processes import ROOT
from tests.support.store import free_port

ENDPOINTS = list(ENDPOINTS_BY_NAME.values())


def postgres_address() -> tuple[str, int]:
    """(host, port) of the test database's PostgreSQL server."""
    database = connection.settings_dict
    return database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)


def postgres_url(*, host: str | None = None, port: int | None = None, name: str | None = None) -> str:
    """The test database's PostgreSQL URL, optionally through another host and port (a proxy) or
    naming another database on the same server."""
    database = connection.settings_dict
    user = quote(database["USER"] or "postgres")
    password = ":" + quote(database["PASSWORD"]) if database["PASSWORD"] else ""
    default_host, default_port = postgres_address()
    host = host or default_host
    port = port or default_port
    return f"postgres://{user}{password}@{host}:{port}/{name or database['NAME']}"


class LiveServer:
    """gunicorn at `database_url`, output to the file `log`; tokens are signed with the test's
    secret, throttling is off (tests send many requests), one threaded worker."""

    def __init__(self, database_url: str, log, *, threads: int = len(ENDPOINTS) + 1):
        self.port = free_port()
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
            "GUNICORN_THREADS": str(threads),
            "CRM_THROTTLE_CONTACT_RATE": "",
            "CRM_THROTTLE_ADDRESS_RATE": "",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        self.log = log
        self.attachment_id = "21x1"  # until E8 has stored one
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
        """(status, the JSON answer, or {} for a file's bytes)."""
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                is_json = response.headers.get_content_type() == "application/json"
                return response.status, json.loads(body) if is_json else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def call(self, endpoint, ticket_no: str) -> tuple[int, dict, float]:
        """`endpoint` with valid headers and input; (status, body, seconds taken). E8 uploads a
        PNG to `ticket_no`; E10 downloads the last attachment E8 stored (E10's bytes read as
        `{}`)."""
        headers = contract_headers(endpoint)
        body = valid_body(endpoint, ticket_no)
        query = ""
        if endpoint in (E6, E7, E9):
            query = "?" + urlencode({"ticketNo": ticket_no})
        elif endpoint is E10:
            query = "?" + urlencode({"id": self.attachment_id})
        data = None
        if endpoint is E8:
            data = encode_multipart(BOUNDARY, attachment_form(ticket_no))
            headers["Content-Type"] = MULTIPART_CONTENT
        elif body is not None:
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
        if endpoint is E8 and status == 200:
            self.attachment_id = payload["response"]["result"]["id"]
        return status, payload, time.monotonic() - started

    def call_all(self, ticket_no: str) -> dict:
        """Every endpoint, from threads: {endpoint path and method: (status, body, seconds)}.

        The others at once; then E8 uploading and E10 downloading what it stored, E11 closing the
        ticket and E12 rating it, in that order, since a rating needs a closed ticket and E4's
        comment or E8's upload, run at the same time, would reopen it."""
        in_order = [E8, E10, E11, E12]
        at_once = [endpoint for endpoint in ENDPOINTS if endpoint not in in_order]
        with ThreadPoolExecutor(len(at_once)) as pool:
            results = dict(
                zip(at_once, pool.map(lambda endpoint: self.call(endpoint, ticket_no), at_once), strict=True)
            )
        results.update({endpoint: self.call(endpoint, ticket_no) for endpoint in in_order})
        return {f"{e.method.upper()} {e.path}": results[e] for e in ENDPOINTS}


@contextlib.contextmanager
def running_server(database_url: str, **kwargs):
    """A LiveServer logging to a temporary file; stopped even when the block fails."""
    with tempfile.TemporaryFile() as log:
        server = LiveServer(database_url, log, **kwargs)
        try:
            yield server
        finally:
            server.stop()


def assert_downstream_error(payload: dict) -> None:
    """CONTRACT §8: the store could not be reached."""
    assert payload["response"]["result"]["arguments"] == {
        "statusCode": "500",
        "errorCode": messages.DOWNSTREAM_ERROR_CODE,
        "errorMessage": messages.DOWNSTREAM_MESSAGE,
    }
