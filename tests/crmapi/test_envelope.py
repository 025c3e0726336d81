"""CONTRACT §2 and §8: the envelope on every answer under /crm/, and the HTTP edges."""

import logging

import pytest
from django.test import override_settings

from crmapi import messages
from crmapi.errors import error_code_for
from tests.support.client import contract_headers, envelope_error, envelope_result
from tests.support.crashing_urls import SECRET_DETAIL
from tests.support.endpoints import DOCUMENTED_ENDPOINTS, E1, E2, E3, E4, E5, valid_body

pytestmark = pytest.mark.django_db

ALLOW = {
    E1.path: ["GET", "HEAD", "OPTIONS"],
    E2.path: ["GET", "HEAD", "OPTIONS"],
    E3.path: ["POST", "OPTIONS"],
    E4.path: ["POST", "OPTIONS"],
}
CORRELATION_ID = "trace-4711"


def endpoint_id(endpoint) -> str:
    return endpoint.path


def assert_error_envelope(response, status: int, error_code: str, message: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "response": {
            "success": "false",
            "result": {
                "arguments": {"statusCode": str(status), "errorCode": error_code, "errorMessage": message}
            },
        }
    }


def allow_header(response) -> list[str]:
    return [method.strip() for method in response["Allow"].split(",")]


@pytest.mark.parametrize(
    ("status", "error_code"),
    [
        (400, "400 BAD_REQUEST"),
        (403, "403 FORBIDDEN"),
        (404, "404 NOT_FOUND"),
        (405, "405 METHOD_NOT_ALLOWED"),
        (409, "409 CONFLICT"),
        (413, "413 PAYLOAD_TOO_LARGE"),
        (415, "415 UNSUPPORTED_MEDIA_TYPE"),
        (429, "429 TOO_MANY_REQUESTS"),
        (500, "500 INTERNAL_SERVER_ERROR"),
    ],
)
def test_error_code_is_status_and_upper_snake_reason(status, error_code):
    assert error_code_for(status) == error_code


def test_success_envelope_has_success_then_result(api, issue_types):
    payload = api.call(E2).json()
    assert list(payload["response"]) == ["success", "result"]
    assert payload["response"]["success"] == "true"


def test_client_error_is_the_documented_envelope(api):
    response = api.call(E1, headers={"source": None})
    assert_error_envelope(response, 400, "400 BAD_REQUEST", "Header 'source' not present in the request.")


# --- Unknown paths and methods -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/crm", "/crm/", "/crm/v1/", "/crm/v1/tickets", "/crm/v2/ticket/details", "/crm/v1/ticket/details/x"],
)
def test_unknown_path_under_crm_is_a_404_envelope_without_headers(client, path):
    response = client.get(path)
    assert_error_envelope(response, 404, "404 NOT_FOUND", messages.PATH_NOT_FOUND.format(path=path))


