"""`ticket.attachment_added` (CONTRACT §12, §13): a public attachment's event carries its E9 item;
an attachment on an internal note sends nothing."""

import json

import pytest

from attachments.models import Attachment
from attachments.services import attachment_create
from tests.factories import AgentCommentFactory, TicketFactory, WebhookEndpointFactory
from tests.support.attachments import content_file, post_attachment
from tests.support.endpoints import CONTACT
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(db):
    return WebhookEndpointFactory()


def test_a_customers_attachment_is_an_event_carrying_its_item(client, endpoint, clock):
    TicketFactory(ticket_number=1130, contact_number=CONTACT)
    post_attachment(client)
    attachment = Attachment.objects.get()
    (event,) = WebhookEvent.objects.all()
    body = json.loads(event.body)
    assert body["type"] == "ticket.attachment_added"
    assert list(body["data"]) == ["ticket", "attachment"]
    assert body["data"]["attachment"] == {
        "id": f"21x{attachment.pk}",
        "filename": "screenshot.png",
        "contenttype": "image/png",
        "size": str(attachment.size),
        "createdtime": "2026-11-30 12:00:00",
        "author": "customer",
    }


def test_an_agents_attachment_on_a_public_reply_is_an_event(endpoint):
    ticket = TicketFactory()
    reply = AgentCommentFactory(ticket=ticket)
    attachment_create(ticket=ticket, file=content_file(), comment=reply)
    (event,) = WebhookEvent.objects.all()
    assert json.loads(event.body)["data"]["attachment"]["author"] == "agent"


def test_an_attachment_on_an_internal_note_sends_nothing(endpoint):
    ticket = TicketFactory()
    note = AgentCommentFactory(ticket=ticket, is_internal=True)
    attachment_create(ticket=ticket, file=content_file(), comment=note)
    assert not WebhookEvent.objects.exists()
