"""The outbox (CONTRACT §12): which ticket changes become events, each event's exact body and key
order, one delivery and one queued task per subscribed endpoint, all in the change's
transaction; internal notes and rolled-back changes send nothing."""

import json

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from tests.factories import TicketFactory, UserFactory, WebhookEndpointFactory
from tests.support.client import envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E3, E4, E5, E11, E12, TICKET_BODY
from tests.support.task_worker import queued, run_queued_tasks
from tickets import services
from tickets.formats import format_datetime
from tickets.models import Comment, Ticket, TicketStatus
from webhooks import tasks
from webhooks.models import DeliveryState, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

PAYLOAD_KEYS = ["type", "timestamp", "data"]
TICKET_KEYS = [
    "ticket_no", "id", "contact_id", "ticketstatus", "ticket_title", "ticketcategories", "source",
    "modifiedtime",
]  # fmt: skip
# The frozen clock's time as the body's `timestamp` writes it.
TIMESTAMP = "2026-11-30T12:00:00.000Z"
NOTE = "Internal: the customer is on the fraud watch list"


@pytest.fixture
def endpoint(db) -> WebhookEndpoint:
    """Subscribed to every type."""
    return WebhookEndpointFactory()


@pytest.fixture
def own_open(db) -> Ticket:
    return TicketFactory(ticket_number=1130, contact_number=CONTACT, title="No data since Monday")


def events() -> list[WebhookEvent]:
    return list(WebhookEvent.objects.order_by("pk"))


def payload(event: WebhookEvent) -> dict:
    """The body, its keys' order checked on the way (the data's own keys are checked by each test)."""
    body = json.loads(event.body)
    assert list(body) == PAYLOAD_KEYS
    assert list(body["data"]["ticket"]) == TICKET_KEYS
    return body


def expected_ticket(ticket: Ticket) -> dict[str, str]:
    ticket.refresh_from_db()
    return {
        "ticket_no": f"TT{ticket.ticket_number}",
        "id": f"17x{ticket.pk}",
        "contact_id": f"12x{ticket.contact_number}" if ticket.contact_number else "",
        "ticketstatus": ticket.ticket_status,
        "ticket_title": ticket.title,
        "ticketcategories": ticket.ticket_categories,
        "source": ticket.source,
        "modifiedtime": format_datetime(ticket.modified_at),
    }


# --- every type's body -----------------------------------------------------------------------


def test_ticket_created_by_e5_is_this_exact_body(api, endpoint, clock):
    record = envelope_result(api.call(E5, body=TICKET_BODY))
    (event,) = events()
    assert event.type == EventType.TICKET_CREATED
    assert event.body == (
        '{"type":"ticket.created","timestamp":"2026-11-30T12:00:00.000Z","data":{"ticket":{'
        f'"ticket_no":"{record["ticket_no"]}","id":"{record["id"]}","contact_id":"12x649797",'
        '"ticketstatus":"Open","ticket_title":"Plan change","ticketcategories":"Plan change",'
        '"source":"app","modifiedtime":"2026-11-30 12:00:00"}}}'
    )


def test_ticket_created_by_e3_without_a_contact(api, endpoint, clock):
    record = envelope_result(api.call(E3, body={**TICKET_BODY, "source": "facebook"}))
    (event,) = events()
    body = payload(event)
    assert body == {
        "type": "ticket.created",
        "timestamp": TIMESTAMP,
        "data": {"ticket": expected_ticket(Ticket.objects.get(pk=int(record["id"][3:])))},
    }
    assert body["data"]["ticket"]["contact_id"] == ""
    assert body["data"]["ticket"]["source"] == "facebook"


def test_status_changed_by_the_customer_with_e11(api, endpoint, own_open, clock):
    envelope_result(
        api.call(E11, body={"ticketNo": "TT1130", "ticketStatus": "Closed", "contactId": str(CONTACT)})
    )
    (event,) = events()
    body = payload(event)
    assert body == {
        "type": "ticket.status_changed",
        "timestamp": TIMESTAMP,
        "data": {
            "ticket": expected_ticket(own_open),
            "change": {"field": "ticketstatus", "from": "Open", "to": "Closed", "by": "customer"},
        },
    }
    assert list(body["data"]) == ["ticket", "change"]
    assert list(body["data"]["change"]) == ["field", "from", "to", "by"]
    assert body["data"]["ticket"]["ticketstatus"] == "Closed"


