"""Ticket events that email an agent queue the email here, in the change's transaction."""

from notifications import emails, tasks
from tickets.models import TicketEvent
from tickets.signals import event_recorded


def connect() -> None:
    event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="notifications.receivers")


def on_event_recorded(sender, event: TicketEvent, **kwargs) -> None:
    """Queue the email when the event has someone to tell (`emails.recipient`); the worker sends
    it. The task row commits or rolls back with the change."""
    if emails.recipient(event) is not None:
        tasks.send_notice.enqueue(event.pk)
