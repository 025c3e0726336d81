"""CONTRACT §3: mandatory headers, checked for presence, then values, then the token."""

import pytest
from django.test import override_settings

from crmapi import messages
from crmapi.permissions import mandatory_headers
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.endpoints import (
    DOCUMENTED_ENDPOINTS,
    E1,
    E2,
    E3,
    E4,
    E5,
    MANDATORY_HEADERS,
    TICKET_BODY,
    valid_body,
)
from tests.support.tokens import token_for

pytestmark = pytest.mark.django_db

DOCUMENTED_ORDER = {True: ["token", *MANDATORY_HEADERS], False: MANDATORY_HEADERS}


MISSING_CASES = [
    pytest.param(endpoint, name, id=f"{endpoint.path}-{name}")
    for endpoint in DOCUMENTED_ENDPOINTS
    for name in DOCUMENTED_ORDER[endpoint.token_required]
]


def assert_bad_request(response, message: str) -> None:
    assert_error(response, 400, message, "400 BAD_REQUEST")


def test_mandatory_headers_are_the_documented_ones_in_order():
    assert list(mandatory_headers(True)) == DOCUMENTED_ORDER[True]
    assert list(mandatory_headers(False)) == DOCUMENTED_ORDER[False]


@pytest.mark.parametrize(("endpoint", "name"), MISSING_CASES)
def test_each_missing_mandatory_header_is_400_naming_it(api, endpoint, name):
    response = api.call(endpoint, headers={name: None})
    assert_bad_request(response, messages.HEADER_MISSING.format(name=name))


def test_missing_operation_header_on_create_is_the_documented_sentence(api):
    response = api.call(E5, body=TICKET_BODY, headers={"operation": None})
    assert envelope_error(response)["errorMessage"] == "Header 'operation' not present in the request."


@pytest.mark.parametrize("endpoint", DOCUMENTED_ENDPOINTS, ids=lambda e: e.path)
def test_first_missing_header_in_contract_order_is_reported(api, endpoint):
    response = api.call(endpoint, headers={"destination": None, "srDate": None, "source": None})
    assert_bad_request(response, messages.HEADER_MISSING.format(name="source"))


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
@pytest.mark.parametrize("name", DOCUMENTED_ORDER[True])
def test_blank_header_counts_as_missing(api, name, blank):
    response = api.call(E1, headers={name: blank})
    assert_bad_request(response, messages.HEADER_MISSING.format(name=name))


def test_header_names_are_case_insensitive(api):
    sent = {"token": None, "correlationId": None, "source": None, "srDate": None}
    renamed = {
        "TOKEN": token_for(),
        "CORRELATIONID": "abc-1",
        "Source": "Selfcare",
        "srdate": "11-09-2021",
        "OPERATION": E1.operation,
        "Destination": "CRM",
    }
    response = api.call(E1, headers={**sent, "operation": None, "destination": None, **renamed})
    assert response.status_code == 200


# --- Values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "correlation_id",
    ["abc", "x" * 128, "123e4567-e89b-12d3-a456-426614174000", "order#42:retry!"],
)
def test_correlation_id_accepts_visible_ascii_up_to_128(api, correlation_id):
    assert api.call(E1, headers={"correlationId": correlation_id}).status_code == 200


@pytest.mark.parametrize("correlation_id", ["a b", "x" * 129, "caf\u00e9", "tab\there"])
def test_correlation_id_with_spaces_non_ascii_or_too_long_is_400(api, correlation_id):
    response = api.call(E1, headers={"correlationId": correlation_id})
    assert_bad_request(response, messages.HEADER_CORRELATION_ID_INVALID)


def test_source_of_64_characters_is_accepted(api):
    assert api.call(E1, headers={"source": "s" * 64}).status_code == 200


def test_source_length_counts_characters_of_utf8_sent_on_the_wire(api):
    wire = ("\u00e9" * 64).encode("utf-8").decode("latin-1")  # 128 bytes, as WSGI hands them over
    assert api.call(E1, headers={"source": wire}).status_code == 200


