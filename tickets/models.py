"""The local CRM store: tickets, their conversation, and the issue-type catalogue.

Models hold data and invariants only; behaviour lives in services.py (writes) and
selectors.py (reads).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tickets.history import COMMENT_KINDS, ActorKind, EventKind, render_update_log
from tickets.workflow import WaitingOn

# The longest message of a conversation, from a customer (E4) or an agent (the desk).
COMMENT_MAX_LENGTH = 10_000
# The longest ticket description (a text column, so the limit is stated here, not by the column).
DESCRIPTION_MAX_LENGTH = 20_000
# A rating's comment (CONTRACT §11), and the range of the rating itself.
RATING_COMMENT_MAX_LENGTH = 2_000
RATING_MIN, RATING_MAX = 1, 5


class TicketStatus(models.TextChoices):
    """CONTRACT §6: the four ticket statuses, stored in their canonical spelling."""

    OPEN = "Open", "Open"
    IN_PROGRESS = "In Progress", "In Progress"
    WAIT_FOR_RESPONSE = "Wait For Response", "Wait For Response"
    CLOSED = "Closed", "Closed"


class TicketPriority(models.TextChoices):
    """CONTRACT §15: how urgent a ticket is; only staff change it."""

    LOW = "Low", "Low"
    NORMAL = "Normal", "Normal"
    HIGH = "High", "High"
    URGENT = "Urgent", "Urgent"


class IssueType(models.Model):
    """An entry of the catalogue a customer picks from (E2), and the priority a new ticket of
    this type starts with (CONTRACT §15)."""

    name = models.CharField(max_length=255, unique=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0, help_text="Lower numbers are listed first.")
    default_priority = models.CharField(
        max_length=16,
        choices=TicketPriority.choices,
        default=TicketPriority.NORMAL,
        help_text="The priority of a new ticket whose category is this issue type.",
    )

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_priority__in=TicketPriority.values), name="issue_type_priority_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketNumberCounter(models.Model):
    """The last ticket number handed out.

    One row per sequence. Incrementing it inside the create transaction makes ticket numbers
    unique, increasing and never reused, even when the newest ticket is deleted. It keeps the
    last ticket's creation time too, so the next one's is never earlier (tickets.numbering).
    """

    name = models.CharField(max_length=32, primary_key=True)
    last_number = models.BigIntegerField()
    last_created_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Ticket(models.Model):
    """A customer ticket. Field names follow the record keys of CONTRACT §7.

    `waiting_on` and `waiting_since` say who the ticket waits for and since when, so the desk's
    queue can order and filter on them without reading the history. They are derived from the
    conversation and kept by the services in the transaction of each change
    (tickets.workflow holds the rule):

    - a customer's comment, or a reopen (`Closed` or `Wait For Response` back to `Open` or
      `In Progress`, by the customer or an agent) → waiting on an agent since then;
    - an agent's public reply, or setting `Wait For Response` → waiting on the customer since then;
    - `Closed` → waiting on nobody, since it was closed;
    - an internal note, an assignment, a priority change, `Open` ↔ `In Progress` → unchanged.

    A side already waited on keeps its first time (a customer's second message does not make
    it wait less).
    """

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
    priority = models.CharField(max_length=16, choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    waiting_on = models.CharField(max_length=16, choices=WaitingOn.choices, default=WaitingOn.AGENT)
    # The services always set it; the default only serves rows written without them.
    waiting_since = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    # The ticket's events in order, when a selector prefetched them (or `ticket_create` just wrote
    # them): `update_log` renders these instead of querying.
    loaded_events: "list[TicketEvent]"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # E1: one contact's tickets, newest first, optionally by status.
            models.Index(fields=["contact_number", "-created_at", "-id"], name="ticket_contact_newest"),
            models.Index(fields=["ticket_status", "-created_at"], name="ticket_status_newest"),
            # The desk's queue: who it waits on, longest waiting first.
            models.Index(fields=["waiting_on", "waiting_since"], name="ticket_waiting_longest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_status__in=TicketStatus.values), name="ticket_status_known"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TicketPriority.values), name="ticket_priority_known"
            ),
            models.CheckConstraint(
                condition=Q(waiting_on__in=WaitingOn.values), name="ticket_waiting_on_known"
            ),
        ]

    def __str__(self) -> str:
        return f"TT{self.ticket_number} {self.title}"

    @property
    def update_log(self) -> str:
        """The record's history text (CONTRACT §7), rendered from the events: one query unless
        they were loaded with the ticket."""
        events = self.__dict__.get("loaded_events")
        return render_update_log(self.events.all() if events is None else events)


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


class TicketEvent(models.Model):
    """One change in a ticket's history: what happened, who did it, and the values before and
    after as the update log shows them.

    Rows are only ever added, by the services, in the transaction of the change. The actor's
    name is the one they had at the time, so renaming a user never rewrites a rendered log;
    `actor_user` links the staff user while the account exists. Read in primary-key order.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_events",
    )
    actor_name = models.CharField(max_length=255, blank=True, help_text="The staff user's name at the time.")
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    text = models.TextField(blank=True, help_text="Earlier update log text, kept verbatim (legacy only).")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            # A ticket's history in order; also serves the foreign key (no index of its own).
            models.Index(fields=["ticket", "id"], name="ticket_event_ticket_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="ticket_event_kind_known"),
            models.CheckConstraint(
                condition=Q(actor_kind__in=ActorKind.values), name="ticket_event_actor_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(actor_kind=ActorKind.STAFF) | Q(actor_user__isnull=True),
                name="ticket_event_user_only_for_staff",
            ),
            models.CheckConstraint(
                condition=Q(kind=EventKind.LEGACY) | Q(text=""), name="ticket_event_text_only_for_legacy"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(COMMENT_KINDS)) | Q(comment__isnull=True),
                name="ticket_event_comment_only_for_comment_kinds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"


class TicketRating(models.Model):
    """The customer's rating of its closed ticket (E12, CONTRACT §11): at most one per ticket; a
    new rating replaces the old one in place (the `rated` event keeps what it replaced).
    A rating is not a comment: it never appears in the conversation."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(
        blank=True, help_text=f"Optional; at most {RATING_COMMENT_MAX_LENGTH:,} characters."
    )
    created_at = models.DateTimeField(help_text="When this rating was given (a replacement's own time).")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX), name="ticket_rating_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} for ticket {self.ticket_id}"
