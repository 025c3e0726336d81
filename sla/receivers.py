"""Ticket events move the ticket's SLA clock, in the change's transaction."""

from sla import clocks
from tickets.models import TicketEvent
from tickets.signals import event_recorded


def connect() -> None:
    event_recorded.connect(on_event_recorded, sender=TicketEvent, dispatch_uid="sla.receivers")


def on_event_recorded(sender, event: TicketEvent, **kwargs) -> None:
    clocks.on_event(event)
