"""`manage.py runserver` (what `make run` and `make api-check` serve with) answers a body's content
type as gunicorn does: a body sent without a `Content-Type` is the 415 naming the header, not the
`text/plain` that wsgiref would put in its place. A chunked body is read as gunicorn reads it."""

import http.client
import json
import subprocess
import sys
import time

import pytest

from crmapi import messages
from crmapi.management.commands.runserver import Command
from tests.support.chunked import post_chunked
from tests.support.client import contract_headers
from tests.support.endpoints import E3, TICKET_BODY
from tests.support.processes import ROOT, django_env
from tests.support.store import free_port


@pytest.fixture(scope="module")
def runserver(tmp_path_factory):
    """`manage.py runserver` on a free port; E3's 415 is answered before the store is read."""
    port = free_port()
    database = tmp_path_factory.mktemp("runserver") / "db.sqlite3"
    env = django_env(
        DATABASE_URL=f"sqlite:///{database}", CRM_THROTTLE_CONTACT_RATE="", CRM_THROTTLE_ADDRESS_RATE=""
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def post_e3(port: int, headers: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", E3.path, body=b"{}", headers={**contract_headers(E3), **headers})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_the_projects_runserver_is_the_one_django_runs():
    from django.core.management import get_commands

    assert get_commands()["runserver"] == "crmapi"
    assert Command.server_cls.__module__ == "crmapi.management.commands.runserver"


def test_body_without_content_type_is_415_naming_the_header(runserver):
    status, body = post_e3(runserver, {})
    assert status == 415
    assert body["response"]["result"]["arguments"]["errorMessage"] == messages.BODY_CONTENT_TYPE_MISSING


def test_body_sent_as_text_plain_is_415_naming_it(runserver):
    status, body = post_e3(runserver, {"Content-Type": "text/plain"})
    assert status == 415
    expected = messages.BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type="text/plain")
    assert body["response"]["result"]["arguments"]["errorMessage"] == expected


def error_message(answer: tuple[int, str | None, bytes]) -> tuple[int, str]:
    status, _, body = answer
    return status, json.loads(body)["response"]["result"]["arguments"]["errorMessage"]


def test_chunked_body_over_1_mib_is_413(runserver):
    body = json.dumps({"description": "x" * 2 * 1024 * 1024}).encode()
    assert error_message(post_chunked(runserver, body)) == (413, messages.BODY_TOO_LARGE)


def test_chunked_body_is_read_like_any_other(runserver):
    body = {name: value for name, value in TICKET_BODY.items() if name != "ticket_title"}
    answer = post_chunked(runserver, json.dumps(body).encode())
    assert error_message(answer) == (400, messages.FIELD_REQUIRED.format(name="tickettitle"))
