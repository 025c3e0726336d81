"""Tickets with a known history, for the dashboard's numbers (tickets/reports.py)."""

import datetime
import random

from sla.models import SlaOutcome, SlaTarget
from tests.factories import AgentCommentFactory, TicketEventFactory, TicketFactory
from tickets.history import ActorKind, EventKind
from tickets.models import Ticket, TicketRating, TicketStatus


def ticket_with_history(created_at: datetime.datetime, *changes: tuple[datetime.datetime, str]) -> Ticket:
    """A ticket created at `created_at` as Open, then each (time, new status) change in order,
    recorded as the services record them."""
    status = TicketStatus.OPEN
    ticket = TicketFactory(created_at=created_at)
    for at, new in changes:
        TicketEventFactory(
            ticket=ticket,
            kind=EventKind.STATUS_CHANGED,
            actor_kind=ActorKind.STAFF,
            old_value=status,
            new_value=new,
            created_at=at,
        )
        status = new
    ticket.ticket_status = status
    ticket.save(update_fields=["ticket_status"])
    return ticket


def replied_after(created_at: datetime.datetime, wait: datetime.timedelta) -> Ticket:
    """An Open ticket with an agent's public reply `wait` after its creation."""
    ticket = ticket_with_history(created_at)
    AgentCommentFactory(ticket=ticket, created_at=created_at + wait)
    return ticket


def rated(rating: int, at: datetime.datetime) -> TicketRating:
    """A ticket closed and rated `rating` at `at`."""
    hour = datetime.timedelta(hours=1)
    ticket = ticket_with_history(at - 2 * hour, (at - hour, TicketStatus.CLOSED))
    return TicketRating.objects.create(ticket=ticket, rating=rating, created_at=at)


def busy_month(now: datetime.datetime, *, per_day: int = 6, seed: int = 7) -> None:
    """Forty days of a desk's work up to `now`: tickets created each day, most replied to within
    hours (a first-reply SLA target of 16 hours decided for each), moved on, many closed and some
    rated, so every chart has something to show."""
    rng = random.Random(seed)
    hour = datetime.timedelta(hours=1)
    for back in range(40, -1, -1):
        day = now - datetime.timedelta(days=back)
        for _ in range(rng.randint(per_day // 2, per_day * 2)):
            created = day - rng.randint(0, 9) * hour
            if created > now - hour:
                continue
            changes: list[tuple[datetime.datetime, str]] = []
            at = created + rng.randint(1, 20) * hour
            for status in (TicketStatus.IN_PROGRESS, TicketStatus.WAIT_FOR_RESPONSE, TicketStatus.CLOSED):
                if at >= now or rng.random() < 0.25:
                    break
                changes.append((at, status))
                at += rng.randint(2, 48) * hour
            ticket = ticket_with_history(created, *changes)
            reply_at = created + datetime.timedelta(minutes=rng.randint(5, 60 * 30))
            if reply_at < now:
                AgentCommentFactory(ticket=ticket, created_at=reply_at)
            due = created + 16 * hour
            if min(reply_at, due) < now:
                SlaOutcome.objects.create(
                    ticket=ticket,
                    target=SlaTarget.FIRST_REPLY,
                    due=due,
                    in_time=reply_at <= due,
                    decided_at=min(reply_at, due),
                )
            if changes and changes[-1][1] == TicketStatus.CLOSED and rng.random() < 0.5:
                TicketRating.objects.create(
                    ticket=ticket, rating=rng.choice([2, 3, 4, 4, 5, 5, 5]), created_at=changes[-1][0]
                )
