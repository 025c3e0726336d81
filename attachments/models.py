"""An attachment: a file added to a ticket's conversation by its customer or by an agent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tickets.models import Comment, Ticket

FILENAME_MAX_LENGTH = 255  # code points (CONTRACT §13)
STORAGE_KEY_MAX_LENGTH = 100


class Attachment(models.Model):
    """One stored file and what the conversation says of it.

    The bytes live in the `attachments` storage under `storage_key`, a random name that never
    derives from the client's file name. A customer's attachment stands alone in the
    conversation (`comment` None); an agent's belongs to a public reply or an internal note and
    is internal exactly when the note is (`is_internal`, copied so the public reads need no join).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    is_internal = models.BooleanField(default=False)
    author_contact = models.BigIntegerField(null=True, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket_attachments",
    )
    filename = models.CharField(max_length=FILENAME_MAX_LENGTH)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes, never declared.")
    size = models.BigIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=STORAGE_KEY_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="attachment_ticket_oldest")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(author_contact__isnull=False, author_user__isnull=True)
                    | Q(author_contact__isnull=True, author_user__isnull=False)
                ),
                name="attachment_has_one_author",
            ),
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(author_user__isnull=False),
                name="attachment_internal_only_by_staff",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} on ticket {self.ticket_id}"
