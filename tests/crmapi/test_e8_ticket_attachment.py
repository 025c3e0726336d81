"""E8 (CONTRACT §13) through real HTTP: the form, every check in the contract's order, the
sniffed types, file names, the limits, what the attachment does to the ticket, retries and
memory."""

import datetime
import json
import tracemalloc

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, RequestFactory, encode_multipart

from attachments.models import Attachment
from crmapi import messages
from tests.factories import TicketFactory, UserFactory
from tests.support.attachments import (
    HTML_BYTES,
    PDF_BYTES,
    NamedBytes,
    attachment_form,
    png_bytes,
    post_attachment,
)
from tests.support.client import CrmClient, assert_error, contract_headers, envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E7, E8, OTHER_CONTACT
from tickets import services
from tickets.formats import format_datetime
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db


def record(client) -> dict:
    return envelope_result(CrmClient(client).call(E7, query={"ticketNo": "TT1130"}))


def form_without(name: str) -> dict:
    form = attachment_form()
    del form[name]
    return form


# --- Success ------------------------------------------------------------------------------------


def test_an_attachment_answers_its_item(client, own_ticket):
    response = post_attachment(client)
    result = envelope_result(response)
    attachment = Attachment.objects.get()
    assert result == {
        "id": f"21x{attachment.pk}",
        "filename": "screenshot.png",
        "contenttype": "image/png",
        "size": str(len(png_bytes())),
        "createdtime": format_datetime(attachment.created_at),
        "author": "customer",
    }


def test_the_file_is_stored_under_a_random_key_never_its_name(client, own_ticket, attachment_root):
    post_attachment(client, attachment_form(filename="../../settings.py.png"))
    attachment = Attachment.objects.get()
    assert "settings" not in attachment.storage_key
    stored = [path for path in attachment_root.rglob("*") if path.is_file()]
    assert [path.relative_to(attachment_root).as_posix() for path in stored] == [attachment.storage_key]
    assert stored[0].read_bytes() == png_bytes()


def test_a_customer_attachment_adds_its_update_log_line(client, own_ticket, clock):
    post_attachment(client)
    assert record(client)["update_log"].split("\n")[-1] == (
        f"Attachment 'screenshot.png' added by the customer on {format_datetime(NOW)}."
    )


def test_a_customer_attachment_sets_modifiedtime(client, clock):
    TicketFactory(ticket_number=1130, contact_number=CONTACT, created_at=NOW - datetime.timedelta(days=2))
    post_attachment(client)
    assert record(client)["modifiedtime"] == format_datetime(NOW)


def test_an_attachment_turns_wait_for_response_into_open(client):
    TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.WAIT_FOR_RESPONSE)
    post_attachment(client)
    assert record(client)["ticketstatus"] == "Open"


def test_an_attachment_reopens_a_recently_closed_ticket(client, clock):
    ticket = TicketFactory(
        ticket_number=1130, contact_number=CONTACT, created_at=NOW - datetime.timedelta(days=60)
    )
    agent = UserFactory()
    clock.now = NOW - datetime.timedelta(days=29)
    services.ticket_update(ticket=ticket, by=agent, ticket_status=TicketStatus.CLOSED)
    clock.now = NOW
    assert post_attachment(client).status_code == 200
    assert record(client)["ticketstatus"] == "Open"


# --- The checks, in order ------------------------------------------------------------------------


def test_another_content_type_is_415(api, own_ticket):
    body = {"ticketNo": "TT1130", "contactId": str(CONTACT)}
    message = messages.UPLOAD_UNSUPPORTED_MEDIA_TYPE.format(content_type="application/json")
    assert_error(api.call(E8, body=body), 415, message, "415 UNSUPPORTED_MEDIA_TYPE")


def test_a_missing_ticket_no_comes_first(client, own_ticket):
    form = {"file": NamedBytes("x.png", b"")}
    assert_error(post_attachment(client, form), 400, messages.FIELD_REQUIRED.format(name="ticketNo"))


def test_a_missing_file_is_400(client, own_ticket):
    assert_error(
        post_attachment(client, form_without("file")), 400, messages.FIELD_REQUIRED.format(name="file")
    )


def test_two_file_parts_are_400_before_the_contact(client, own_ticket):
    form = {
        "ticketNo": "TT1130",
        "file": [NamedBytes("a.png", png_bytes()), NamedBytes("b.png", png_bytes())],
    }
    assert_error(post_attachment(client, form), 400, messages.FIELD_DUPLICATE.format(name="file"))
    assert not Attachment.objects.exists()


def test_a_missing_contact_id_is_400(client, own_ticket):
    message = messages.FIELD_REQUIRED.format(name="contactId")
    assert_error(post_attachment(client, form_without("contactId")), 400, message)


def test_a_malformed_contact_id_is_400(client, own_ticket):
    message = messages.FIELD_BAD_CONTACT.format(name="contactId")
    assert_error(post_attachment(client, attachment_form(contact="someone")), 400, message)


