"""E12 `POST /crm/v1/ticket/rating`: the customer rates its closed ticket (CONTRACT §11)."""

import datetime

import pytest

from crmapi import messages
from tests.factories import TicketFactory
from tests.support.client import assert_error, envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E6, E7, E11, E12, OTHER_CONTACT
from tests.support.queries import OUTBOX_QUERIES_PER_EVENT
from tickets.formats import format_datetime
from tickets.models import Ticket, TicketEvent, TicketRating, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(db) -> Ticket:
    return TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED)


def rating_body(**fields) -> dict:
    body = {"ticketNo": "TT1130", "rating": 4, "comment": "Solved fast.", "contactId": str(CONTACT), **fields}
    return {name: value for name, value in body.items() if value is not None}


def test_rating_is_stored_and_answered(api, closed, clock):
    result = envelope_result(api.call(E12, body=rating_body()))
    assert result == {
        "ticket_no": "TT1130",
        "rating": "4",
        "comment": "Solved fast.",
        "createdtime": format_datetime(NOW),
    }
    assert list(result) == ["ticket_no", "rating", "comment", "createdtime"]
    stored = TicketRating.objects.get(ticket=closed)
    assert (stored.rating, stored.comment, stored.created_at) == (4, "Solved fast.", NOW)


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5, "1", "3", "5"], ids=repr)
def test_rating_is_a_json_integer_or_a_one_digit_string(api, closed, value):
    assert envelope_result(api.call(E12, body=rating_body(rating=value)))["rating"] == str(value)


@pytest.mark.parametrize(
    "value",
    [
        0,
        6,
        -1,
        10,
        "0",
        "6",
        "45",
        " 4",
        "4 ",
        "+4",
        "04",
        "\uff14",
        "",
        4.0,
        4.5,
        "4.0",
        True,
        False,
        [4],
        {"v": 4},
    ],
    ids=repr,
)
def test_anything_else_is_400_a_whole_number_from_1_to_5(api, closed, value):
    response = api.call(E12, body=rating_body(rating=value))
    assert_error(response, 400, messages.FIELD_BAD_RATING.format(name="rating"))
    assert not TicketRating.objects.exists()


@pytest.mark.parametrize("comment", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_comment_is_optional_and_blank_means_none(api, closed, comment):
    body = rating_body(comment=comment)
    assert envelope_result(api.call(E12, body=body))["comment"] == ""
    assert TicketRating.objects.get().comment == ""


def test_a_null_comment_means_none(api, closed):
    body = {**rating_body(), "comment": None}
    assert envelope_result(api.call(E12, body=body))["comment"] == ""


def test_comment_longer_than_2000_characters_is_400(api, closed):
    assert api.call(E12, body=rating_body(comment="é" * 2000)).status_code == 200
    response = api.call(E12, body=rating_body(comment="é" * 2001))
    assert_error(response, 400, messages.FIELD_TOO_LONG.format(name="comment", max_length=2000))


def test_comment_that_is_not_a_string_is_400(api, closed):
    response = api.call(E12, body=rating_body(comment=5))
    assert_error(response, 400, messages.FIELD_NOT_STRING.format(name="comment"))


def test_a_new_rating_replaces_the_old_one_and_records_the_replacement(api, closed, clock):
    api.call(E12, body=rating_body(rating=2, comment="Slow."))
    clock.now = NOW + datetime.timedelta(hours=1)
    result = envelope_result(api.call(E12, body=rating_body(rating=5, comment=None)))
    assert (result["rating"], result["comment"], result["createdtime"]) == (
        "5",
        "",
        format_datetime(NOW + datetime.timedelta(hours=1)),
    )
    assert TicketRating.objects.count() == 1
    events = list(TicketEvent.objects.filter(kind="rated").values_list("old_value", "new_value"))
    assert events == [("", "2"), ("2", "5")]


@pytest.mark.parametrize(
    "status", [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAIT_FOR_RESPONSE]
)
def test_a_ticket_that_is_not_closed_is_409_and_stores_nothing(api, status):
    TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=status)
    response = api.call(E12, body=rating_body(ticketNo="1130"))
    assert_error(response, 409, messages.TICKET_NOT_CLOSED.format(ticket_no="1130"), "409 CONFLICT")
    assert not TicketRating.objects.exists()
    assert not TicketEvent.objects.filter(kind="rated").exists()


