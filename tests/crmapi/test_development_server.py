"""`manage.py runserver` (what `make run` and `make api-check` serve with) answers a body's content
type as gunicorn does: a body sent without a `Content-Type` is the 415 naming the header, not the
`text/plain` that wsgiref would put in its place."""

import http.client
import json
import subprocess
import sys
import time

import pytest

from crmapi import messages
from crmapi.management.commands.runserver import Command
from tests.support.client import contract_headers
from tests.support.endpoints import E3
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
