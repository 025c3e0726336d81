"""The desk's own data: canned replies, which only the reply box uses."""

from django.db import models
from django.db.models import Q

from desk.canned import validate_placeholders
from tickets.models import COMMENT_MAX_LENGTH, TicketStatus

CANNED_REPLY_TITLE_MAX_LENGTH = 100


class CannedReply(models.Model):
    """A reply template an agent inserts into the reply box (desk/canned.py renders its
    placeholders), optionally with the status the ticket takes when it is sent. Supervisors
    manage them; agents use the active ones, in sort order."""

    title = models.CharField(
        max_length=CANNED_REPLY_TITLE_MAX_LENGTH, unique=True, help_text="Shown in the reply box's picker."
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH, validators=[validate_placeholders])
    ticket_status = models.CharField(
        "status to set",
        max_length=32,
        choices=TicketStatus.choices,
        blank=True,
        help_text="The status the ticket takes when the reply is sent; empty keeps the ticket's status.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Only active ones are offered to agents."
    )
    sort_order = models.IntegerField(default=0, help_text="Lower numbers are listed first.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "canned replies"
        ordering = ["sort_order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_status__in=[*TicketStatus.values, ""]), name="canned_reply_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title
