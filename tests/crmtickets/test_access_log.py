"""One JSON log line per request (crmtickets/access_log.py, crmtickets/jsonlog.py), and errors logged
with their traceback and correlationId."""

import json
import logging

import pytest
from django.test import override_settings

from crmtickets.jsonlog import JsonFormatter
from tests.support.crashing_urls import SECRET_DETAIL
from tests.support.endpoints import CONTACT, E1, E2, E3, E5, TICKET_BODY
from tests.support.store import unreachable_store
from tests.support.tokens import token_for

pytestmark = pytest.mark.django_db

CORRELATION_ID = "6f1c9a52-1d2b-4c1e-9d7a-0b8e7f3a2c41"


@pytest.fixture
def access_lines(caplog):
    """The request log, as the JSON lines a log shipper would read."""
    caplog.set_level(logging.INFO, logger="tickets.access")
    formatter = JsonFormatter()

    def lines() -> list[dict]:
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "tickets.access"]

    return lines


def error_line(caplog) -> dict:
    """The one line the error log wrote, as a log shipper would read it."""
    [record] = [r for r in caplog.records if r.name == "tickets.errors"]
    return json.loads(JsonFormatter().format(record))


def test_each_request_is_one_line_with_what_and_who(api, access_lines):
    api.call(E1, headers={"correlationId": CORRELATION_ID})
    [line] = access_lines()
    fields = ("method", "path", "status", "correlationId", "source", "operation")
    assert {key: line[key] for key in fields} == {
        "method": "GET",
        "path": E1.path,
        "status": 200,
        "correlationId": CORRELATION_ID,
        "source": "Selfcare",
        "operation": E1.operation,
    }
    assert line["contact"] == str(CONTACT)
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


def test_line_logs_the_status_the_client_got(client, access_lines):
    client.get("/crm/v1/nowhere")
    assert access_lines()[0]["status"] == 404


def test_client_error_is_logged_once(client, caplog):
    caplog.set_level(logging.INFO)
    django_logger = logging.getLogger("django")  # does not propagate to caplog's root handler
    django_logger.addHandler(caplog.handler)
    try:
        client.get("/crm/v1/nowhere")
    finally:
        django_logger.removeHandler(caplog.handler)
    assert [record.name for record in caplog.records] == ["tickets.access"]


def test_line_has_no_contact_when_the_token_was_refused(api, access_lines):
    api.call(E1, headers={"token": "not.a.token"})
    line = access_lines()[0]
    assert (line["status"], line["contact"]) == (401, "")


def test_line_has_no_contact_for_a_social_ticket(api, access_lines):
    api.call(E3, body=TICKET_BODY)
    assert access_lines()[0]["contact"] == ""


def test_line_never_holds_the_token_or_the_body(api, caplog, access_lines):
    token = token_for()
    body = {**TICKET_BODY, "description": "my card number is 4111 1111 1111 1111"}
    api.call(E5, body=body, headers={"token": token})
    written = caplog.text + json.dumps(access_lines())
    assert token not in written
    assert token.split(".")[2] not in written
    assert "4111" not in written


def test_line_leaves_out_the_query_string(api, access_lines):
    api.call(E1, query={"status": "Open"})
    assert access_lines()[0]["path"] == E1.path


def test_line_cuts_a_huge_header_value(api, access_lines):
    api.call(E1, headers={"source": "s" * 100_000})
    assert access_lines()[0]["source"] == "s" * 128


def test_pages_outside_the_api_are_logged_too(client, access_lines):
    client.get("/healthz")
    assert access_lines()[0]["path"] == "/healthz"


@override_settings(ROOT_URLCONF="tests.support.crashing_urls")
def test_unhandled_error_is_logged_with_its_traceback_and_correlation_id(client, caplog):
    client.get("/crm/v1/test/crash-drf", headers={"correlationId": CORRELATION_ID})
    line = error_line(caplog)
    assert line["correlationId"] == CORRELATION_ID
    assert line["level"] == "ERROR"
    assert "RuntimeError" in line["traceback"]
    assert SECRET_DETAIL in line["traceback"]  # the detail goes to the log, never to the client


def test_unreachable_store_is_logged_with_its_traceback_and_correlation_id(api, caplog):
    with unreachable_store():
        api.call(E2, headers={"correlationId": CORRELATION_ID})
    line = error_line(caplog)
    assert line["correlationId"] == CORRELATION_ID
    assert "OperationalError" in line["traceback"]


def test_formatter_writes_one_line_even_with_a_traceback():
    try:
        raise ValueError("line one\nline two")
    except ValueError as exc:
        error = (type(exc), exc, exc.__traceback__)
    record = logging.getLogger("test").makeRecord(
        "test", logging.ERROR, __file__, 1, "failed", (), error, extra={"correlationId": "c-1"}
    )
    written = JsonFormatter().format(record)
    assert "\n" not in written
    assert json.loads(written)["correlationId"] == "c-1"
    assert "line two" in json.loads(written)["traceback"]
