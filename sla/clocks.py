"""Each ticket's SLA clock, kept current in the transaction of every change.

The rule (docs/support-desk.md, "Service levels"): both targets run exactly while the ticket
waits on an agent (tickets.workflow: from its creation, a customer's message, a reopen), from
the moment it started waiting:

- the reply target is `first_reply` until the first public agent reply, `next_reply` after it;
  an agent's public reply, `Wait For Response` or closing ends the period;
- the resolution target counts the business time of every such period since creation: paused
  while the ticket waits on the customer, stopped when closed, resumed by a reopen with the
  time already used;
- a period that ends after its due time is a breach: if the periodic check has not recorded it
  yet, it is recorded then (`advance` returns it), so a late reply is never missed;
- how each target ended (met in time, or breached) is kept as an `SlaOutcome` row for the weekly
  attainment.

A priority change recounts the running period with the new priority's policy. Internal notes,
assignments, attachments and ratings change nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from sla import policies
from sla.models import SlaOutcome, SlaTarget, TicketClock
from sla.policies import Targets
from tickets import workflow
from tickets.history import ActorKind, EventKind, record_event
from tickets.models import Ticket, TicketEvent
from tickets.prepared import insert
from tickets.workflow import WaitingOn

# The kinds that can move a clock.
CLOCK_KINDS = frozenset(
    {EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.COMMENT_ADDED, EventKind.PRIORITY_CHANGED}
)
FIELDS = [
    "first_replied_at",
    "running_since",
    "reply_target",
    "reply_due",
    "reply_breached_at",
    "resolution_used",
    "resolution_due",
    "resolution_breached_at",
    "next_due_at",
]


@dataclass(frozen=True)
class Outcome:
    """How a target ended: met in time, or breached (`in_time` False) at its due time."""

    target: str
    due: datetime.datetime
    in_time: bool = False


def advance(
    clock: TicketClock,
    *,
    waiting: workflow.Waiting,
    at: datetime.datetime,
    targets: Targets | None,
    agent_replied: bool = False,
) -> list[Outcome]:
    """Bring `clock` (in memory) to the ticket's state after a change at `at`: `waiting` is who
    it waits on after the change, `agent_replied` whether the change was an agent's public
    reply. Returns how the targets of a period that ended now ended: met in time (a reply, a
    close) or breached late and not yet recorded (marked recorded on the clock: the caller
    records their events)."""
    if agent_replied and clock.first_replied_at is None:
        clock.first_replied_at = at
    runs = waiting.on == WaitingOn.AGENT
    continues = runs and clock.running_since == waiting.since
    outcomes: list[Outcome] = []
    if clock.running_since is not None and not continues:
        if targets is not None:
            clock.resolution_used += round(targets.hours.between(clock.running_since, at))
        outcomes = _period_ended(clock, at, replied=agent_replied, closed=waiting.on == WaitingOn.NOBODY)
    clock.running_since = waiting.since if runs else None
    if runs and not continues:
        clock.reply_target = SlaTarget.FIRST_REPLY if clock.first_replied_at is None else SlaTarget.NEXT_REPLY
        clock.reply_breached_at = None
    if runs and targets is not None:
        since = waiting.since
        clock.reply_due = targets.hours.add(since, targets.reply(clock.reply_target))
        remaining = targets.resolution - clock.resolution_used
        clock.resolution_due = (
            targets.hours.add(since, remaining) if remaining > 0 else clock.resolution_breached_at or since
        )
    else:
        clock.reply_due = clock.resolution_due = None
    dues = [due for due in (clock.reply_due, clock.resolution_due) if due is not None]
    clock.next_due_at = min(dues) if dues else None
    return outcomes


def _period_ended(clock: TicketClock, at: datetime.datetime, *, replied: bool, closed: bool) -> list[Outcome]:
    """A reply target ends with the reply, the resolution target with closing; any running
    target whose due time has passed unrecorded is breached."""
    outcomes = []
    ended = (
        (clock.reply_target, clock.reply_due, clock.reply_breached_at, replied, "reply_breached_at"),
        (
            SlaTarget.RESOLUTION,
            clock.resolution_due,
            clock.resolution_breached_at,
            closed,
            "resolution_breached_at",
        ),
    )
    for target, due, breached_at, met, breached_field in ended:
        if due is None or breached_at is not None:
            continue
        if due <= at:
            setattr(clock, breached_field, due)
            outcomes.append(Outcome(target, due))
        elif met:
            outcomes.append(Outcome(target, due, in_time=True))
    return outcomes


def record_outcome(ticket: Ticket, outcome: Outcome, *, at: datetime.datetime) -> None:
    """A target met in time (`at` when), or breached: then the `sla_breached` event too (by the
    system: `old_value` the target, `new_value` its due)."""
    SlaOutcome.objects.create(
        ticket=ticket,
        target=outcome.target,
        due=outcome.due,
        in_time=outcome.in_time,
        decided_at=at if outcome.in_time else outcome.due,
    )
    if outcome.in_time:
        return
    record_event(
        ticket=ticket,
        kind=EventKind.SLA_BREACHED,
        at=at,
        actor_kind=ActorKind.SYSTEM,
        old_value=outcome.target,
        new_value=outcome.due.astimezone(datetime.UTC).isoformat(),
    )


def _loaded_clock(ticket: Ticket) -> TicketClock | None:
    """The ticket's clock row: the one this change (or the queue) already loaded, else one
    query. None for a ticket from before the sla app that `sla_recompute` has not reached."""
    try:
        return ticket.sla_clock
    except TicketClock.DoesNotExist:
        return None


def _snapshot(clock: TicketClock) -> list:
    return [getattr(clock, field) for field in FIELDS]


def on_event(event: TicketEvent) -> None:
    """Update the ticket's clock for `event`, in its transaction (under the ticket's lock).

    Creating a ticket costs one INSERT. A change that leaves who it waits on as it was (a second
    customer message, Open ↔ In Progress) costs nothing; any other costs reading the clock (once
    per change: the row stays on the in-memory ticket) and one UPDATE."""
    if event.kind not in CLOCK_KINDS:
        return
    ticket = event.ticket
    at = event.created_at
    waiting = workflow.Waiting(ticket.waiting_on, ticket.waiting_since)
    agent_replied = False
    if event.kind == EventKind.COMMENT_ADDED:
        # The services record a comment before they set who the ticket waits on.
        by_customer = event.actor_kind == ActorKind.CUSTOMER
        agent_replied = not by_customer
        waiting_before = waiting
        waiting = workflow.waiting_after_comment(
            waiting_before, by_customer=by_customer, ticket_status=ticket.ticket_status, at=at
        )
        if by_customer and waiting == waiting_before and "sla_clock" not in ticket._state.fields_cache:
            return
    elif event.kind == EventKind.STATUS_CHANGED and waiting.since != at:
        return  # who it waits on did not change
    targets = policies.targets_for(ticket.priority)
    if event.kind == EventKind.CREATED:
        created = TicketClock(ticket=ticket)
        advance(created, waiting=waiting, at=at, targets=targets)
        # save(force_insert=True), compiled once (tickets/prepared.py); a new ticket's clock cannot
        # conflict with any row, so it may wait for the next statement or the COMMIT.
        insert(created, deferred=True)
        ticket.sla_clock = created
        return
    clock = _loaded_clock(ticket)
    if clock is None:
        clock = TicketClock(ticket=ticket)
        ticket.sla_clock = clock
    before = _snapshot(clock)
    outcomes = advance(clock, waiting=waiting, at=at, targets=targets, agent_replied=agent_replied)
    changed = [field for field, old, new in zip(FIELDS, before, _snapshot(clock), strict=True) if old != new]
    if clock._state.adding:
        insert(clock)
    elif changed:
        clock.save(update_fields=changed)
    for outcome in outcomes:
        record_outcome(ticket, outcome, at=at)


# --- From the history (sla_recompute, and after a policy or calendar changes) -------------------


def replay(
    ticket: Ticket, events: list[TicketEvent], targets: Targets | None, *, keep: TicketClock | None = None
) -> TicketClock:
    """The clock the rule gives the ticket's history (`events` in order) under today's
    `targets`. Breaches recorded on `keep` (the ticket's current clock) stay recorded; periods
    that ended in the past record nothing now."""
    clock = TicketClock(ticket=ticket)
    first_change = next((event for event in events if event.kind == EventKind.STATUS_CHANGED), None)
    status = first_change.old_value if first_change is not None else ticket.ticket_status
    waiting = workflow.waiting_at_creation(status, ticket.created_at)
    advance(clock, waiting=waiting, at=ticket.created_at, targets=targets)
    for event in events:
        agent_replied = False
        if event.kind == EventKind.STATUS_CHANGED:
            waiting = workflow.waiting_after_status(
                waiting, old=event.old_value, new=event.new_value, at=event.created_at
            )
            status = event.new_value
        elif event.kind == EventKind.COMMENT_ADDED:
            agent_replied = event.actor_kind != ActorKind.CUSTOMER
            waiting = workflow.waiting_after_comment(
                waiting, by_customer=not agent_replied, ticket_status=status, at=event.created_at
            )
        else:
            continue
        advance(clock, waiting=waiting, at=event.created_at, targets=targets, agent_replied=agent_replied)
    if keep is not None:
        clock.resolution_breached_at = keep.resolution_breached_at
        if keep.running_since == clock.running_since:
            clock.reply_breached_at = keep.reply_breached_at
    return clock


OPEN_BATCH = 500


def recompute_open(*, batch: int = OPEN_BATCH) -> int:
    """Recompute the clock of every ticket that is not closed from its history, with the
    settings as they are now; the number of tickets. Each batch in its own transaction, each
    ticket under its row lock."""
    policies.forget()
    done = 0
    last_pk = 0
    while True:
        ids = list(
            Ticket.objects.exclude(waiting_on=WaitingOn.NOBODY)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        with transaction.atomic():
            tickets = (
                Ticket.objects.select_for_update(of=("self",))
                .filter(pk__in=ids)
                .select_related("sla_clock")
                .prefetch_related("events")
                .order_by("pk")
            )
            for ticket in tickets:
                current = _loaded_clock(ticket)
                clock = replay(
                    ticket, list(ticket.events.all()), policies.targets_for(ticket.priority), keep=current
                )
                if current is None:
                    clock.save(force_insert=True)
                else:
                    clock.save()
                done += 1
        last_pk = ids[-1]
