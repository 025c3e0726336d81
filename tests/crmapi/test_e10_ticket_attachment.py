"""E10 (CONTRACT §13): one attachment's bytes with the safe download headers; errors are envelopes."""

import pytest

from attachments.models import Attachment
from attachments.services import attachment_create
from crmapi import messages
from tests.factories import AgentCommentFactory, TicketFactory
from tests.support.attachments import HTML_BYTES, attachment_form, content_file, png_bytes, post_attachment
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import E10, OTHER_CONTACT

pytestmark = pytest.mark.django_db


def download(api, attachment_id: str, **kwargs):
    return api.call(E10, query={"id": attachment_id}, **kwargs)


def test_the_bytes_come_with_exactly_the_safe_headers(api, client, own_ticket):
    polyglot = png_bytes(HTML_BYTES)
    item = envelope_result(
        post_attachment(client, attachment_form(content=polyglot, filename="Rechnung März.png"))
    )
    response = download(api, item["id"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == polyglot
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(polyglot))
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_head_sends_the_headers_without_the_bytes(api, client, own_ticket):
    item = envelope_result(post_attachment(client))
    response = download(api, item["id"], method="head")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""
    assert response["Content-Length"] == str(len(png_bytes()))


def test_a_missing_id_is_400(api):
    assert_error(api.call(E10), 400, messages.QUERY_REQUIRED.format(name="id"))


@pytest.mark.parametrize("sent", ["21x999", "999", "17x1", "21x", "x" * 100])
def test_an_unknown_or_malformed_id_is_404_as_sent(api, own_ticket, sent):
    assert_error(download(api, sent), 404, messages.ATTACHMENT_NOT_FOUND.format(id=messages.quoted(sent)))


def test_another_contacts_attachment_is_404(api, client):
    ticket = TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    attachment = attachment_create(ticket=ticket, file=content_file("a.png"), contact_number=OTHER_CONTACT)
    sent = f"21x{attachment.pk}"
    assert_error(download(api, sent), 404, messages.ATTACHMENT_NOT_FOUND.format(id=sent))


def test_an_internal_notes_attachment_is_404(api, own_ticket):
    note = AgentCommentFactory(ticket=own_ticket, is_internal=True)
    attachment = attachment_create(ticket=own_ticket, file=content_file("a.png"), comment=note)
    sent = f"21x{attachment.pk}"
    assert_error(download(api, sent), 404, messages.ATTACHMENT_NOT_FOUND.format(id=sent))
    assert Attachment.objects.get().is_internal