def test_a_rating_changes_nothing_else_of_the_ticket(api, closed):
    before = Ticket.objects.values().get(pk=closed.pk)
    record = envelope_result(api.call(E7, query={"ticketNo": "TT1130"}))
    api.call(E12, body=rating_body())
    assert Ticket.objects.values().get(pk=closed.pk) == before
    assert envelope_result(api.call(E7, query={"ticketNo": "TT1130"})) == record


def test_a_rating_never_appears_in_the_conversation(api, closed):
    api.call(E12, body=rating_body(comment="Great help."))
    assert envelope_result(api.call(E6, query={"ticketNo": "TT1130"})) == []


# --- Order of checks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ticketNo", "rating", "contactId"])
def test_each_absent_mandatory_field_is_required(api, closed, name):
    assert_error(
        api.call(E12, body=rating_body(**{name: None})), 400, messages.FIELD_REQUIRED.format(name=name)
    )


def test_fields_are_checked_in_order_ticket_no_rating_comment_contact_id(api, closed):
    assert_error(api.call(E12, body={}), 400, messages.FIELD_REQUIRED.format(name="ticketNo"))
    assert_error(
        api.call(E12, body={"ticketNo": "x", "comment": 1, "contactId": "no"}),
        400,
        messages.FIELD_REQUIRED.format(name="rating"),
    )
    assert_error(
        api.call(E12, body={"ticketNo": "x", "rating": 9, "comment": 1}),
        400,
        messages.FIELD_BAD_RATING.format(name="rating"),
    )
    assert_error(
        api.call(E12, body={"ticketNo": "x", "rating": 3, "comment": 1, "contactId": "no"}),
        400,
        messages.FIELD_NOT_STRING.format(name="comment"),
    )
    assert_error(
        api.call(E12, body={"ticketNo": "x", "rating": 3, "contactId": "no"}),
        400,
        messages.FIELD_BAD_CONTACT.format(name="contactId"),
    )


def test_another_contact_id_is_403_before_the_ticket(api):
    response = api.call(E12, body=rating_body(ticketNo="TT9999", contactId=OTHER_CONTACT))
    assert_error(response, 403, messages.CONTACT_MISMATCH)


def test_unknown_ticket_is_404_before_the_409(api):
    TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT, ticket_status=TicketStatus.OPEN)
    assert_error(api.call(E12, body=rating_body()), 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT1130"))


# --- Retries and queries --------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_and_rates_once(api, closed, clock):
    key = {"Idempotency-Key": "rate-1130"}
    first = api.call(E12, body=rating_body(), headers=key)
    clock.now = NOW + datetime.timedelta(minutes=1)
    repeat = api.call(E12, body=rating_body(), headers=key)
    assert (repeat.json(), repeat.headers["Idempotent-Replayed"]) == (first.json(), "true")
    assert TicketEvent.objects.filter(kind="rated").count() == 1


def test_keys_of_e11_and_e12_are_scoped_apart(api, closed):
    key = {"Idempotency-Key": "same-key"}
    assert (
        api.call(
            E11, body={"ticketNo": "TT1130", "ticketStatus": "Closed", "contactId": CONTACT}, headers=key
        ).status_code
        == 200
    )
    assert api.call(E12, body=rating_body(), headers=key).status_code == 200


def test_e12_runs_a_bounded_number_of_queries(api, closed, django_assert_max_num_queries):
    api.call(E12, body=rating_body(rating=1))
    with django_assert_max_num_queries(7 + OUTBOX_QUERIES_PER_EVENT):
        assert api.call(E12, body=rating_body(rating=2)).status_code == 200
