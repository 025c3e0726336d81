"""A client's file name as the conversation shows it (CONTRACT §13). It is only ever shown and
sent back in `Content-Disposition`, never used as a storage path."""

import unicodedata

from attachments.models import FILENAME_MAX_LENGTH

FALLBACK_FILENAME = "attachment"
# Characters that are not text: controls, format characters (right-to-left marks and overrides,
# zero-width joiners) and surrogates a broken encoding left.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# An extension this short is kept when a long name is cut.
_EXTENSION_MAX_LENGTH = 16


def clean_filename(name: str) -> str:
    """The last path component (after any `/` or `\\`), without control and format characters,
    at most FILENAME_MAX_LENGTH code points (a short extension kept), `attachment` when nothing
    is left (an empty name, `.`, `..`)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(char for char in last if unicodedata.category(char) not in _REMOVED_CATEGORIES).strip()
    if text in ("", ".", ".."):
        return FALLBACK_FILENAME
    if len(text) > FILENAME_MAX_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and len(extension) < _EXTENSION_MAX_LENGTH:
            text = stem[: FILENAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            text = text[:FILENAME_MAX_LENGTH]
    return text
