"""E6 (CONTRACT §10): the public conversation of one of the contact's tickets, oldest first.
Headers, token, ticketNo and authorization: test_ticket_reads.py."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory, UserFactory
from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E4, E6
from tickets import services
from tickets.formats import format_datetime

pytestmark = pytest.mark.django_db


def conversation(api):
    return envelope_result(api.call(E6, query={"ticketNo": "TT1130"}))


def test_ticket_without_comments_is_an_empty_list(api, own_ticket):
    assert conversation(api) == []


def test_item_has_exactly_the_contract_keys_in_order(api, own_ticket):
    CommentFactory(ticket=own_ticket)
    [item] = conversation(api)
    assert list(item) == ["id", "commentcontent", "createdtime", "author", "authorname"]
    assert all(isinstance(value, str) for value in item.values())


def test_customer_comment_has_author_customer_and_no_name(api, own_ticket):
    comment = CommentFactory(ticket=own_ticket, text="Still no data.")
    assert conversation(api) == [
        {
            "id": str(comment.pk),
            "commentcontent": "Still no data.",
            "createdtime": format_datetime(comment.created_at),
            "author": "customer",
            "authorname": "",
        }
    ]


def test_agent_reply_has_author_agent_and_the_agents_full_name(api, own_ticket, dana):
    AgentCommentFactory(ticket=own_ticket, author_user=dana)
    [item] = conversation(api)
    assert (item["author"], item["authorname"]) == ("agent", "Dana Reyes")


def test_agent_without_a_full_name_is_named_by_username(api, own_ticket):
    agent = UserFactory(username="desk7", first_name="", last_name="")
    AgentCommentFactory(ticket=own_ticket, author_user=agent)
    assert conversation(api)[0]["authorname"] == "desk7"


def test_comments_are_listed_oldest_first_whatever_their_ids(api, own_ticket):
    now = timezone.now()
    CommentFactory(ticket=own_ticket, text="second", created_at=now)
    AgentCommentFactory(ticket=own_ticket, text="first", created_at=now - datetime.timedelta(hours=1))
    CommentFactory(ticket=own_ticket, text="third", created_at=now + datetime.timedelta(minutes=5))
    assert [item["commentcontent"] for item in conversation(api)] == ["first", "second", "third"]


def test_comments_at_the_same_instant_keep_their_insertion_order(api, own_ticket):
    now = timezone.now()
    CommentFactory(ticket=own_ticket, text="a", created_at=now)
    CommentFactory(ticket=own_ticket, text="b", created_at=now)
    assert [item["commentcontent"] for item in conversation(api)] == ["a", "b"]


def test_internal_notes_are_not_listed(api, own_ticket):
    CommentFactory(ticket=own_ticket, text="customer")
    AgentCommentFactory(ticket=own_ticket, text="public reply")
    AgentCommentFactory(ticket=own_ticket, text="staff only", is_internal=True)
    assert [item["commentcontent"] for item in conversation(api)] == ["customer", "public reply"]


def test_comments_of_other_tickets_are_not_listed(api, own_ticket):
    CommentFactory(ticket=TicketFactory(contact_number=CONTACT), text="elsewhere")
    assert conversation(api) == []


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_created_time_is_in_the_configured_time_zone(api, own_ticket):
    moment = datetime.datetime(2021, 9, 11, 12, 0, tzinfo=datetime.UTC)
    CommentFactory(ticket=own_ticket, created_at=moment)
    assert conversation(api)[0]["createdtime"] == "2021-09-11 17:30:00"


def test_comment_added_through_e4_is_read_back_unchanged(api, own_ticket):
    text = "Réseau lent 🚀 الشبكة بطيئة 网络很慢"
    body = {"ticketNo": "TT1130", "comment": text, "contactId": str(CONTACT)}
    assert api.call(E4, body=body).status_code == 200
    [item] = conversation(api)
    assert (item["commentcontent"], item["author"]) == (text, "customer")


def test_reply_from_the_desk_service_shows_and_its_internal_note_does_not(api, own_ticket, dana):
    services.comment_create_by_agent(ticket=own_ticket, author=dana, text="We are on it.", is_internal=False)
    services.comment_create_by_agent(ticket=own_ticket, author=dana, text="Escalated.", is_internal=True)
    assert [(item["commentcontent"], item["authorname"]) for item in conversation(api)] == [
        ("We are on it.", "Dana Reyes")
    ]


def test_query_count_does_not_grow_with_the_conversation(api, own_ticket):
    AgentCommentFactory(ticket=own_ticket)
    with CaptureQueriesContext(connection) as one:
        conversation(api)
    for _ in range(5):
        AgentCommentFactory(ticket=own_ticket, author_user=UserFactory())
    with CaptureQueriesContext(connection) as six:
        assert len(conversation(api)) == 6
    assert len(six) == len(one)
