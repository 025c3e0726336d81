"""Adding an attachment (CONTRACT §13). The checks run in the contract's order, inside the
ticket's transaction; the bytes are stored last, and removed again if the row is not written."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attachments.filenames import clean_filename
from attachments.models import Attachment
from attachments.sniffing import is_allowed, sniff_content_type
from attachments.storage import attachment_storage, new_storage_key
from tickets import history, services
from tickets.history import ActorKind, EventKind
from tickets.models import Comment, Ticket

_CHUNK_BYTES = 64 * 1024


class AttachmentRefused(Exception):
    """An attachment the rules refuse; nothing of it is stored. The API answers each with its
    status and sentence, the desk with a message."""


class AttachmentTooLarge(AttachmentRefused):
    """Over `CRM_ATTACHMENT_MAX_BYTES`."""


class AttachmentEmpty(AttachmentRefused):
    """No bytes at all."""


class AttachmentTypeNotAllowed(AttachmentRefused):
    """The sniffed type is not one of the allowed ones."""

    def __init__(self, content_type: str):
        super().__init__(content_type)
        self.content_type = content_type


class TicketAttachmentsFull(AttachmentRefused):
    """The ticket already holds `CRM_ATTACHMENT_MAX_PER_TICKET` attachments."""


def _sha256(file) -> str:
    """The hex SHA-256 of the bytes: the upload handler's when it counted them as they arrived,
    else read here in chunks."""
    known = getattr(file, "sha256", None)
    if known:
        return known
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(_CHUNK_BYTES):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _checked_content_type(ticket: Ticket, file) -> str:
    """Size, emptiness, type, then the ticket's count, in that order (CONTRACT §13)."""
    if file.size > settings.CRM_ATTACHMENT_MAX_BYTES:
        raise AttachmentTooLarge(file.size)
    if file.size == 0:
        raise AttachmentEmpty()
    content_type = sniff_content_type(file)
    if not is_allowed(content_type):
        raise AttachmentTypeNotAllowed(content_type)
    if Attachment.objects.filter(ticket=ticket).count() >= settings.CRM_ATTACHMENT_MAX_PER_TICKET:
        raise TicketAttachmentsFull(ticket.ticket_number)
    return content_type


def _store(*, ticket: Ticket, file, content_type: str, at, **author) -> Attachment:
    """Save the bytes under a new random key, then the row; the bytes go again if the row fails.
    (A transaction that rolls back later leaves them for `purge_orphan_attachments`.)"""
    storage = attachment_storage()
    key = storage.save(new_storage_key(), file)
    try:
        return Attachment.objects.create(
            ticket=ticket,
            filename=clean_filename(file.name or ""),
            content_type=content_type,
            size=file.size,
            sha256=_sha256(file),
            storage_key=key,
            created_at=at,
            **author,
        )
    except BaseException:
        storage.delete(key)
        raise


def attachment_create(
    *, ticket: Ticket, file, contact_number: int | None = None, comment: Comment | None = None
) -> Attachment:
    """Attach `file` (a Django `File`: an upload, or any file with a name and a size) to
    `ticket`: the customer's own (`contact_number`), or an agent's on `comment`, a public reply
    or an internal note written by that agent (the attachment is internal exactly when the note
    is). Raises an `AttachmentRefused` (or the customer's `TicketClosedForGood`) and stores
    nothing when a rule refuses it.

    A customer's attachment is a customer's message (`tickets.services.customer_activity`): the
    update log gains `Attachment '<filename>' added by the customer on <when>.` An agent's on a
    public reply gains the line with the agent's name; one on an internal note records no event
    at all, so nothing a customer or another system sees changes.
    """
    if (contact_number is None) == (comment is None):
        raise ValueError("an attachment is either the customer's or on an agent's comment")
    if comment is not None:
        return _create_on_comment(ticket=ticket, file=file, comment=comment)
    with services.customer_activity(ticket=ticket) as (locked, now):
        content_type = _checked_content_type(locked, file)
        attachment = _store(
            ticket=locked, file=file, content_type=content_type, at=now, author_contact=contact_number
        )
        history.record_event(
            ticket=locked,
            kind=EventKind.ATTACHMENT_ADDED,
            at=now,
            actor_kind=ActorKind.CUSTOMER,
            new_value=attachment.filename,
            subject=attachment,
        )
    return attachment


@transaction.atomic
def _create_on_comment(*, ticket: Ticket, file, comment: Comment) -> Attachment:
    author = comment.author_user
    if author is None or comment.ticket_id != ticket.pk:
        raise ValueError("an agent attaches a file to its own comment on the same ticket")
    # The row lock orders this event's line among the ticket's others (tickets.history).
    locked = services.lock_ticket(ticket)
    now = timezone.now()
    content_type = _checked_content_type(locked, file)
    attachment = _store(
        ticket=locked,
        file=file,
        content_type=content_type,
        at=now,
        author_user=author,
        comment=comment,
        is_internal=comment.is_internal,
    )
    if not comment.is_internal:
        history.record_event(
            ticket=locked,
            kind=EventKind.ATTACHMENT_ADDED,
            at=now,
            actor_kind=ActorKind.STAFF,
            actor=author,
            new_value=attachment.filename,
            subject=attachment,
        )
    return attachment


def attachment_check(*, ticket: Ticket, file, adding: int = 1) -> None:
    """Raise the `AttachmentRefused` that `attachment_create` would raise for `file`, one of
    `adding` files going on `ticket` together, storing nothing: the desk checks a reply's files
    with its form, before the save begins (`attachment_create` checks each again under the
    ticket's lock)."""
    _checked_content_type(ticket, file)
    if Attachment.objects.filter(ticket=ticket).count() + adding > settings.CRM_ATTACHMENT_MAX_PER_TICKET:
        raise TicketAttachmentsFull(ticket.ticket_number)
