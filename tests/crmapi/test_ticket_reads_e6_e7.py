"""CONTRACT §10: the rules E6 (conversation) and E7 (record) share with E1-E5 — headers, token,
envelope, the `ticketNo` query parameter and authorization. Results are tested beside this file."""

import pytest

from crmapi import messages
from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory
from tests.support.client import assert_error, contract_headers, envelope_error, envelope_result
from tests.support.endpoints import E1, E6, E7, MANDATORY_HEADERS, OTHER_CONTACT
from tests.support.tokens import claims, hs256, token_for

pytestmark = pytest.mark.django_db

READS = [pytest.param(E6, id="E6"), pytest.param(E7, id="E7")]
HEADERS_IN_ORDER = ["token", *MANDATORY_HEADERS]


def read(api, endpoint, ticket_no="TT1130", **kwargs):
    query = {} if ticket_no is None else {"ticketNo": ticket_no}
    return api.call(endpoint, query=query, **kwargs)


# --- Headers (§3) --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HEADERS_IN_ORDER)
@pytest.mark.parametrize("endpoint", READS)
def test_each_missing_mandatory_header_is_400_naming_it(api, own_ticket, endpoint, name):
    response = read(api, endpoint, headers={name: None})
    assert_error(response, 400, messages.HEADER_MISSING.format(name=name), "400 BAD_REQUEST")


@pytest.mark.parametrize("endpoint", READS)
def test_blank_header_counts_as_missing(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"srDate": "  "})
    assert_error(response, 400, messages.HEADER_MISSING.format(name="srDate"))


@pytest.mark.parametrize("endpoint", READS)
def test_first_missing_header_in_contract_order_is_reported(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"destination": None, "correlationId": None})
    assert_error(response, 400, messages.HEADER_MISSING.format(name="correlationId"))


@pytest.mark.parametrize("endpoint", READS)
def test_operation_of_another_endpoint_is_400_naming_the_expected_one(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"operation": E1.operation})
    assert_error(response, 400, messages.HEADER_OPERATION_INVALID.format(operation=endpoint.operation))


@pytest.mark.parametrize("endpoint", READS)
def test_operation_is_case_insensitive(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"operation": endpoint.operation.upper()})
    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", READS)
def test_sr_date_that_is_not_a_real_date_is_400(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"srDate": "31-02-2021"})
    assert_error(response, 400, messages.HEADER_SR_DATE_INVALID)


@pytest.mark.parametrize("endpoint", READS)
def test_destination_other_than_crm_is_400(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"destination": "ERP"})
    assert_error(response, 400, messages.HEADER_DESTINATION_INVALID)


@pytest.mark.parametrize("endpoint", READS)
def test_header_error_wins_over_a_bad_token(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"token": "not-a-jwt", "destination": None})
    assert_error(response, 400, messages.HEADER_MISSING.format(name="destination"))


@pytest.mark.parametrize("endpoint", READS)
def test_correlation_id_is_echoed(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"correlationId": "trace-e6-e7"})
    assert response["correlationId"] == "trace-e6-e7"


# --- Token (§3.3, §4) ----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", READS)
def test_token_without_two_periods_is_401_with_the_count(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"token": "abc.def"})
    assert_error(response, 401, messages.TOKEN_PERIODS.format(count=1), "INVALID_TOKEN")


@pytest.mark.parametrize("endpoint", READS)
def test_expired_token_is_401(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"token": token_for(ttl=-120)})
    assert_error(response, 401, messages.TOKEN_EXPIRED, "INVALID_TOKEN")


@pytest.mark.parametrize("endpoint", READS)
def test_token_with_another_signature_is_401(api, own_ticket, endpoint):
    forged = hs256(claims(), secret="a-secret-that-is-not-the-configured-one")
    response = read(api, endpoint, headers={"token": forged})
    assert_error(response, 401, messages.TOKEN_BAD_SIGNATURE, "INVALID_TOKEN")


@pytest.mark.parametrize("endpoint", READS)
def test_bearer_prefix_is_tolerated(api, own_ticket, endpoint):
    response = read(api, endpoint, headers={"token": f"Bearer {token_for()}"})
    assert response.status_code == 200


