"""Reading attachments: only public ones ever leave the support desk (CONTRACT §13)."""

from django.db.models import QuerySet

from attachments.models import Attachment
from attachments.storage import attachment_storage
from tickets.models import Ticket


def public_attachments_for_ticket(*, ticket: Ticket) -> QuerySet[Attachment]:
    """E9: the customer's attachments and those on agents' public replies, oldest first."""
    return Attachment.objects.filter(ticket=ticket, is_internal=False).order_by("created_at", "id")


def public_attachment_for_contact(*, attachment_id: int, contact_number: int) -> Attachment | None:
    """E10: the attachment when it is public and on one of the contact's tickets, else None."""
    return Attachment.objects.filter(
        pk=attachment_id, is_internal=False, ticket__contact_number=contact_number
    ).first()


def open_attachment(attachment: Attachment):
    """The stored bytes, opened for reading (the caller closes the file)."""
    return attachment_storage().open(attachment.storage_key, "rb")