def test_another_contact_id_is_403(client, own_ticket):
    response = post_attachment(client, attachment_form(contact=OTHER_CONTACT))
    assert_error(response, 403, messages.CONTACT_MISMATCH, "403 FORBIDDEN")


def test_another_contacts_ticket_is_404_as_sent(client):
    TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    response = post_attachment(client, attachment_form("tt1130"))
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no="tt1130"))


def test_a_ticket_closed_long_ago_is_409_before_the_files_own_rules(client, clock, settings):
    TicketFactory(
        ticket_number=1130,
        contact_number=CONTACT,
        ticket_status=TicketStatus.CLOSED,
        created_at=NOW - datetime.timedelta(days=90),
    )
    settings.CRM_ATTACHMENT_MAX_BYTES = 10
    response = post_attachment(client)
    assert_error(response, 409, messages.TICKET_CLOSED.format(ticket_no="TT1130"), "409 CONFLICT")
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_413_before_emptiness_and_type(client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_BYTES = 1000
    response = post_attachment(client, attachment_form(content=b"<html>" + b"x" * 1000))
    assert_error(response, 413, messages.ATTACHMENT_TOO_LARGE.format(max_bytes=1000), "413 PAYLOAD_TOO_LARGE")
    assert not Attachment.objects.exists()


def test_a_file_of_exactly_the_limit_is_accepted(client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_BYTES = len(png_bytes())
    assert post_attachment(client).status_code == 200


def test_an_empty_file_is_400(client, own_ticket):
    assert_error(post_attachment(client, attachment_form(content=b"")), 400, messages.ATTACHMENT_EMPTY)


def test_a_type_not_allowed_is_415_naming_the_sniffed_type(client, own_ticket):
    response = post_attachment(client, attachment_form(content=HTML_BYTES, filename="innocent.png"))
    message = messages.ATTACHMENT_TYPE_NOT_ALLOWED.format(content_type="text/html")
    assert_error(response, 415, message, "415 UNSUPPORTED_MEDIA_TYPE")


def test_a_full_ticket_is_409_after_the_type(client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_PER_TICKET = 2
    for _ in range(2):
        assert post_attachment(client).status_code == 200
    assert_error(
        post_attachment(client, attachment_form(content=HTML_BYTES)),
        415,
        messages.ATTACHMENT_TYPE_NOT_ALLOWED.format(content_type="text/html"),
    )
    response = post_attachment(client)
    assert_error(response, 409, messages.ATTACHMENTS_FULL.format(ticket_no="TT1130"), "409 CONFLICT")
    assert Attachment.objects.count() == 2


# --- Types from the content -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (png_bytes(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", "image/webp"),
        (PDF_BYTES, "application/pdf"),
        ("Mein Gerät zeigt Fehler 42 \u2014 日本語\n".encode(), "text/plain"),
    ],
)
def test_each_allowed_type_is_accepted_as_sniffed(client, own_ticket, content, content_type):
    response = post_attachment(client, attachment_form(content=content, filename="upload.bin"))
    assert envelope_result(response)["contenttype"] == content_type


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (HTML_BYTES, "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        (b'<?xml version="1.0"?><note>hi</note>\n', "text/xml"),
        (b"#!/bin/sh\nrm -rf /\n", "text/x-shellscript"),
        (b'{"json": true}', "application/json"),
        ("caf\u00e9 au lait\n".encode("latin-1"), "application/octet-stream"),
        (b"text with a NUL\x00 inside\n", "application/octet-stream"),
    ],
)
def test_markup_scripts_and_text_that_is_not_utf8_are_refused(client, own_ticket, content, content_type):
    response = post_attachment(client, attachment_form(content=content, filename="notes.txt"))
    assert_error(response, 415, messages.ATTACHMENT_TYPE_NOT_ALLOWED.format(content_type=content_type))


def test_the_declared_type_and_the_name_are_never_believed(client, own_ticket):
    form = attachment_form()
    form["file"] = NamedBytes("page.html", png_bytes(), content_type="text/html")
    assert envelope_result(post_attachment(client, form))["contenttype"] == "image/png"


def test_a_png_header_followed_by_html_is_the_png_the_sniffer_sees(client, own_ticket):
    """The polyglot is stored as image/png: its downloads are attachments with nosniff and a
    sandboxing CSP, so no browser renders the HTML (E10's tests check those headers)."""
    polyglot = png_bytes(HTML_BYTES)
    assert (
        envelope_result(post_attachment(client, attachment_form(content=polyglot)))["contenttype"]
        == "image/png"
    )


# --- File names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\dana\\Desktop\\bill.png", "bill.png"),
        ("..", "attachment"),
        ("bill\x00\x07\x1b[31m.png", "bill[31m.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("\u200fscreen\u200e shot.png", "screen shot.png"),
    ],
)
def test_file_names_are_cleaned(client, own_ticket, sent, kept):
    form = attachment_form()
    body = encode_multipart(BOUNDARY, form).replace(
        b'filename="screenshot.png"', f'filename="{sent}"'.encode()
    )
    response = post_attachment(client, raw=body)
    assert envelope_result(response)["filename"] == kept


