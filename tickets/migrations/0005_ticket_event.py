"""A ticket's history as one row per change (`TicketEvent`), beside the old text column until
0006 has converted it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_move_idempotency_record_to_crmapi"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("created", "Ticket created"), ("status_changed", "Status changed"), ("assignee_changed", "Assignee changed"), ("comment_added", "Comment added"), ("note_added", "Internal note added"), ("legacy", "Earlier update log text")], max_length=32)),
                ("actor_kind", models.CharField(choices=[("customer", "Customer"), ("staff", "Staff user"), ("system", "System")], max_length=16)),
                ("actor_name", models.CharField(blank=True, help_text="The staff user's name at the time.", max_length=255)),
                ("old_value", models.TextField(blank=True)),
                ("new_value", models.TextField(blank=True)),
                ("text", models.TextField(blank=True, help_text="Earlier update log text, kept verbatim (legacy only).")),
                ("created_at", models.DateTimeField()),
                ("actor_user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="ticket_events", to=settings.AUTH_USER_MODEL)),
                ("comment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="events", to="tickets.comment")),
                ("ticket", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="events", to="tickets.ticket")),
            ],
            options={
                "ordering": ["id"],
                "indexes": [models.Index(fields=["ticket", "id"], name="ticket_event_ticket_order")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("kind__in", ["created", "status_changed", "assignee_changed", "comment_added", "note_added", "legacy"])), name="ticket_event_kind_known"),
                    models.CheckConstraint(condition=models.Q(("actor_kind__in", ["customer", "staff", "system"])), name="ticket_event_actor_kind_known"),
                    models.CheckConstraint(condition=models.Q(("actor_kind", "staff"), ("actor_user__isnull", True), _connector="OR"), name="ticket_event_user_only_for_staff"),
                    models.CheckConstraint(condition=models.Q(("kind", "legacy"), ("text", ""), _connector="OR"), name="ticket_event_text_only_for_legacy"),
                    models.CheckConstraint(condition=models.Q(("kind__in", ["comment_added", "note_added"]), ("comment__isnull", True), _connector="OR"), name="ticket_event_comment_only_for_comment_kinds"),
                ],
            },
        ),
    ]
