"""docs/webhooks.md tells receiving teams the truth: every event type is listed with an example
body shaped as the service sends it, and its verification code accepts our signatures (both
during a rotation) and refuses a changed body."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from sla import breaches
from tests.factories import UserFactory, WebhookEndpointFactory
from tests.support.processes import ROOT
from tickets import services as tickets
from tickets.models import TicketStatus
from webhooks import services, signing
from webhooks.models import EventType, WebhookEvent

DOC = ROOT / "docs" / "webhooks.md"
TEXT = DOC.read_text()
EXAMPLES = [json.loads(block) for block in re.findall(r"^```json\n(.*?)^```", TEXT, re.MULTILINE | re.DOTALL)]
PYTHON = re.findall(r"^```python\n(.*?)^```", TEXT, re.MULTILINE | re.DOTALL)


def shape(value):
    """The keys of every object, in order, nested; the values left out."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    return type(value).__name__


def example(event_type: str) -> dict:
    [found] = [body for body in EXAMPLES if body["type"] == event_type]
    return found


@pytest.mark.parametrize("event_type", EventType.values)
def test_every_event_type_is_in_the_table(event_type):
    assert re.search(rf"^\| `{re.escape(event_type)}` \|", TEXT, re.MULTILINE)


def test_every_event_type_has_one_example_and_nothing_else_does():
    assert sorted(body["type"] for body in EXAMPLES) == sorted(EventType.values)


@pytest.fixture
def sent(db) -> dict[str, dict]:
    """A body of each type the service sends today, by type, made by the real services."""
    endpoint = WebhookEndpointFactory()
    agent = UserFactory(first_name="Sam", last_name="Okafor")
    ticket = tickets.ticket_create(
        contact_number=649797,
        from_portal=True,
        ticket_status=TicketStatus.OPEN,
        title="Router keeps dropping",
        description="Since Monday.",
        ticket_categories="General Enquiry",
        category="cat1",
        subcategory="sub1",
        status="New",
        source="app",
    )
    breaches.record_breaches(timezone.now() + datetime.timedelta(days=30))  # nobody answered in time
    tickets.ticket_update(ticket=ticket, by=agent, assignee=agent)
    tickets.comment_create_by_agent(ticket=ticket, author=agent, text="Please restart it.", is_internal=False)
    ticket.refresh_from_db()
    tickets.ticket_update(ticket=ticket, by=agent, ticket_status=TicketStatus.CLOSED)
    ticket.refresh_from_db()
    tickets.ticket_rate_by_contact(ticket=ticket, rating=5, comment="Quick.")
    services.endpoint_send_test(endpoint=endpoint)
    return {event.type: json.loads(event.body) for event in WebhookEvent.objects.order_by("pk")}


def test_every_example_is_shaped_as_the_service_sends_it(sent):
    assert set(sent) == set(EventType.values) - {EventType.TICKET_ATTACHMENT_ADDED}
    for event_type, body in sent.items():
        assert shape(example(event_type)) == shape(body), event_type


def test_the_attachment_example_carries_the_ticket_as_every_event_does(sent):
    attachment = example(EventType.TICKET_ATTACHMENT_ADDED)
    assert shape(attachment["data"]["ticket"]) == shape(sent[EventType.TICKET_CREATED]["data"]["ticket"])


@pytest.fixture
def receiver() -> dict:
    """The functions of the page's Python examples."""
    namespace: dict = {}
    for block in PYTHON:
        exec(block, namespace)  # the documentation's own code, as a receiving team copies it
    return namespace


@pytest.fixture
def rotated(db):
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    return endpoint, old


def signed(endpoint, body: str, *, ago: datetime.timedelta = datetime.timedelta(0)) -> dict[str, str]:
    """The headers of an attempt made `ago`."""
    moment = timezone.now() - ago
    return signing.signature_headers(endpoint, "msg_0123456789abcdef0123456789abcdef", body, moment)


BODY = '{"type":"webhook.test","timestamp":"2026-12-02T14:40:21.726Z","data":{"note":"é"}}'


@pytest.mark.parametrize("which", ["new", "old"])
def test_the_standardwebhooks_example_accepts_either_secret_during_a_rotation(receiver, rotated, which):
    endpoint, old = rotated
    secret = endpoint.secret if which == "new" else old
    assert receiver["verified_event"](BODY.encode(), signed(endpoint, BODY), secret) == json.loads(BODY)


def test_the_standardwebhooks_example_refuses_a_changed_body(receiver, rotated):
    endpoint, _ = rotated
    with pytest.raises(receiver["WebhookVerificationError"]):
        receiver["verified_event"](BODY.replace("é", "e").encode(), signed(endpoint, BODY), endpoint.secret)


@pytest.mark.parametrize("which", ["new", "old"])
def test_the_by_hand_example_accepts_either_secret_during_a_rotation(receiver, rotated, which):
    endpoint, old = rotated
    secret = endpoint.secret if which == "new" else old
    assert receiver["signature_is_valid"](BODY.encode(), signed(endpoint, BODY), secret)


def test_the_by_hand_example_refuses_a_changed_body(receiver, rotated):
    endpoint, _ = rotated
    assert not receiver["signature_is_valid"](
        BODY.replace("é", "e").encode(), signed(endpoint, BODY), endpoint.secret
    )


def test_the_by_hand_example_refuses_an_old_timestamp(receiver, rotated):
    endpoint, _ = rotated
    headers = signed(endpoint, BODY, ago=datetime.timedelta(hours=1))
    assert not receiver["signature_is_valid"](BODY.encode(), headers, endpoint.secret)