def test_unknown_path_is_404_for_any_method(client):
    response = client.post("/crm/v1/nowhere", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert envelope_error(response)["errorCode"] == "404 NOT_FOUND"


@pytest.mark.parametrize(
    ("path", "method"),
    [(E1.path, "put"), (E2.path, "post"), (E3.path, "get"), (E4.path, "delete"), (E4.path, "patch")],
)
def test_wrong_method_is_405_with_allow_before_any_header(client, path, method):
    response = getattr(client, method)(path)
    message = messages.METHOD_NOT_ALLOWED.format(method=method.upper())
    assert_error_envelope(response, 405, "405 METHOD_NOT_ALLOWED", message)
    assert allow_header(response) == ALLOW[path]


def test_allow_of_the_shared_ticket_path_lists_get_and_post(client):
    response = client.put(E5.path)
    assert response.status_code == 405
    assert set(allow_header(response)) == {"GET", "POST", "HEAD", "OPTIONS"}


# --- HEAD and OPTIONS -----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [E1, E2], ids=endpoint_id)
def test_head_is_answered_like_get_without_a_body(api, endpoint):
    response = api.call(endpoint, method="head")
    assert response.status_code == 200
    assert response.content == b""
    assert response["correlationId"] == "123e4567-e89b-12d3-a456-426614174000"


def test_head_keeps_the_total_count_header(api):
    assert api.call(E1, method="head")["X-Total-Count"] == "0"


def test_head_error_has_no_body(api):
    response = api.call(E1, method="head", headers={"source": None})
    assert (response.status_code, response.content) == (400, b"")


@pytest.mark.parametrize("path", list(ALLOW), ids=str)
def test_options_needs_no_header_or_token_and_lists_allowed_methods(client, path):
    response = client.options(path)
    assert response.status_code == 200
    assert envelope_result(response) == {"allow": ALLOW[path]}
    assert allow_header(response) == ALLOW[path]


# --- Paths ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", DOCUMENTED_ENDPOINTS, ids=endpoint_id)
def test_trailing_slash_reaches_the_same_endpoint(client, endpoint):
    method = getattr(client, endpoint.method)
    kwargs = {"headers": contract_headers(endpoint)}
    if endpoint.method == "post":
        kwargs.update(data=valid_body(endpoint, "TT1"), content_type="application/json")
    response = method(endpoint.path + "/", **kwargs)
    assert response.status_code == (404 if endpoint is E4 else 200)  # E4: ticket TT1 does not exist
    if endpoint is E4:
        assert envelope_error(response)["errorMessage"] == messages.TICKET_NOT_FOUND.format(ticket_no="TT1")


# --- correlationId ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "headers"),
    [
        (E2, {}),
        (E1, {"source": None}),
        (E1, {"token": "bad"}),
        (E4, {}),
    ],
    ids=["success", "400", "401", "400-body"],
)
def test_correlation_id_is_echoed_on_success_and_error(api, endpoint, headers):
    response = api.call(endpoint, headers={"correlationId": CORRELATION_ID, **headers})
    assert response["correlationId"] == CORRELATION_ID


def test_correlation_id_is_echoed_on_404(client):
    response = client.get("/crm/v1/nowhere", headers={"correlationId": CORRELATION_ID})
    assert response["correlationId"] == CORRELATION_ID


def test_correlation_id_is_echoed_on_405(client):
    response = client.put(E1.path, headers={"correlationId": CORRELATION_ID})
    assert response["correlationId"] == CORRELATION_ID


# --- Unhandled errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/crm/v1/test/crash-drf", "/crm/v1/test/crash-django"])
@override_settings(ROOT_URLCONF="tests.support.crashing_urls")
def test_unhandled_error_is_500_with_the_correlation_id_as_reference(client, path):
    response = client.get(path, headers={"correlationId": CORRELATION_ID})
    message = messages.INTERNAL_ERROR.format(reference=CORRELATION_ID)
    assert_error_envelope(response, 500, "500 INTERNAL_SERVER_ERROR", message)
    assert SECRET_DETAIL not in response.content.decode()
    assert response["correlationId"] == CORRELATION_ID


@override_settings(ROOT_URLCONF="tests.support.crashing_urls")
def test_unhandled_error_without_correlation_id_gets_a_fresh_reference(client):
    first = envelope_error(client.get("/crm/v1/test/crash-drf"))["errorMessage"]
    second = envelope_error(client.get("/crm/v1/test/crash-drf"))["errorMessage"]
    assert first.startswith("Internal error. Reference: ")
    assert first != second


@override_settings(ROOT_URLCONF="tests.support.crashing_urls")
def test_unhandled_error_traceback_goes_to_the_log(client, caplog):
    with caplog.at_level(logging.ERROR):
        client.get("/crm/v1/test/crash-drf", headers={"correlationId": CORRELATION_ID})
    logged = [record for record in caplog.records if CORRELATION_ID in record.getMessage()]
    assert logged
    assert any(record.exc_info and record.exc_info[0] is RuntimeError for record in logged)
