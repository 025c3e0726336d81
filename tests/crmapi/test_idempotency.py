"""CONTRACT §9: retries with an `Idempotency-Key` on E3, E4 and E5 (crmapi/idempotency.py).

Concurrent retries are proven on PostgreSQL in tests/crmapi/test_concurrency.py.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from crmapi import messages
from crmapi.idempotency import ABANDON_MARGIN, abandoned_after, body_fingerprint
from crmapi.models import IdempotencyRecord
from tests.factories import IdempotencyRecordFactory, TicketFactory
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.commands import run_command
from tests.support.endpoints import CONTACT, E1, E3, E4, E5, OTHER_CONTACT, TICKET_BODY
from tests.support.tokens import token_for
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db

KEY = "8f14e45f-ceea-467a-9575-7d1e7c2c9a11"


def send(api, endpoint=E5, *, body=TICKET_BODY, key=KEY, headers=None, **kwargs):
    return api.call(endpoint, body=body, headers={"Idempotency-Key": key, **(headers or {})}, **kwargs)


def assert_conflict(response, message: str) -> None:
    assert_error(response, 409, message, "409 CONFLICT")


# --- Replay --------------------------------------------------------------------------------------


def test_repeat_with_the_same_key_and_body_replays_the_first_response_and_creates_nothing(api):
    first = send(api)
    repeat = send(api)
    assert repeat.status_code == first.status_code == 200
    assert envelope_result(repeat) == envelope_result(first)
    assert repeat["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_first_response_is_not_marked_replayed(api):
    assert "Idempotent-Replayed" not in send(api)


def test_replay_echoes_the_new_requests_correlation_id(api):
    send(api, headers={"correlationId": "first-attempt"})
    repeat = send(api, headers={"correlationId": "second-attempt"})
    assert repeat["correlationId"] == "second-attempt"


def test_same_json_with_members_reordered_and_other_spacing_is_equivalent(api):
    send(api)
    reordered = json.dumps(dict(reversed(list(TICKET_BODY.items()))), indent=4)
    repeat = api.call(E5, raw=reordered, headers={"Idempotency-Key": KEY})
    assert repeat["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_replay_returns_the_first_response_even_after_the_ticket_changed(api):
    first = envelope_result(send(api))
    Ticket.objects.update(ticket_status="Closed")
    assert envelope_result(send(api)) == first


def test_retried_comment_is_added_once(api):
    ticket = TicketFactory(contact_number=CONTACT)
    body = {"ticketNo": f"TT{ticket.ticket_number}", "comment": "Still no signal.", "contactId": str(CONTACT)}
    first, repeat = send(api, E4, body=body), send(api, E4, body=body)
    assert envelope_result(repeat) == envelope_result(first) == {"message": "Comments submitted successfully"}
    assert repeat["Idempotent-Replayed"] == "true"
    assert Comment.objects.count() == 1


# --- Conflicts -------------------------------------------------------------------------------------


def test_same_key_with_a_different_body_is_409(api):
    send(api)
    response = send(api, body={**TICKET_BODY, "description": "Another request"})
    assert_conflict(response, messages.IDEMPOTENCY_KEY_REUSED.format(key=KEY))
    assert Ticket.objects.count() == 1


def test_same_values_under_another_key_spelling_are_a_different_body(api):
    send(api)
    respelled = {
        ("tickettitle" if name == "ticket_title" else name): value for name, value in TICKET_BODY.items()
    }
    assert_conflict(send(api, body=respelled), messages.IDEMPOTENCY_KEY_REUSED.format(key=KEY))


def test_comment_retried_with_another_data_header_is_a_different_request(api):
    """CONTRACT §9 with §6's `data` header: the comment text it carries is part of the request."""
    ticket = TicketFactory(contact_number=CONTACT)
    body = {"ticketNo": f"TT{ticket.ticket_number}", "contactId": str(CONTACT)}
    envelope_result(send(api, E4, body=body, headers={"data": "First text."}))
    response = send(api, E4, body=body, headers={"data": "Second text."})
    assert_conflict(response, messages.IDEMPOTENCY_KEY_REUSED.format(key=KEY))
    assert list(Comment.objects.values_list("text", flat=True)) == ["First text."]


def test_comment_retried_with_the_same_data_header_replays(api):
    ticket = TicketFactory(contact_number=CONTACT)
    body = {"ticketNo": f"TT{ticket.ticket_number}", "contactId": str(CONTACT)}
    send(api, E4, body=body, headers={"data": "Same text."})
    assert send(api, E4, body=body, headers={"data": "Same text."})["Idempotent-Replayed"] == "true"
    assert Comment.objects.count() == 1


def test_key_still_being_processed_is_409(api):
    IdempotencyRecordFactory(key=KEY, request_fingerprint=body_fingerprint(json.dumps(TICKET_BODY).encode()))
    assert_conflict(send(api), messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=KEY))
    assert not Ticket.objects.exists()


def test_in_flight_wins_over_a_body_mismatch(api):
    IdempotencyRecordFactory(key=KEY, request_fingerprint=body_fingerprint(b"{}"))
    assert_conflict(send(api), messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=KEY))