def test_a_long_file_name_is_cut_to_255_code_points_keeping_its_extension(client, own_ticket):
    name = "é" * 300 + ".png"
    response = post_attachment(client, attachment_form(filename=name))
    assert envelope_result(response)["filename"] == "é" * 251 + ".png"


def test_a_100_kb_file_name_is_a_malformed_form(client, own_ticket):
    """Django's parser refuses a part whose headers pass its limit, before any byte is kept."""
    response = post_attachment(client, attachment_form(filename="a" * 100_000 + ".png"))
    assert_error(response, 400, messages.UPLOAD_MALFORMED)
    assert not Attachment.objects.exists()


# --- Hostile forms ---------------------------------------------------------------------------------


def test_thousands_of_parts_are_400(client, own_ticket):
    form = {**attachment_form(), **{f"field{n}": "x" for n in range(3000)}}
    assert_error(post_attachment(client, form), 400, messages.UPLOAD_TOO_MANY_PARTS)


def test_a_repeated_field_is_400(client, own_ticket):
    form = {**attachment_form(), "ticketNo": ["TT1130", "TT1130"]}
    assert_error(post_attachment(client, form), 400, messages.FIELD_DUPLICATE.format(name="ticketNo"))


def test_a_field_spelled_another_way_is_the_same_field(client, own_ticket):
    form = {**form_without("ticketNo"), "ticket_no": "TT1130"}
    assert post_attachment(client, form).status_code == 200


def test_a_part_without_a_name_is_ignored(client, own_ticket):
    body = encode_multipart(BOUNDARY, form_without("file"))
    nameless = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="x.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + png_bytes()
        + b"\r\n"
    )
    response = post_attachment(client, raw=nameless + body)
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name="file"))


def test_a_body_that_is_not_multipart_is_400(client, own_ticket):
    assert_error(
        post_attachment(client, raw=b"just some bytes"), 400, messages.FIELD_REQUIRED.format(name="ticketNo")
    )


def test_a_multipart_type_without_a_boundary_is_400(client, own_ticket):
    sent = CrmClient(client)
    response = sent.call(E8, raw=b"--x\r\n", content_type="multipart/form-data")
    assert_error(response, 400, messages.UPLOAD_MALFORMED)


def test_a_file_part_under_another_name_is_not_the_file(client, own_ticket):
    form = {**form_without("file"), "attachment": NamedBytes("x.png", png_bytes())}
    assert_error(post_attachment(client, form), 400, messages.FIELD_REQUIRED.format(name="file"))


def test_a_declared_body_larger_than_any_upload_is_413_unread(client, own_ticket, settings):
    settings.CRM_ATTACHMENT_MAX_BYTES = 1000
    body = encode_multipart(BOUNDARY, attachment_form(content=b"x" * 3_000_000))
    response = post_attachment(client, raw=body)
    assert_error(response, 413, messages.ATTACHMENT_TOO_LARGE.format(max_bytes=1000))


# --- Retries -----------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_file_replays_the_first_answer(client, own_ticket):
    first = post_attachment(client, headers={"Idempotency-Key": "upload-1"})
    again = post_attachment(client, headers={"Idempotency-Key": "upload-1"})
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert Attachment.objects.count() == 1


def test_the_same_key_with_other_file_bytes_is_409(client, own_ticket):
    post_attachment(client, headers={"Idempotency-Key": "upload-1"})
    other = attachment_form(content=png_bytes(b"more"))
    response = post_attachment(client, other, headers={"Idempotency-Key": "upload-1"})
    assert_error(response, 409, messages.IDEMPOTENCY_KEY_REUSED.format(key="upload-1"))


# --- Memory --------------------------------------------------------------------------------------------


def test_a_10_mib_upload_is_never_held_in_memory_more_than_once(own_ticket):
    """The request (its body in memory, as a client sends it) is built before measuring starts;
    the whole stack, middleware included, then streams it to a temporary file and the storage:
    what it allocates on the way stays far below the file's 10 MiB."""
    content = png_bytes(b"\x00" * (10 * 1024 * 1024 - len(png_bytes())))
    body = encode_multipart(BOUNDARY, attachment_form(content=content))
    environ = (
        RequestFactory()
        .generic("POST", E8.path, body, content_type=MULTIPART_CONTENT, headers=contract_headers(E8))
        .environ
    )
    del body, content
    tracemalloc.start()
    try:
        response = ClientHandler()(environ)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert json.loads(response.content)["response"]["result"]["size"] == str(10 * 1024 * 1024)
    print(f"peak memory allocated while handling a 10 MiB upload: {peak / 1024 / 1024:.2f} MiB")
    assert peak < 4 * 1024 * 1024
