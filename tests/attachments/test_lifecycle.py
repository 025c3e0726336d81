"""Stored files follow their rows: a deleted ticket's files go once the deletion commits, and
`purge_orphan_attachments` removes files no row refers to, once they are an hour old."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.db import transaction

from attachments.models import Attachment
from attachments.services import AttachmentTypeNotAllowed, attachment_create
from attachments.storage import attachment_storage
from tests.factories import TicketFactory
from tests.support.attachments import HTML_BYTES, content_file

pytestmark = pytest.mark.django_db(transaction=True)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def customer_attachment(ticket) -> Attachment:
    return attachment_create(ticket=ticket, file=content_file(), contact_number=ticket.contact_number)


def test_deleting_a_ticket_deletes_its_files_after_the_commit(attachment_root):
    ticket = TicketFactory()
    customer_attachment(ticket)
    with transaction.atomic():
        ticket.delete()
        assert len(stored_files(attachment_root)) == 1  # not before the commit
    assert stored_files(attachment_root) == []


def test_a_deletion_that_rolls_back_keeps_the_files(attachment_root):
    ticket = TicketFactory()
    customer_attachment(ticket)

    def delete_then_fail():
        with transaction.atomic():
            ticket.delete()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        delete_then_fail()
    assert len(stored_files(attachment_root)) == 1
    assert Attachment.objects.count() == 1


def test_a_refused_attachment_stores_no_file(attachment_root):
    ticket = TicketFactory()
    with pytest.raises(AttachmentTypeNotAllowed):
        attachment_create(
            ticket=ticket, file=content_file("a.html", HTML_BYTES), contact_number=ticket.contact_number
        )
    assert stored_files(attachment_root) == []


def test_purge_removes_old_files_no_row_refers_to(attachment_root):
    kept = customer_attachment(TicketFactory())
    orphan = attachment_storage().save("ab/orphan", content_file())
    young = attachment_storage().save("cd/young", content_file())
    hour_ago = (datetime.datetime.now() - datetime.timedelta(hours=2)).timestamp()
    for key in (kept.storage_key, orphan):
        os.utime(attachment_root / key, (hour_ago, hour_ago))
    call_command("purge_orphan_attachments")
    remaining = sorted(path.relative_to(attachment_root).as_posix() for path in stored_files(attachment_root))
    assert remaining == sorted([kept.storage_key, young])
