"""The type of a file, from its bytes alone (CONTRACT §13): libmagic (python-magic) names it;
the part's declared type and the file name are never consulted.

libmagic because it is the maintained sniffer behind file(1): it tells HTML, XML, SVG and
scripts apart from plain text, which a table of leading bytes cannot. A file that starts as one
allowed type and goes on as another (a PNG header followed by HTML) is the type its start says:
browsers never render a download (E10 sends it as an attachment with `nosniff` and a sandboxing
CSP), so what the sniffer names is what any client is told.
"""

import codecs

import magic

# The types an attachment may have, in the contract's order.
ALLOWED_CONTENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
)
TEXT = "text/plain"
# What a file is called when libmagic calls it text but it is not valid UTF-8 without NUL.
UNRECOGNISED = "application/octet-stream"
# libmagic decides from the start of a file; it reads no more than this by default either.
SNIFF_BYTES = 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head


def _is_clean_utf8(file) -> bool:
    """Valid UTF-8 without NUL throughout, read in chunks (never the whole file at once)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK_BYTES):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def sniff_content_type(file) -> str:
    """The MIME type of an open binary `file` (a Django `File`), left at its start."""
    sniffed = magic.from_buffer(_head(file), mime=True)
    if sniffed == TEXT and not _is_clean_utf8(file):
        return UNRECOGNISED
    return sniffed


def is_allowed(content_type: str) -> bool:
    return content_type in ALLOWED_CONTENT_TYPES
