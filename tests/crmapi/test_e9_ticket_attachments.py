"""E9 (CONTRACT §13, §14): a ticket's public attachments, oldest first, with an ETag."""

import pytest

from attachments.services import attachment_create
from crmapi import messages
from tests.factories import AgentCommentFactory, TicketFactory
from tests.support.attachments import content_file, post_attachment
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import E9, OTHER_CONTACT

pytestmark = pytest.mark.django_db


def listed(api, ticket_no="TT1130"):
    return api.call(E9, query={"ticketNo": ticket_no})


def agent_attachment(ticket, *, internal: bool, name: str):
    note = AgentCommentFactory(ticket=ticket, is_internal=internal)
    return attachment_create(ticket=ticket, file=content_file(name), comment=note)


def test_attachments_are_listed_oldest_first_as_items(api, client, own_ticket):
    post_attachment(client)
    agent_attachment(own_ticket, internal=False, name="answer.png")
    items = envelope_result(listed(api))
    assert [(item["filename"], item["author"]) for item in items] == [
        ("screenshot.png", "customer"),
        ("answer.png", "agent"),
    ]
    assert list(items[0]) == ["id", "filename", "contenttype", "size", "createdtime", "author"]


def test_attachments_on_internal_notes_are_never_listed(api, own_ticket):
    agent_attachment(own_ticket, internal=True, name="internal.png")
    assert envelope_result(listed(api)) == []


def test_a_missing_ticket_no_is_400(api, own_ticket):
    assert_error(api.call(E9), 400, messages.QUERY_REQUIRED.format(name="ticketNo"))


def test_another_contacts_ticket_is_404(api):
    TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    assert_error(listed(api), 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT1130"))


def test_the_etag_answers_304_until_an_attachment_is_added(api, client, own_ticket):
    tag = listed(api)["ETag"]
    unchanged = api.call(E9, query={"ticketNo": "TT1130"}, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    post_attachment(client)
    changed = api.call(E9, query={"ticketNo": "TT1130"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed["ETag"] != tag


def test_the_etag_changes_with_an_agents_attachment_on_a_public_reply(api, own_ticket):
    tag = listed(api)["ETag"]
    agent_attachment(own_ticket, internal=False, name="answer.png")
    assert listed(api)["ETag"] != tag


def test_an_internal_notes_attachment_leaves_the_etag_alone(api, own_ticket):
    tag = listed(api)["ETag"]
    agent_attachment(own_ticket, internal=True, name="internal.png")
    assert listed(api)["ETag"] == tag