def test_status_changed_by_an_agent_at_the_desk(endpoint, own_open, dana, clock):
    services.ticket_update(ticket=own_open, by=dana, ticket_status=TicketStatus.IN_PROGRESS)
    (event,) = events()
    assert payload(event)["data"] == {
        "ticket": expected_ticket(own_open),
        "change": {"field": "ticketstatus", "from": "Open", "to": "In Progress", "by": "agent"},
    }


def test_assigned_names_the_users_by_record_id(endpoint, own_open, dana, clock):
    services.ticket_update(ticket=own_open, by=dana, assignee=dana)
    other = UserFactory(username="sam")
    services.ticket_update(ticket=own_open, by=dana, assignee=other)
    first, second = events()
    assert payload(first)["data"]["change"] == {
        "field": "assigned_user_id",
        "from": "",
        "to": f"19x{dana.pk}",
        "by": "agent",
    }
    assert payload(second) == {
        "type": "ticket.assigned",
        "timestamp": TIMESTAMP,
        "data": {
            "ticket": expected_ticket(own_open),
            "change": {
                "field": "assigned_user_id",
                "from": f"19x{dana.pk}",
                "to": f"19x{other.pk}",
                "by": "agent",
            },
        },
    }


def test_comment_added_by_the_customer_with_e4(api, endpoint, own_open, clock):
    envelope_result(
        api.call(E4, body={"ticketNo": "TT1130", "comment": "Still no data.", "contactId": str(CONTACT)})
    )
    (event,) = events()
    comment = Comment.objects.get()
    body = payload(event)
    assert body == {
        "type": "ticket.comment_added",
        "timestamp": TIMESTAMP,
        "data": {
            "ticket": expected_ticket(own_open),
            "comment": {
                "id": str(comment.pk),
                "commentcontent": "Still no data.",
                "createdtime": "2026-11-30 12:00:00",
                "author": "customer",
                "authorname": "",
            },
        },
    }
    assert list(body["data"]) == ["ticket", "comment"]
    assert list(body["data"]["comment"]) == ["id", "commentcontent", "createdtime", "author", "authorname"]


def test_comment_added_by_an_agents_public_reply(endpoint, own_open, dana, clock):
    comment = services.comment_create_by_agent(
        ticket=own_open, author=dana, text="Fixed now.", is_internal=False
    )
    (event,) = events()
    assert payload(event)["data"] == {
        "ticket": expected_ticket(own_open),
        "comment": {
            "id": str(comment.pk),
            "commentcontent": "Fixed now.",
            "createdtime": "2026-11-30 12:00:00",
            "author": "agent",
            "authorname": "Dana Reyes",
        },
    }


def test_rated_with_e12(api, endpoint, clock):
    closed = TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED)
    envelope_result(
        api.call(
            E12, body={"ticketNo": "TT1130", "rating": 4, "comment": "Thanks.", "contactId": str(CONTACT)}
        )
    )
    (event,) = events()
    body = payload(event)
    assert body == {
        "type": "ticket.rated",
        "timestamp": TIMESTAMP,
        "data": {
            "ticket": expected_ticket(closed),
            "rating": {
                "ticket_no": "TT1130",
                "rating": "4",
                "comment": "Thanks.",
                "createdtime": "2026-11-30 12:00:00",
            },
        },
    }
    assert list(body["data"]["rating"]) == ["ticket_no", "rating", "comment", "createdtime"]


def test_a_customer_comment_reopening_a_closed_ticket_is_two_events_in_order(api, endpoint, clock):
    TicketFactory(
        ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED, modified_at=NOW
    )
    envelope_result(
        api.call(E4, body={"ticketNo": "TT1130", "comment": "It broke again.", "contactId": str(CONTACT)})
    )
    status, comment = events()
    assert payload(status)["data"]["change"] == {
        "field": "ticketstatus",
        "from": "Closed",
        "to": "Open",
        "by": "customer",
    }
    assert payload(status)["data"]["ticket"]["ticketstatus"] == "Open"
    assert payload(comment)["data"]["comment"]["commentcontent"] == "It broke again."


