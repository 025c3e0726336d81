"""Every ticket's `update_log` text becomes its events, so that the rendered log is the text,
byte for byte.

Known lines (`Ticket created.` first, the status and assignee lines) become their events when
they render back to themselves; every other run of lines is kept verbatim as one legacy event
(see `tickets.history.parse_update_log`). Comments written before this migration get no
`comment_added` event: the old text never recorded them, and the update log does not show them.

The parsing and rendering are imported from `tickets.history` rather than copied here, on
purpose: what this migration must guarantee is that the application's renderer gives back the
old text, so it checks with that renderer, not with a copy that could drift from it. Those are
pure text functions over plain values; `tickets.history` imports no model.

Tickets are read in primary-key batches through an iterator and events written in batches, so
a store of millions of tickets never sits in memory. Reversible: the text is rendered back.
"""

from django.db import migrations
from django.db.models import Prefetch

from tickets.history import creator_kind, parse_update_log, render_update_log

BATCH = 2000


def events_from_text(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    db = schema_editor.connection.alias
    rows = (
        Ticket.objects.using(db)
        .order_by("pk")
        .values_list("pk", "update_log", "created_at", "contact_number")
        .iterator(chunk_size=BATCH)
    )
    pending = []
    for pk, text, created_at, contact_number in rows:
        for event in parse_update_log(text, created_at=created_at, created_by=creator_kind(contact_number)):
            pending.append(
                TicketEvent(
                    ticket_id=pk,
                    kind=event.kind,
                    actor_kind=event.actor_kind,
                    actor_name=event.actor_name,
                    old_value=event.old_value,
                    new_value=event.new_value,
                    text=event.text,
                    created_at=event.created_at,
                )
            )
        if len(pending) >= BATCH:
            TicketEvent.objects.using(db).bulk_create(pending)
            pending = []
    TicketEvent.objects.using(db).bulk_create(pending)


def text_from_events(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    db = schema_editor.connection.alias
    tickets = (
        Ticket.objects.using(db)
        .order_by("pk")
        .only("pk")
        .prefetch_related(Prefetch("events", queryset=TicketEvent.objects.using(db).order_by("pk")))
        .iterator(chunk_size=BATCH)
    )
    pending = []
    for ticket in tickets:
        ticket.update_log = render_update_log(ticket.events.all())
        pending.append(ticket)
        if len(pending) >= BATCH:
            Ticket.objects.using(db).bulk_update(pending, ["update_log"])
            pending = []
    Ticket.objects.using(db).bulk_update(pending, ["update_log"])


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0005_ticket_event"),
    ]

    operations = [migrations.RunPython(events_from_text, text_from_events)]
