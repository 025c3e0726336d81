"""The local CRM store: tickets, their conversation, and the issue-type catalogue.

Models hold data and invariants only; behaviour lives in services.py (writes) and
selectors.py (reads).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The longest message of a conversation, from a customer (E4) or an agent (the desk).
COMMENT_MAX_LENGTH = 10_000
# The longest ticket description (a text column, so the limit is stated here, not by the column).
DESCRIPTION_MAX_LENGTH = 20_000


class TicketStatus(models.TextChoices):
    """CONTRACT §6: the four ticket statuses, stored in their canonical spelling."""

    OPEN = "Open", "Open"
    IN_PROGRESS = "In Progress", "In Progress"
    WAIT_FOR_RESPONSE = "Wait For Response", "Wait For Response"
    CLOSED = "Closed", "Closed"


class IssueType(models.Model):
    """An entry of the catalogue a customer picks from (E2)."""

    name = models.CharField(max_length=255, unique=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TicketNumberCounter(models.Model):
    """The last ticket number handed out.

    One row per sequence. Incrementing it inside the create transaction makes ticket numbers
    unique, increasing and never reused, even when the newest ticket is deleted.
    """

    name = models.CharField(max_length=32, primary_key=True)
    last_number = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Ticket(models.Model):
    """A customer ticket. Field names follow the record keys of CONTRACT §7."""

    ticket_number = models.BigIntegerField(unique=True, editable=False)
    contact_number = models.BigIntegerField(
        null=True, blank=True, help_text="The customer's contact number; empty for anonymous social tickets."
    )
    ticket_status = models.CharField(max_length=32, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    title = models.CharField(max_length=255)
    description = models.TextField()
    ticket_categories = models.CharField(max_length=255)
    category = models.CharField(max_length=255)
    subcategory = models.CharField(max_length=255)
    status = models.CharField(max_length=255, help_text="The channel's own status text, e.g. 'New'.")
    effective_date = models.DateField(null=True, blank=True)
    voucher_type = models.CharField(max_length=255, blank=True)
    voucher_id_format = models.CharField(max_length=255, blank=True)
    password_pattern = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=64, help_text="The channel: app, facebook, portal, ...")
    from_portal = models.BooleanField(default=False)
    starred = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    update_log = models.TextField(blank=True)
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # E1: one contact's tickets, newest first, optionally by status.
            models.Index(fields=["contact_number", "-created_at", "-id"], name="ticket_contact_newest"),
            models.Index(fields=["ticket_status", "-created_at"], name="ticket_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_status__in=TicketStatus.values), name="ticket_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"TT{self.ticket_number} {self.title}"


class Comment(models.Model):
    """One message of a ticket's conversation: from the customer or from a staff user.

    Internal comments are notes between staff and never leave the admin (CONTRACT §10).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author_contact = models.BigIntegerField(null=True, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket_comments",
    )
    text = models.TextField()
    is_internal = models.BooleanField(default=False, help_text="Internal notes are visible to staff only.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_ticket_oldest")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(author_contact__isnull=False, author_user__isnull=True)
                    | Q(author_contact__isnull=True, author_user__isnull=False)
                ),
                name="comment_has_one_author",
            ),
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(author_user__isnull=False),
                name="comment_internal_only_by_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on TT{self.ticket.ticket_number}"