# --- Only successes are stored ----------------------------------------------------------------------


def test_failed_request_stores_nothing_so_a_corrected_retry_goes_through(api):
    incomplete = {name: value for name, value in TICKET_BODY.items() if name != "description"}
    assert send(api, body=incomplete).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    retry = send(api)
    assert retry.status_code == 200
    assert "Idempotent-Replayed" not in retry
    assert Ticket.objects.count() == 1


def test_refused_comment_stores_nothing(api):
    body = {"ticketNo": "TT999999", "comment": "Hello", "contactId": str(CONTACT)}
    assert send(api, E4, body=body).status_code == 404
    assert not IdempotencyRecord.objects.exists()


# --- Scope -------------------------------------------------------------------------------------------


def test_keys_are_scoped_to_the_contact(api):
    send(api)
    other = send(api, contact=OTHER_CONTACT)
    assert "Idempotent-Replayed" not in other
    assert envelope_result(other)["contact_id"] == f"12x{OTHER_CONTACT}"
    assert Ticket.objects.count() == 2


def test_keys_are_scoped_to_the_endpoint(api):
    send(api, E5)
    social = send(api, E3)
    assert "Idempotent-Replayed" not in social
    assert Ticket.objects.count() == 2


def test_social_ticket_key_alone_is_the_scope_whatever_token_is_sent(api):
    send(api, E3, headers={"token": token_for(CONTACT)})
    repeat = send(api, E3, headers={"token": token_for(OTHER_CONTACT)})
    assert repeat["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_correlation_id_is_never_an_idempotency_key(api):
    """Clients copy the document's example correlationId into every request."""
    api.call(E5, body=TICKET_BODY)
    second = api.call(E5, body=TICKET_BODY)
    assert "Idempotent-Replayed" not in second
    assert Ticket.objects.count() == 2


# --- The header ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   ", "two words", "cl\u00e9", "x" * 256, "tab\there"])
def test_key_that_is_not_1_to_255_visible_ascii_characters_is_400_naming_the_header(api, key):
    response = send(api, key=key)
    assert_error(response, 400, messages.IDEMPOTENCY_KEY_INVALID)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("key", ["k", "x" * 255, "!#$%&'*+-.^_`|~:/?@[]{}<>=,;\"\\()"])
def test_key_of_1_to_255_visible_ascii_characters_is_accepted(api, key):
    assert send(api, key=key).status_code == 200


def test_key_is_checked_after_the_headers(api):
    response = send(api, key="", headers={"source": None})
    assert envelope_error(response)["errorMessage"] == messages.HEADER_MISSING.format(name="source")


def test_key_is_checked_after_the_token(api):
    response = send(api, key="", headers={"token": "not-a-jwt"})
    assert response.status_code == 401


def test_key_is_checked_before_the_body(api):
    response = api.call(E5, raw="{not json", headers={"Idempotency-Key": ""})
    assert envelope_error(response)["errorMessage"] == messages.IDEMPOTENCY_KEY_INVALID


def test_key_on_a_read_is_ignored(api):
    assert api.call(E1, headers={"Idempotency-Key": ""}).status_code == 200


# --- Lifetime --------------------------------------------------------------------------------------------


def test_record_older_than_24_hours_is_ignored(api):
    IdempotencyRecordFactory(
        key=KEY, status_code=200, response_body=b"{}", created_at=timezone.now() - timedelta(hours=25)
    )
    response = send(api)
    assert "Idempotent-Replayed" not in response
    assert envelope_result(response)["ticket_no"].startswith("TT")
    assert Ticket.objects.count() == 1


def test_claim_abandoned_by_a_dead_process_is_taken_over(api):
    IdempotencyRecordFactory(key=KEY, created_at=timezone.now() - timedelta(minutes=10))
    assert send(api).status_code == 200
    assert send(api)["Idempotent-Replayed"] == "true"


def test_claim_older_than_a_request_can_run_is_taken_over_within_minutes(api):
    """A worker killed mid-request holds its key only until gunicorn would have killed it
    anyway (timeout plus graceful timeout, a margin): about a minute, not five."""
    assert abandoned_after() < timedelta(minutes=2)
    IdempotencyRecordFactory(key=KEY, created_at=timezone.now() - abandoned_after() - timedelta(seconds=1))
    response = send(api)
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 1


def test_claim_younger_than_a_request_can_run_is_still_in_flight(api):
    IdempotencyRecordFactory(key=KEY, created_at=timezone.now() - abandoned_after() + timedelta(seconds=5))
    assert_conflict(send(api), messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=KEY))


def test_abandoned_claims_follow_the_gunicorn_timeout(settings):
    settings.CRM_REQUEST_RUN_MAX_SECONDS = 200
    assert abandoned_after() == timedelta(seconds=200) + ABANDON_MARGIN


def test_purge_command_deletes_only_records_older_than_24_hours():
    old = IdempotencyRecordFactory(status_code=200, created_at=timezone.now() - timedelta(hours=25))
    recent = IdempotencyRecordFactory(status_code=200, created_at=timezone.now() - timedelta(hours=23))
    output = run_command("purge_idempotency_keys")
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert output.strip() == "Deleted 1 expired idempotency record(s)."
