"""The stored bytes follow their rows: a deleted attachment (a deleted ticket cascades to its
attachments) loses its file once the deletion commits, never before: a deletion that rolls back
keeps a row whose bytes are still there. Files no row refers to (an upload whose transaction
failed) are removed by `purge_orphans`."""

import datetime
import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from attachments.models import Attachment
from attachments.storage import attachment_storage

logger = logging.getLogger("attachments")

# A file younger than this may belong to an upload whose transaction is still running.
ORPHAN_MIN_AGE = datetime.timedelta(hours=1)


def connect() -> None:
    post_delete.connect(on_attachment_deleted, sender=Attachment, dispatch_uid="attachments.lifecycle")


def on_attachment_deleted(sender, instance: Attachment, **kwargs) -> None:
    key = instance.storage_key
    transaction.on_commit(lambda: attachment_storage().delete(key), robust=True)


def stored_keys():
    """Every key in the attachments storage (two levels: prefix/name, as new_storage_key makes)."""
    storage = attachment_storage()
    prefixes, files = storage.listdir("")
    yield from files
    for prefix in prefixes:
        _, names = storage.listdir(prefix)
        for name in names:
            yield f"{prefix}/{name}"


def purge_orphans(*, now: datetime.datetime | None = None) -> list[str]:
    """Delete stored files that no attachment refers to and that are older than ORPHAN_MIN_AGE;
    returns their keys."""
    storage = attachment_storage()
    cutoff = (now or timezone.now()) - ORPHAN_MIN_AGE
    candidates = [key for key in stored_keys() if storage.get_modified_time(key) < cutoff]
    referred = set(
        Attachment.objects.filter(storage_key__in=candidates).values_list("storage_key", flat=True)
    )
    purged = [key for key in candidates if key not in referred]
    for key in purged:
        storage.delete(key)
        logger.info("Purged orphan attachment file %s", key)
    return purged
