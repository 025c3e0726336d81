"""Every existing ticket's `waiting_on` and `waiting_since`, from its history: the rule the
services apply from now on (`tickets.workflow`), replayed over what happened to the ticket.

What happened is read from two places: the status changes from the events, and the public
comments from the comments themselves (comments written before the events existed have no
`comment_added` event). The status the ticket was created with is the first status change's old
value, or the current status when it never changed. A ticket that is closed now waits on nobody
whatever its history says (a status changed outside the services).

Read in primary-key batches, each with its status events and public comments prefetched, and
written back in batches. The reverse changes nothing: the columns go with the migration before.
"""

from django.db import migrations
from django.db.models import Prefetch

from tickets import workflow

BATCH = 2000
STATUS_CHANGED = "status_changed"


def waiting_of(ticket) -> workflow.Waiting:
    changes = list(ticket.status_changes)
    initial = changes[0].old_value if changes else ticket.ticket_status
    # (time, order at the same time, what): status changes before comments at the same instant.
    steps = [(event.created_at, 0, event.pk, event) for event in changes]
    steps += [(comment.created_at, 1, comment.pk, comment) for comment in ticket.public_comments]
    status = initial
    waiting = workflow.waiting_at_creation(initial, ticket.created_at)
    for at, order, _, step in sorted(steps, key=lambda step: step[:3]):
        if order == 0:
            waiting = workflow.waiting_after_status(waiting, old=step.old_value, new=step.new_value, at=at)
            status = step.new_value
        else:
            by_customer = step.author_user_id is None
            waiting = workflow.waiting_after_comment(waiting, by_customer=by_customer, ticket_status=status, at=at)
    if ticket.ticket_status == workflow.CLOSED and waiting.on != workflow.WaitingOn.NOBODY:
        closed = [event.created_at for event in changes if event.new_value == workflow.CLOSED]
        waiting = workflow.Waiting(workflow.WaitingOn.NOBODY, closed[-1] if closed else ticket.created_at)
    return waiting


def waiting_from_history(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    Comment = apps.get_model("tickets", "Comment")
    db = schema_editor.connection.alias
    tickets = (
        Ticket.objects.using(db)
        .order_by("pk")
        .only("pk", "ticket_status", "created_at")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=TicketEvent.objects.using(db).filter(kind=STATUS_CHANGED).order_by("pk"),
                to_attr="status_changes",
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.using(db).filter(is_internal=False).order_by("created_at", "pk"),
                to_attr="public_comments",
            ),
        )
        .iterator(chunk_size=BATCH)
    )
    pending = []
    for ticket in tickets:
        waiting = waiting_of(ticket)
        ticket.waiting_on, ticket.waiting_since = waiting.on, waiting.since
        pending.append(ticket)
        if len(pending) >= BATCH:
            Ticket.objects.using(db).bulk_update(pending, ["waiting_on", "waiting_since"])
            pending = []
    Ticket.objects.using(db).bulk_update(pending, ["waiting_on", "waiting_since"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_priority_waiting_rating")]

    operations = [migrations.RunPython(waiting_from_history, migrations.RunPython.noop)]
