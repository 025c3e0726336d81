"""E8 against gunicorn over a real socket, as deployed: what the test client cannot send. A
chunked upload is de-chunked and read whole (the fields after a 3 MiB file are checked); a
lying `Content-Length` ends the body where it says, a truncated form (400), never a 500; a body
declared too large is the 413 before it is read. Every request is refused before the store."""

import contextlib
import http.client

import pytest
from django.conf import settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from crmapi import messages
from tests.support.attachments import attachment_form, png_bytes
from tests.support.client import assert_raw_error, contract_headers
from tests.support.endpoints import E8, OTHER_CONTACT
from tests.support.live_server import running_server

CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("uploads") / "never-opened.sqlite3"
    with running_server(f"sqlite:///{database}") as server:
        yield server


def form_body(content: bytes) -> bytes:
    """A form whose contactId (another contact's: 403) comes after the file part."""
    form = attachment_form(content=content)
    del form["contactId"]
    return encode_multipart(BOUNDARY, form).replace(
        f"--{BOUNDARY}--".encode(),
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="contactId"\r\n\r\n{OTHER_CONTACT}\r\n'
        f"--{BOUNDARY}--".encode(),
    )


def post(server, body, *, chunked=False, content_length: int | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {**contract_headers(E8), "Content-Type": MULTIPART_CONTENT}
    try:
        if chunked:
            chunks = (body[start : start + CHUNK] for start in range(0, len(body), CHUNK))
            connection.request("POST", E8.path, body=chunks, headers=headers, encode_chunked=True)
        else:
            connection.putrequest("POST", E8.path)
            for name, value in {**headers, "Content-Length": str(content_length or len(body))}.items():
                connection.putheader(name, value)
            connection.endheaders()
            with contextlib.suppress(OSError):  # refused before the whole body was read
                connection.send(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_a_chunked_3_mib_upload_is_read_whole(server):
    body = form_body(png_bytes(b"\x00" * 3 * 1024 * 1024))
    assert_raw_error(post(server, body, chunked=True), 403, messages.CONTACT_MISMATCH)


def test_a_chunked_upload_over_the_limit_is_413(server):
    body = form_body(png_bytes(b"\x00" * (settings.CRM_ATTACHMENT_MAX_BYTES + 2 * 1024 * 1024)))
    message = messages.ATTACHMENT_TOO_LARGE.format(max_bytes=settings.CRM_ATTACHMENT_MAX_BYTES)
    assert_raw_error(post(server, body, chunked=True), 413, message)


def test_a_content_length_shorter_than_the_body_is_a_truncated_form(server):
    body = form_body(png_bytes(b"\x00" * 3 * 1024 * 1024))
    assert_raw_error(
        post(server, body, content_length=1000), 400, messages.FIELD_REQUIRED.format(name="file")
    )


def test_a_content_length_larger_than_any_upload_is_413_unread(server):
    body = form_body(png_bytes())
    message = messages.ATTACHMENT_TOO_LARGE.format(max_bytes=settings.CRM_ATTACHMENT_MAX_BYTES)
    assert_raw_error(post(server, body, content_length=100 * 1024 * 1024), 413, message)
