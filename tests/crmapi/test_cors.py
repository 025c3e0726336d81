"""Browsers on the origins of CRM_CORS_ORIGINS may call the API; no other origin gets a CORS
header (crmapi/cors.py, CONTRACT §8)."""

import pytest

from tests.support.client import envelope_error, envelope_result
from tests.support.endpoints import E1, E5

pytestmark = pytest.mark.django_db

SELF_CARE = "https://selfcare.example.com"
ELSEWHERE = "https://attacker.example.net"
CONTRACT_HEADERS = [
    "token",
    "correlationId",
    "source",
    "srDate",
    "operation",
    "destination",
    "data",
    "Idempotency-Key",
    "If-None-Match",
    "content-type",
]
EXPOSED_HEADERS = ["correlationId", "X-Total-Count", "Retry-After", "Idempotent-Replayed", "ETag"]


@pytest.fixture(autouse=True)
def _self_care_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [SELF_CARE]


def preflight(client, origin: str):
    return client.options(
        E5.path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ",".join(name.lower() for name in CONTRACT_HEADERS),
        },
    )


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


def test_preflight_from_a_configured_origin_is_allowed(client):
    response = preflight(client, SELF_CARE)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SELF_CARE
    assert {"get", "head", "post", "options"} <= listed(response["Access-Control-Allow-Methods"])


def test_preflight_allows_every_header_of_the_contract(client):
    response = preflight(client, SELF_CARE)
    assert {name.lower() for name in CONTRACT_HEADERS} <= listed(response["Access-Control-Allow-Headers"])


def test_preflight_is_answered_like_any_options_request(client):
    """The envelope and `Allow` of CONTRACT §8, with no contract header or token."""
    response = preflight(client, SELF_CARE)
    assert envelope_result(response) == {"allow": ["GET", "POST", "HEAD", "OPTIONS"]}
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_preflight_from_another_origin_gets_no_cors_header(client):
    response = preflight(client, ELSEWHERE)
    assert not any(name.lower().startswith("access-control-") for name in response.headers)


def test_request_from_a_configured_origin_may_read_the_contract_response_headers(api):
    response = api.call(E1, headers={"Origin": SELF_CARE})
    assert response["Access-Control-Allow-Origin"] == SELF_CARE
    assert listed(response["Access-Control-Expose-Headers"]) == {name.lower() for name in EXPOSED_HEADERS}


def test_request_from_another_origin_gets_no_cors_header(api):
    response = api.call(E1, headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_error_envelope_carries_the_cors_headers_so_the_page_can_read_it(api):
    response = api.call(E1, headers={"Origin": SELF_CARE, "source": None})
    assert envelope_error(response)["statusCode"] == "400"
    assert response["Access-Control-Allow-Origin"] == SELF_CARE


def test_404_envelope_carries_the_cors_headers(client):
    response = client.get("/crm/v1/nowhere", headers={"Origin": SELF_CARE})
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == SELF_CARE


def test_no_origin_is_allowed_when_none_is_configured(api, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    response = api.call(E1, headers={"Origin": SELF_CARE})
    assert "Access-Control-Allow-Origin" not in response


def test_pages_outside_the_api_get_no_cors_header(client):
    response = client.get("/healthz", headers={"Origin": SELF_CARE})
    assert "Access-Control-Allow-Origin" not in response
    response = client.get("/admin/login/", headers={"Origin": SELF_CARE})
    assert "Access-Control-Allow-Origin" not in response


def test_static_files_get_no_cors_header(client):
    response = client.get("/static/admin/css/base.css", headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
