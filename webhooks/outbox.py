"""The outbox (CONTRACT §12): each ticket event that other systems hear of becomes one
`WebhookEvent`, one `WebhookDelivery` per endpoint subscribed to its type and one task per
delivery, all written in the transaction of the change. A change that rolls back leaves none of
them; one that commits is delivered whenever a worker runs.
"""

import datetime
import json
from collections.abc import Callable

from tickets.formats import USER_ID_PREFIX, prefixed
from tickets.history import ActorKind, EventKind
from tickets.models import TicketEvent, TicketRating
from tickets.prepared import PreparedQuery
from tickets.records import attachment_item, comment_item, rating_result, ticket_summary
from tickets.signals import event_expected, event_recorded
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

# `data.change.by` (CONTRACT §12).
CHANGED_BY = {ActorKind.CUSTOMER: "customer", ActorKind.STAFF: "agent", ActorKind.SYSTEM: "system"}


def connect() -> None:
    event_expected.connect(on_event_expected, sender=TicketEvent, dispatch_uid="webhooks.outbox")
    event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="webhooks.outbox")


def on_event_expected(sender, kind: str, **kwargs) -> Callable[[], list[WebhookEndpoint]] | None:
    """The endpoints an event of `kind` will go to, read before the change's locks (on
    PostgreSQL with the change's first statement): a callable giving them. None for a kind whose
    type depends on the event (a comment's) or that no system hears of."""
    event_type = _TYPES.get(EventKind(kind))
    if event_type is None:
        return None
    enabled = _ENABLED_ENDPOINTS.values_later()
    return lambda: _subscribed(enabled(), event_type)


def on_event_recorded(
    sender, event: TicketEvent, assignee_ids=None, subject=None, expected=None, **kwargs
) -> None:
    event_type = event_type_of(event)
    if event_type is None:
        return
    expected_endpoints = (expected or {}).get(on_event_expected)
    endpoints = expected_endpoints() if expected_endpoints else subscribed_endpoints(event_type)
    if endpoints:
        data = event_data(event_type, event, assignee_ids, subject)
        publish(event_type, data, ticket=event.ticket, occurred_at=event.created_at, endpoints=endpoints)


def event_type_of(event: TicketEvent) -> str | None:
    """The §12 type of a ticket event; None for what other systems never hear of (internal notes
    above all, priority changes, converted history)."""
    kind = event.kind
    if kind == EventKind.COMMENT_ADDED:
        public = event.comment is not None and not event.comment.is_internal
        return EventType.TICKET_COMMENT_ADDED if public else None
    return _TYPES.get(EventKind(kind))


_TYPES = {
    EventKind.CREATED: EventType.TICKET_CREATED,
    EventKind.STATUS_CHANGED: EventType.TICKET_STATUS_CHANGED,
    EventKind.ASSIGNEE_CHANGED: EventType.TICKET_ASSIGNED,
    EventKind.RATED: EventType.TICKET_RATED,
    # Recorded for public attachments only (an internal note's records no event).
    EventKind.ATTACHMENT_ADDED: EventType.TICKET_ATTACHMENT_ADDED,
    EventKind.SLA_BREACHED: EventType.TICKET_SLA_BREACHED,
}


def event_data(event_type: str, event: TicketEvent, assignee_ids, subject=None) -> dict:
    """What `data` carries beyond `data.ticket` for each type; `subject` is the attachment of an
    attachment event (the domain's signal hands it over: this app cannot import attachments)."""
    if event_type == EventType.TICKET_STATUS_CHANGED:
        return {"change": _change(event, "ticketstatus")}
    if event_type == EventType.TICKET_ASSIGNED:
        before, after = assignee_ids or (None, None)
        change = _change(event, "assigned_user_id")
        change["from"], change["to"] = prefixed(USER_ID_PREFIX, before), prefixed(USER_ID_PREFIX, after)
        return {"change": change}
    if event_type == EventType.TICKET_COMMENT_ADDED:
        return {"comment": comment_item(event.comment)}
    if event_type == EventType.TICKET_ATTACHMENT_ADDED:
        return {"attachment": attachment_item(subject)}
    if event_type == EventType.TICKET_SLA_BREACHED:
        # The event keeps the target and its due time (ISO 8601) as its old and new value.
        due = datetime.datetime.fromisoformat(event.new_value)
        return {"sla": {"target": event.old_value, "due": format_timestamp(due)}}
    if event_type == EventType.TICKET_RATED:
        rating = TicketRating.objects.select_related("ticket").get(ticket=event.ticket)
        return {"rating": rating_result(rating)}
    return {}


# Every enabled endpoint's key and subscription, compiled once (tickets/prepared.py): every change
# with an event reads it, mostly to find none, and a delivery needs no more of its endpoint.
_ENDPOINT_FIELDS = ("id", "event_types")
_ENABLED_ENDPOINTS = PreparedQuery(
    lambda: WebhookEndpoint.objects.filter(enabled=True).order_by("pk").values(*_ENDPOINT_FIELDS)
)


def subscribed_endpoints(event_type: str) -> list[WebhookEndpoint]:
    """The enabled endpoints that receive `event_type` (one query; the table is small)."""
    return _subscribed(_ENABLED_ENDPOINTS.values(), event_type)


def _subscribed(enabled: list[dict], event_type: str) -> list[WebhookEndpoint]:
    """The endpoints of these rows that receive `event_type`, loaded with their key and
    subscription only (the other fields read on access)."""
    endpoints = (WebhookEndpoint.from_db("default", _ENDPOINT_FIELDS, tuple(row.values())) for row in enabled)
    return [endpoint for endpoint in endpoints if endpoint.receives(event_type)]


def _change(event: TicketEvent, field: str) -> dict[str, str]:
    return {
        "field": field,
        "from": event.old_value,
        "to": event.new_value,
        "by": CHANGED_BY[ActorKind(event.actor_kind)],
    }


def format_timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. `2026-12-02T14:05:09.120Z`."""
    utc = moment.astimezone(datetime.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def publish(
    event_type: str,
    data: dict,
    *,
    ticket=None,
    occurred_at: datetime.datetime,
    endpoints: list[WebhookEndpoint] | None = None,
) -> WebhookEvent | None:
    """Store the event and queue a delivery to each endpoint (by default every enabled endpoint
    subscribed to `event_type`); nothing when no endpoint wants it. Call inside the change's
    transaction."""
    from webhooks import tasks

    if endpoints is None:
        endpoints = subscribed_endpoints(event_type)
    if not endpoints:
        return None
    payload_data = {"ticket": ticket_summary(ticket), **data} if ticket is not None else data
    body = json.dumps(
        {"type": event_type, "timestamp": format_timestamp(occurred_at), "data": payload_data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    event = WebhookEvent.objects.create(type=event_type, body=body, occurred_at=occurred_at, ticket=ticket)
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            webhook_id=WebhookDelivery.new_webhook_id(),
            endpoint=endpoint,
            event=event,
            next_attempt_at=occurred_at,
            created_at=occurred_at,
        )
        tasks.deliver.enqueue(delivery.pk)
    return event