def test_source_over_64_characters_is_400(api):
    assert_bad_request(api.call(E1, headers={"source": "s" * 65}), messages.HEADER_SOURCE_TOO_LONG)


@override_settings(CRM_ALLOWED_SOURCES=["Selfcare", "Portal"])
def test_allowed_sources_match_case_insensitively(api):
    assert api.call(E1, headers={"source": "SELFCARE"}).status_code == 200


@override_settings(CRM_ALLOWED_SOURCES=["Selfcare", "Portal"])
def test_source_not_in_allowed_sources_is_400(api):
    response = api.call(E1, headers={"source": "Web"})
    assert_bad_request(response, messages.HEADER_SOURCE_NOT_ALLOWED.format(allowed="Selfcare, Portal"))


@pytest.mark.parametrize("sr_date", ["11-09-2021", "29-02-2024", "01-01-1999"])
def test_sr_date_accepts_real_zero_padded_dates(api, sr_date):
    assert api.call(E1, headers={"srDate": sr_date}).status_code == 200


@pytest.mark.parametrize(
    "sr_date", ["1-9-2021", "2021-09-11", "31-02-2021", "29-02-2023", "11/09/2021", "11-09-21", "13-13-2021"]
)
def test_sr_date_not_a_real_dd_mm_yyyy_date_is_400(api, sr_date):
    assert_bad_request(api.call(E1, headers={"srDate": sr_date}), messages.HEADER_SR_DATE_INVALID)


@pytest.mark.parametrize("endpoint", DOCUMENTED_ENDPOINTS, ids=lambda e: e.path)
def test_operation_is_case_insensitive(api, ticket, endpoint):
    response = api.call(
        endpoint,
        body=valid_body(endpoint, f"TT{ticket.ticket_number}"),
        headers={"operation": endpoint.operation.upper()},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "wrong"),
    [
        (E1, E2.operation),
        (E2, E1.operation),
        (E3, E4.operation),
        (E4, E5.operation),
        (E5, E1.operation),
    ],
    ids=lambda value: getattr(value, "path", value),
)
def test_operation_of_another_endpoint_is_400(api, endpoint, wrong):
    response = api.call(endpoint, headers={"operation": wrong})
    assert_bad_request(response, messages.HEADER_OPERATION_INVALID.format(operation=endpoint.operation))


def test_destination_is_case_insensitive(api):
    assert api.call(E1, headers={"destination": "crm"}).status_code == 200


def test_destination_other_than_crm_is_400(api):
    assert_bad_request(api.call(E1, headers={"destination": "ERP"}), messages.HEADER_DESTINATION_INVALID)


# --- Order of checks ----------------------------------------------------------------------------


def test_presence_is_checked_before_values(api):
    response = api.call(E1, headers={"srDate": "2021-09-11", "destination": None})
    assert_bad_request(response, messages.HEADER_MISSING.format(name="destination"))


def test_values_are_checked_in_contract_order(api):
    response = api.call(E1, headers={"srDate": "2021-09-11", "destination": "ERP", "operation": "x"})
    assert_bad_request(response, messages.HEADER_SR_DATE_INVALID)


def test_missing_header_wins_over_a_bad_token(api):
    response = api.call(E1, headers={"token": "not-a-jwt", "source": None})
    assert_bad_request(response, messages.HEADER_MISSING.format(name="source"))


def test_bad_header_value_wins_over_a_bad_token(api):
    response = api.call(E1, headers={"token": "not-a-jwt", "srDate": "1-9-2021"})
    assert_bad_request(response, messages.HEADER_SR_DATE_INVALID)


def test_headers_are_checked_before_the_body(api):
    response = api.call(E5, raw="{not json", headers={"destination": None})
    assert_bad_request(response, messages.HEADER_MISSING.format(name="destination"))


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", ""])
def test_token_sent_to_social_ticket_is_ignored(api, token):
    response = api.call(E3, body=TICKET_BODY, headers={"token": token})
    assert envelope_result(response)["ticket_no"].startswith("TT")
