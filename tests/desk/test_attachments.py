"""Files in the desk: an agent attaches them to a public reply or an internal note through the
ticket page's reply box, sees every attachment in the conversation (images as thumbnails, the
rest as links) and downloads them with the same safe headers as the customer. Internal notes'
files never reach E9, E10 or an event."""

import html

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attachments.models import Attachment
from attachments.services import attachment_create
from desk.forms import ReplyAction
from tests.factories import UserFactory, WebhookEndpointFactory
from tests.support.attachments import HTML_BYTES, PDF_BYTES, NamedBytes, content_file, png_bytes
from tests.support.client import envelope_result
from tests.support.desk import change_url, send_reply
from tests.support.endpoints import CONTACT, E9, E10
from tickets.models import Comment
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

PDF = NamedBytes("refund-confirmation.pdf", PDF_BYTES, "application/pdf")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def download_url(attachment: Attachment) -> str:
    return f"{change_url(attachment.ticket).removesuffix('change/')}attachments/{attachment.pk}/"


def test_a_public_reply_with_a_pdf_reaches_the_customer_through_e9_and_e10(agent_client, own_ticket, api):
    response = send_reply(agent_client, own_ticket, ReplyAction.SEND, "Your refund, confirmed.", files=[PDF])
    assert response.status_code == 302
    listed = envelope_result(api.call(E9, query={"ticketNo": "TT1130"}))
    assert [(item["filename"], item["contenttype"], item["author"]) for item in listed] == [
        ("refund-confirmation.pdf", "application/pdf", "agent")
    ]
    download = api.call(E10, query={"id": listed[0]["id"]})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_the_files_belong_to_the_reply_they_were_sent_with(agent_client, own_ticket):
    two = [PDF, NamedBytes("screen.png", png_bytes())]
    send_reply(agent_client, own_ticket, ReplyAction.SEND, "Two files.", files=two)
    reply = Comment.objects.get(ticket=own_ticket, text="Two files.")
    assert sorted(a.filename for a in reply.attachments.all()) == ["refund-confirmation.pdf", "screen.png"]


def test_an_internal_notes_png_is_a_thumbnail_for_staff_and_invisible_to_the_customer(
    agent_client, own_ticket, api
):
    WebhookEndpointFactory()
    events = WebhookEvent.objects.count()
    send_reply(
        agent_client,
        own_ticket,
        ReplyAction.NOTE,
        "What the customer's bank sent us.",
        files=[NamedBytes("bank.png", png_bytes())],
    )
    attachment = Attachment.objects.get(ticket=own_ticket)
    assert attachment.is_internal
    page = agent_client.get(change_url(own_ticket)).content.decode()
    assert f'<img src="{download_url(attachment)}" alt="bank.png"' in page
    assert envelope_result(api.call(E9, query={"ticketNo": "TT1130"})) == []
    assert api.call(E10, query={"id": f"21x{attachment.pk}"}).status_code == 404
    assert WebhookEvent.objects.count() == events


def test_a_pdf_is_listed_as_a_link_with_its_name_and_size(agent_client, own_ticket):
    send_reply(agent_client, own_ticket, ReplyAction.SEND, "Attached.", files=[PDF])
    attachment = Attachment.objects.get(ticket=own_ticket)
    page = page_text(agent_client.get(change_url(own_ticket)))
    assert f'<a class="desk-attachment" href="{download_url(attachment)}">refund-confirmation.pdf (' in page
    assert "<img" not in page.split('id="comments-group"')[1].split("</fieldset>")[0]


def test_the_customers_own_attachments_are_shown_on_the_ticket_page(agent_client, own_ticket):
    screenshot = attachment_create(ticket=own_ticket, file=content_file("error.png"), contact_number=CONTACT)
    page = agent_client.get(change_url(own_ticket)).content.decode()
    assert "Customer&#x27;s attachments" in page or "Customer's attachments" in page
    assert f'<img src="{download_url(screenshot)}" alt="error.png"' in page


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (NamedBytes("page.pdf", HTML_BYTES), "“page.pdf” is of type text/html, which is not allowed."),
        (NamedBytes("empty.txt", b""), "“empty.txt” is empty."),
    ],
)
def test_a_refused_file_is_an_error_on_the_reply_box_and_nothing_is_saved(
    agent_client, own_ticket, attachment_root, file, message
):
    response = send_reply(agent_client, own_ticket, ReplyAction.SEND, "See attached.", files=[file])
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Comment.objects.filter(ticket=own_ticket, text="See attached.").exists()
    assert not Attachment.objects.exists()
    assert not attachment_root.exists() or not any(p.is_file() for p in attachment_root.rglob("*"))


