"""Files as a self-care app attaches them (E8): the form, and small real files of each type."""

import struct
import zlib

from django.core.files.base import ContentFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.support.client import contract_headers
from tests.support.endpoints import CONTACT, E8


def png_bytes(extra: bytes = b"") -> bytes:
    """A real 1x1 PNG (libmagic reads its IHDR), followed by `extra` (a polyglot's tail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + pixels + chunk(b"IEND", b"") + extra


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"


class NamedBytes:
    """A file part for Django's test client: `name` and `read()`."""

    def __init__(self, name: str, content: bytes, content_type: str = "application/octet-stream"):
        self.name, self.content, self.content_type = name, content, content_type

    def read(self) -> bytes:
        return self.content


def attachment_form(ticket_no="TT1130", *, content=None, filename="screenshot.png", contact=CONTACT) -> dict:
    """E8's form: the ticket, one file (a PNG unless `content`), the contact."""
    form: dict = {"ticketNo": ticket_no, "contactId": str(contact)}
    form["file"] = NamedBytes(filename, png_bytes() if content is None else content)
    return form


def post_attachment(client, form=None, *, headers: dict | None = None, raw: bytes | None = None):
    """POST E8 through Django's test client: `form` encoded as multipart, or `raw` as the body."""
    sent = {**contract_headers(E8), **(headers or {})}
    if raw is not None:
        return client.generic("POST", E8.path, raw, content_type=MULTIPART_CONTENT, headers=sent)
    body = encode_multipart(BOUNDARY, attachment_form() if form is None else form)
    return client.generic("POST", E8.path, body, content_type=MULTIPART_CONTENT, headers=sent)


def content_file(name: str = "answer.png", content: bytes | None = None) -> ContentFile:
    """A file as the desk hands one to `attachments.services.attachment_create`."""
    return ContentFile(png_bytes() if content is None else content, name=name)
