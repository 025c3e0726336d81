"""Every sentence CONTRACT.md spells out, written out here letter for letter and received through a
real request: the other tests compare against `crmapi.messages`' constants, so a constant that
drifted from the contract would pass them all. One test per sentence, named after its section.

`Downstream error` (§8) and the 500 reference (§8) are asserted verbatim where those faults are
made: tests/crmapi/test_store_unreachable.py and tests/crmapi/test_envelope.py.
"""

import datetime

import pytest

from tests.factories import IdempotencyRecordFactory, TicketFactory
from tests.support.client import assert_error
from tests.support.endpoints import CONTACT, E1, E3, E4, E5, E6, E7, E11, E12, OTHER_CONTACT, TICKET_BODY
from tests.support.tokens import claims, hs256
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

KEY = "3c9d6a0e-1f2b-4e7a-8c5d-9b0a1e2f3d4c"


def ticket_body(**changes) -> dict:
    """The document's body with `changes`; a value of None drops that key."""
    body = {**TICKET_BODY, **changes}
    return {name: value for name, value in body.items() if value is not None}


def test_s3_missing_header(api):
    assert_error(api.call(E1, headers={"source": None}), 400, "Header 'source' not present in the request.")


def test_s3_token_without_two_periods(api):
    response = api.call(E1, headers={"token": "not-a-jwt"})
    assert_error(
        response, 401, "JWT strings must contain exactly 2 period characters. Found: 0", "INVALID_TOKEN"
    )


def test_s3_token_signed_with_another_secret(api):
    forged = hs256(claims(), secret="another-secret-of-at-least-32-bytes!")
    assert_error(
        api.call(E1, headers={"token": forged}), 401, "JWT signature does not match.", "INVALID_TOKEN"
    )


def test_s5_comment_for_another_contact(api, own_ticket):
    body = {"ticketNo": "TT1130", "comment": "Hello", "contactId": str(OTHER_CONTACT)}
    assert_error(api.call(E4, body=body), 403, "contactId does not match the token.", "403 FORBIDDEN")


def test_s5_ticket_of_another_contact_echoes_the_number_as_sent(api):
    TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    response = api.call(E7, query={"ticketNo": "tt1130"})
    assert_error(response, 404, "Ticket 'tt1130' not found.", "404 NOT_FOUND")


def test_s6_missing_field(api):
    response = api.call(E5, body=ticket_body(ticketstatus=None))
    assert_error(response, 400, "Field 'ticketStatus' is required.", "400 BAD_REQUEST")


def test_s6_bad_effective_date(api):
    response = api.call(E5, body=ticket_body(effectivedate="YYYY-MM-DD"))
    assert_error(response, 400, "Field 'effectiveDate' must be a date in YYYY-MM-DD format.")


def test_s6_title_too_long(api):
    response = api.call(E5, body=ticket_body(ticket_title="t" * 256))
    assert_error(response, 400, "Field 'tickettitle' must be at most 255 characters.")


def test_s6_value_that_is_not_a_string(api):
    assert_error(api.call(E5, body=ticket_body(category=5)), 400, "Field 'category' must be a string.")


def test_s6_field_given_twice(api):
    response = api.call(E5, body=ticket_body(tickettitle="Another title"))
    assert_error(response, 400, "Field 'tickettitle' is given more than once.")


def test_s6_malformed_json(api):
    assert_error(api.call(E5, raw='{"source": '), 400, "Malformed JSON request body.")


def test_s6_json_that_is_not_an_object(api):
    assert_error(api.call(E5, raw="[]"), 400, "Request body must be a JSON object.")


def test_s6_empty_body(api):
    assert_error(api.call(E5, raw=""), 400, "Request body must be a JSON object.")


def test_s6_comment_missing_and_no_data_header(api, own_ticket):
    body = {"ticketNo": "TT1130", "contactId": "649797"}
    assert_error(api.call(E4, body=body), 400, "Field 'comment' is required.")


def test_s6_contact_id_in_neither_form(api):
    response = api.call(E3, body=ticket_body(contactId="someone"))
    assert_error(response, 400, "Field 'contactId' must be a contact number.")


def test_s9_key_reused_for_another_body(api):
    IdempotencyRecordFactory(key=KEY, request_fingerprint="another request", status_code=200)
    response = api.call(E5, body=TICKET_BODY, headers={"Idempotency-Key": KEY})
    assert_error(
        response, 409, f"Idempotency-Key '{KEY}' was already used for a different request.", "409 CONFLICT"
    )


def test_s9_key_still_being_processed(api):
    IdempotencyRecordFactory(key=KEY)
    response = api.call(E5, body=TICKET_BODY, headers={"Idempotency-Key": KEY})
    assert_error(response, 409, f"Idempotency-Key '{KEY}' is already being processed.", "409 CONFLICT")


def test_s10_conversation_without_ticket_number(api):
    assert_error(api.call(E6), 400, "Query parameter 'ticketNo' is required.")


def closed_long_ago() -> None:
    """TT1130 of the default contact, created closed 31 days ago: past the 30-day reopen period."""
    created = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=31)
    TicketFactory(
        ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED, created_at=created
    )


def test_s11_comment_on_a_ticket_closed_long_ago(api):
    closed_long_ago()
    response = api.call(E4, body={"ticketNo": "tt1130", "comment": "Still broken", "contactId": "649797"})
    assert_error(response, 409, "Ticket 'tt1130' is closed; please create a new ticket.", "409 CONFLICT")


def test_s11_reopen_of_a_ticket_closed_long_ago(api):
    closed_long_ago()
    response = api.call(E11, body={"ticketNo": "1130", "ticketStatus": "open", "contactId": "649797"})
    assert_error(response, 409, "Ticket '1130' is closed; please create a new ticket.", "409 CONFLICT")


def test_s11_status_neither_open_nor_closed(api):
    TicketFactory(ticket_number=1130, contact_number=CONTACT)
    response = api.call(
        E11, body={"ticketNo": "TT1130", "ticketStatus": "In Progress", "contactId": "649797"}
    )
    assert_error(response, 400, "Field 'ticketStatus' must be Open or Closed.")


def test_s11_status_absent(api):
    response = api.call(E11, body={"ticketNo": "TT1130", "contactId": "649797"})
    assert_error(response, 400, "Field 'ticketStatus' is required.")


def test_s11_rating_out_of_range(api):
    response = api.call(E12, body={"ticketNo": "TT1130", "rating": 4.5, "contactId": "649797"})
    assert_error(response, 400, "Field 'rating' must be a whole number from 1 to 5.")


def test_s11_rating_of_a_ticket_not_closed(api):
    TicketFactory(ticket_number=1130, contact_number=CONTACT)
    response = api.call(E12, body={"ticketNo": "TT1130", "rating": "5", "contactId": "649797"})
    assert_error(response, 409, "Ticket 'TT1130' can be rated only when it is closed.", "409 CONFLICT")