def test_a_file_over_the_size_limit_is_refused(agent_client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_BYTES = len(PDF_BYTES) - 1
    response = send_reply(agent_client, own_ticket, ReplyAction.SEND, "Big.", files=[PDF])
    assert "“refund-confirmation.pdf” is larger than" in page_text(response)
    assert not Comment.objects.filter(text="Big.").exists()


def test_files_past_the_tickets_limit_are_refused_all_together(agent_client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_PER_TICKET = 2
    attachment_create(ticket=own_ticket, file=content_file("error.png"), contact_number=CONTACT)
    two = [PDF, NamedBytes("screen.png", png_bytes())]
    response = send_reply(agent_client, own_ticket, ReplyAction.SEND, "Two more.", files=two)
    assert "A ticket holds at most 2 attachments; these files would pass that." in page_text(response)
    assert Attachment.objects.count() == 1
    assert not Comment.objects.filter(text="Two more.").exists()


def test_files_without_a_reply_button_are_an_error(agent_client, own_ticket):
    response = send_reply(agent_client, own_ticket, "", files=[PDF])
    assert response.status_code == 200
    assert "To send files, press" in page_text(response)
    assert not Attachment.objects.exists()


def test_the_ticket_page_form_is_multipart(agent_client, own_ticket):
    page = agent_client.get(change_url(own_ticket)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="comments-2-0-attachments" multiple' in page


def test_staff_download_sends_exactly_the_safe_headers(agent_client, own_ticket):
    send_reply(agent_client, own_ticket, ReplyAction.NOTE, "Internal copy.", files=[PDF])
    response = agent_client.get(download_url(Attachment.objects.get()))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''refund-confirmation.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_a_download_names_its_own_ticket(agent_client, own_ticket, ticket):
    attachment = attachment_create(ticket=own_ticket, file=content_file(), contact_number=CONTACT)
    response = agent_client.get(f"{change_url(ticket).removesuffix('change/')}attachments/{attachment.pk}/")
    assert response.status_code == 404


def test_staff_without_the_ticket_view_permission_cannot_download(client, own_ticket):
    attachment = attachment_create(ticket=own_ticket, file=content_file(), contact_number=CONTACT)
    outsider = UserFactory(username="outsider")
    outsider.user_permissions.add(*Permission.objects.filter(codename="view_issuetype"))
    client.force_login(outsider)
    assert client.get(download_url(attachment)).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(client, own_ticket):
    attachment = attachment_create(ticket=own_ticket, file=content_file(), contact_number=CONTACT)
    response = client.get(download_url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def page_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(change_url(ticket)).status_code == 200
    return len(queries)


def test_the_ticket_pages_queries_do_not_grow_with_its_attachments(agent_client, own_ticket):
    send_reply(agent_client, own_ticket, ReplyAction.SEND, "Public.", files=[PDF])
    send_reply(agent_client, own_ticket, ReplyAction.NOTE, "Internal.", files=[PDF])
    attachment_create(ticket=own_ticket, file=content_file("a.png"), contact_number=CONTACT)
    few = page_queries(agent_client, own_ticket)
    for comment in Comment.objects.filter(ticket=own_ticket):
        for number in range(3):
            attachment_create(ticket=own_ticket, file=content_file(f"{number}.png"), comment=comment)
    for number in range(3):
        attachment_create(ticket=own_ticket, file=content_file(f"b{number}.png"), contact_number=CONTACT)
    assert Attachment.objects.count() == 12
    assert page_queries(agent_client, own_ticket) == few


def test_a_download_url_whose_ticket_id_is_not_a_number_is_no_server_error(agent_client, own_ticket):
    attachment = attachment_create(ticket=own_ticket, file=content_file(), contact_number=CONTACT)
    response = agent_client.get(f"/admin/tickets/ticket/x{own_ticket.pk}/attachments/{attachment.pk}/")
    assert response.status_code in (302, 404)