# --- what sends nothing ----------------------------------------------------------------------


def test_an_internal_note_sends_nothing(endpoint, own_open, dana):
    services.comment_create_by_agent(ticket=own_open, author=dana, text=NOTE, is_internal=True)
    assert events() == []
    assert not queued(tasks.deliver)


def test_no_event_body_ever_carries_an_internal_notes_text(api, endpoint, own_open, dana):
    services.comment_create_by_agent(ticket=own_open, author=dana, text=NOTE, is_internal=True)
    services.comment_create_by_agent(ticket=own_open, author=dana, text="We are on it.", is_internal=False)
    services.ticket_update(ticket=own_open, by=dana, ticket_status=TicketStatus.CLOSED, assignee=dana)
    envelope_result(api.call(E12, body={"ticketNo": "TT1130", "rating": 5, "contactId": str(CONTACT)}))
    assert [event.type for event in events()] == [
        EventType.TICKET_COMMENT_ADDED,
        EventType.TICKET_STATUS_CHANGED,
        EventType.TICKET_ASSIGNED,
        EventType.TICKET_RATED,
    ]
    assert not [event for event in events() if NOTE in event.body or "fraud" in event.body]


def test_a_priority_change_sends_nothing(endpoint, own_open, dana):
    services.ticket_update(ticket=own_open, by=dana, priority="Urgent")
    assert events() == []


def change_then_fail(ticket: Ticket, agent) -> None:
    """A reply and a status change, then an error before the transaction commits."""
    with transaction.atomic():
        services.comment_create_by_agent(ticket=ticket, author=agent, text="Fixed now.", is_internal=False)
        services.ticket_update(ticket=ticket, by=agent, ticket_status=TicketStatus.CLOSED)
        assert len(events()) == 2  # written inside the change's transaction...
        raise RuntimeError("the change fails after its events were written")


def test_a_rolled_back_change_sends_nothing(endpoint, own_open, dana):
    with pytest.raises(RuntimeError):
        change_then_fail(own_open, dana)
    assert events() == []  # ...and gone with it
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_without_endpoints_no_event_is_stored(api):
    envelope_result(api.call(E5, body=TICKET_BODY))
    assert events() == []
    assert not DBTaskResult.objects.exists()


# --- who gets it -----------------------------------------------------------------------------


def test_each_subscribed_enabled_endpoint_gets_a_delivery_and_a_task(api):
    everything = WebhookEndpointFactory()
    creations = WebhookEndpointFactory(event_types=[EventType.TICKET_CREATED])
    WebhookEndpointFactory(event_types=[EventType.TICKET_RATED])
    WebhookEndpointFactory(enabled=False)
    envelope_result(api.call(E5, body=TICKET_BODY))
    (event,) = events()
    deliveries = list(event.deliveries.order_by("endpoint_id"))
    assert [delivery.endpoint for delivery in deliveries] == [everything, creations]
    assert all(delivery.state == DeliveryState.PENDING for delivery in deliveries)
    assert all(delivery.next_attempt_at == event.occurred_at for delivery in deliveries)
    assert len({delivery.webhook_id for delivery in deliveries}) == 2
    assert all(delivery.webhook_id.startswith("msg_") for delivery in deliveries)
    assert sorted(task.args_kwargs["args"][0] for task in queued(tasks.deliver)) == [d.pk for d in deliveries]


def test_an_event_arrives_signed_at_a_real_receiver_through_the_worker(api, settings, webhook_receiver):
    settings.IS_DEVELOPMENT = True
    endpoint = WebhookEndpointFactory(url=webhook_receiver.url)
    envelope_result(api.call(E5, body=TICKET_BODY))
    assert run_queued_tasks() == 1
    (event,) = events()
    (request,) = webhook_receiver.requests
    assert request.body == event.body.encode()
    assert request.headers["webhook-id"] == event.deliveries.get().webhook_id
    assert Webhook(endpoint.secret).verify(request.body, request.headers)["type"] == "ticket.created"
