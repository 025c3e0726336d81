"""factory-boy factories for the store. Tickets get numbers from a factory sequence; the API
path allocates them through services.ticket_create."""

import json

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from crmapi.models import IdempotencyRecord
from desk.models import CannedReply
from tickets.history import EventKind, creator_kind
from tickets.models import Comment, IssueType, Ticket, TicketEvent, TicketStatus
from tickets.workflow import waiting_at_creation
from webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.outbox import format_timestamp


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.django.Password("agent-password")


class IssueTypeFactory(DjangoModelFactory):
    class Meta:
        model = IssueType

    name = factory.Sequence(lambda n: f"Issue type {n}")
    is_active = True
    sort_order = factory.Sequence(lambda n: n * 10)


class TicketFactory(DjangoModelFactory):
    """A ticket with its `created` event, as `services.ticket_create` writes it."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    ticket_number = factory.Sequence(lambda n: 5000 + n)
    contact_number = 649797
    ticket_status = TicketStatus.OPEN
    title = factory.Faker("sentence", nb_words=4)
    description = factory.Faker("paragraph")
    ticket_categories = "Request"
    category = "cat1"
    subcategory = "sub1"
    status = "New"
    source = "app"
    from_portal = True
    created_at = factory.LazyFunction(timezone.now)
    modified_at = factory.SelfAttribute("created_at")
    # As `services.ticket_create` sets them: who a ticket of this status waits on, since creation.
    waiting_on = factory.LazyAttribute(
        lambda ticket: waiting_at_creation(ticket.ticket_status, ticket.created_at).on
    )
    waiting_since = factory.SelfAttribute("created_at")
    created_event = factory.RelatedFactory(
        "tests.factories.TicketEventFactory", factory_related_name="ticket"
    )


class TicketEventFactory(DjangoModelFactory):
    """A ticket's `created` event unless told otherwise."""

    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory, created_event=None)
    kind = EventKind.CREATED
    actor_kind = factory.LazyAttribute(lambda event: creator_kind(event.ticket.contact_number))
    created_at = factory.SelfAttribute("ticket.created_at")


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author_contact = factory.SelfAttribute("ticket.contact_number")
    text = factory.Faker("sentence")
    created_at = factory.LazyFunction(timezone.now)


class AgentCommentFactory(CommentFactory):
    """A staff reply; pass `is_internal=True` for an internal note."""

    author_contact = None
    author_user = factory.SubFactory(UserFactory)
    is_internal = False


class CannedReplyFactory(DjangoModelFactory):
    """An active canned reply that keeps the ticket's status."""

    class Meta:
        model = CannedReply

    title = factory.Sequence(lambda n: f"Canned reply {n}")
    body = "Hello, about {ticket_no}: we are on it. {agent_name}"
    sort_order = factory.Sequence(lambda n: n * 10)


class IdempotencyRecordFactory(DjangoModelFactory):
    """A claim on an Idempotency-Key of contact 649797 on E5, still in flight unless given a
    `status_code`."""

    class Meta:
        model = IdempotencyRecord

    scope = "ticket-create"
    caller = "649797"
    key = factory.Sequence(lambda n: f"key-{n}")
    request_fingerprint = "0" * 64
    status_code = None
    created_at = factory.LazyFunction(timezone.now)


class WebhookEndpointFactory(DjangoModelFactory):
    """An enabled endpoint subscribed to every event type (`services.endpoint_create` is how
    operators add one)."""

    class Meta:
        model = WebhookEndpoint

    url = factory.Sequence(lambda n: f"https://receiver{n}.example/hooks")


class WebhookEventFactory(DjangoModelFactory):
    """A `webhook.test` event with the body the outbox would write for it."""

    class Meta:
        model = WebhookEvent

    type = EventType.WEBHOOK_TEST
    occurred_at = factory.LazyFunction(timezone.now)
    body = factory.LazyAttribute(
        lambda event: json.dumps(
            {"type": event.type, "timestamp": format_timestamp(event.occurred_at), "data": {}},
            separators=(",", ":"),
        )
    )


class WebhookDeliveryFactory(DjangoModelFactory):
    """A pending delivery, due at once; no task is queued for it."""

    class Meta:
        model = WebhookDelivery

    webhook_id = factory.LazyFunction(WebhookDelivery.new_webhook_id)
    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(WebhookEventFactory)
    created_at = factory.SelfAttribute("event.occurred_at")
    next_attempt_at = factory.SelfAttribute("created_at")


class WebhookAttemptFactory(DjangoModelFactory):
    """A failed attempt (500) of a delivery."""

    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    number = factory.Sequence(lambda n: n + 1)
    started_at = factory.LazyFunction(timezone.now)
    duration_ms = 120
    status_code = 500
    response_excerpt = "Internal Server Error"