# --- ticketNo (§10, §5) --------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", READS)
def test_missing_ticket_no_is_400(api, own_ticket, endpoint):
    response = read(api, endpoint, ticket_no=None)
    assert_error(response, 400, "Query parameter 'ticketNo' is required.", "400 BAD_REQUEST")


@pytest.mark.parametrize("endpoint", READS)
def test_blank_ticket_no_counts_as_missing(api, own_ticket, endpoint):
    response = read(api, endpoint, ticket_no="  ")
    assert_error(response, 400, messages.QUERY_REQUIRED.format(name="ticketNo"))


@pytest.mark.parametrize("form", ["TT1130", "1130", "tt1130"])
@pytest.mark.parametrize("endpoint", READS)
def test_ticket_no_with_or_without_tt_names_the_ticket(api, own_ticket, endpoint, form):
    assert read(api, endpoint, ticket_no=form).status_code == 200


@pytest.mark.parametrize("endpoint", READS)
def test_record_id_names_the_ticket(api, own_ticket, endpoint):
    assert read(api, endpoint, ticket_no=f"17x{own_ticket.pk}").status_code == 200


@pytest.mark.parametrize("endpoint", READS)
def test_unknown_ticket_is_404_echoing_the_ticket_no_as_sent(api, own_ticket, endpoint):
    response = read(api, endpoint, ticket_no="tt9999")
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no="tt9999"), "404 NOT_FOUND")


@pytest.mark.parametrize("endpoint", READS)
def test_another_contacts_ticket_is_the_same_404(api, endpoint):
    TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    response = read(api, endpoint, ticket_no="TT1130")
    assert_error(response, 404, "Ticket 'TT1130' not found.")


@pytest.mark.parametrize("endpoint", READS)
def test_another_contacts_record_id_is_the_same_404(api, endpoint):
    foreign = TicketFactory(contact_number=OTHER_CONTACT)
    response = read(api, endpoint, ticket_no=f"17x{foreign.pk}")
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no=f"17x{foreign.pk}"))


@pytest.mark.parametrize("endpoint", READS)
def test_anonymous_social_ticket_is_nobodys_404(api, endpoint):
    TicketFactory(ticket_number=1130, contact_number=None)
    assert read(api, endpoint).status_code == 404


@pytest.mark.parametrize("ticket_no", ["abc", "TT", "12x1130", "17x", "TT-1130"])
@pytest.mark.parametrize("endpoint", READS)
def test_ticket_no_in_no_accepted_form_is_the_same_404(api, own_ticket, endpoint, ticket_no):
    response = read(api, endpoint, ticket_no=ticket_no)
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no=ticket_no))


# --- Paths and methods (§1, §8) ------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", READS)
def test_path_answers_with_a_trailing_slash(api, own_ticket, endpoint):
    response = api.client.get(
        f"{endpoint.path}/",
        query_params={"ticketNo": "TT1130"},
        headers=contract_headers(endpoint),
    )
    assert response.status_code == 200


def test_e6_answers_get_only(api, own_ticket):
    response = api.call(E6, method="post", body={})
    assert response.status_code == 405
    assert envelope_error(response)["errorCode"] == "405 METHOD_NOT_ALLOWED"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_e7_path_refuses_put_with_405_listing_get_and_post(api, own_ticket):
    response = api.call(E7, method="put", body={})
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("endpoint", READS)
def test_head_is_answered_like_get_without_a_body(api, own_ticket, endpoint):
    response = read(api, endpoint, method="head")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("endpoint", READS)
def test_options_needs_no_header_and_lists_get(client, endpoint):
    response = client.options(endpoint.path)
    assert response.status_code == 200
    assert "GET" in envelope_result(response)["allow"]


# --- Internal notes (§10) ------------------------------------------------------------------------

INTERNAL_MARKER = "internal-note-7f3a: refund approved by finance"


@pytest.mark.parametrize("endpoint", [E1, E6, E7], ids=["E1", "E6", "E7"])
def test_internal_note_never_appears_in_any_response(api, own_ticket, endpoint):
    CommentFactory(ticket=own_ticket, text="customer words")
    AgentCommentFactory(ticket=own_ticket, text=INTERNAL_MARKER, is_internal=True)
    response = read(api, endpoint)
    assert response.status_code == 200
    assert "internal-note-7f3a" not in response.content.decode()
