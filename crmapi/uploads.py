"""E8's `multipart/form-data` body (CONTRACT §13), read as a stream.

The file part named `file` goes straight to a temporary file in 64 KiB chunks, hashed on the
way, so a 10 MiB upload is never held in memory. Its bytes are counted as they are read, not
taken from any header: past `CRM_ATTACHMENT_MAX_BYTES` the handler stops keeping them and the
upload is refused with 413 once the fields before it have had their say (a lying
`Content-Length` or a chunked body changes nothing). Only the first `file` part is kept; a second
one is counted, never stored, and refused as a duplicate; file parts under other names are read
past and dropped. A body declared larger than any acceptable upload is refused before it is
read: nothing in it could be accepted.

The parsed form is kept on the request, so the idempotency fingerprint (the fields and the
file's hash, never its bytes a second time) and the view read it once.
"""

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from attachments.filenames import clean_filename
from crmapi import limits, messages
from crmapi.errors import ApiError, bad_request
from crmapi.inputs import normalize_key

FILE_FIELD = "file"
MEDIA_TYPE = "multipart/form-data"
# What a multipart body may hold besides the file: the non-file fields' limit (§6's 1 MiB, which
# Django applies to them) and room for the parts' headers and boundaries.
FORM_OVERHEAD_BYTES = limits.BODY_MAX_BYTES + 64 * 1024


def body_max_bytes() -> int:
    """The largest E8 body that could be accepted."""
    return settings.CRM_ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES


def largest_body_bytes() -> int:
    """The largest body any endpoint could accept (E8's, else the JSON limit): how much of a
    chunked body the servers de-chunk before the endpoint's own limit judges it."""
    return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, body_max_bytes())


class AttachmentUploadHandler(FileUploadHandler):
    """Keeps the first `file` part in a temporary file, counting and hashing its bytes."""

    def __init__(self, request=None):
        super().__init__(request)
        self.max_bytes = settings.CRM_ATTACHMENT_MAX_BYTES
        self.seen_file_part = False

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.is_file_part = normalize_key(field_name) == FILE_FIELD
        keep = self.is_file_part and not self.seen_file_part
        self.seen_file_part = self.seen_file_part or self.is_file_part
        self.size = 0
        self.digest = hashlib.sha256()
        self.kept: TemporaryUploadedFile | None = None
        if keep:
            self.kept = TemporaryUploadedFile(
                self.file_name or "", self.content_type, 0, self.charset, self.content_type_extra
            )

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.kept is None:
            return None
        if self.size > self.max_bytes:  # stop keeping it: the upload is refused (413)
            self.kept.close()
            self.kept = None
            return None
        self.digest.update(raw_data)
        self.kept.write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.is_file_part:
            return None  # another name: dropped
        if self.kept is None:  # over the limit, or a second `file` part: its size, no bytes
            return UploadedFile(None, name=self.file_name, content_type=self.content_type, size=self.size)
        self.kept.seek(0)
        self.kept.size = file_size
        self.kept.sha256 = self.digest.hexdigest()  # type: ignore[attr-defined]
        return self.kept


class AttachmentMultiPartParser(MultiPartParser):
    """Django's parser with the contract's file-name rule: a name that cleans to nothing is
    `attachment`, where Django would drop the part."""

    def sanitize_file_name(self, file_name):
        return clean_filename(file_name)


@dataclass(frozen=True)
class UploadForm:
    pairs: list[tuple[str, object]]  # every non-file field as sent, repeats included
    files: list[UploadedFile]  # the `file` parts (a second one without its bytes)

    def fingerprint(self) -> str:
        """Equal for the same fields and the same file bytes (CONTRACT §9)."""
        files = [(upload.name, upload.size, getattr(upload, "sha256", "")) for upload in self.files]
        text = json.dumps([sorted(self.pairs), files], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _check_media_type(request) -> None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.strip():
        raise ApiError(415, messages.UPLOAD_CONTENT_TYPE_MISSING)
    if content_type.split(";", 1)[0].strip().lower() != MEDIA_TYPE:
        raise ApiError(
            415, messages.UPLOAD_UNSUPPORTED_MEDIA_TYPE.format(content_type=messages.quoted(content_type))
        )


def _declared_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def read_upload(request) -> UploadForm:
    """The request's form, parsed on first use (415 for another content type, 400 for a body
    that is not multipart, 413 for one too large to hold an acceptable file)."""
    django_request = getattr(request, "_request", request)
    cached = getattr(django_request, "_crm_upload", None)
    if cached is not None:
        return cached
    _check_media_type(django_request)
    if _declared_length(django_request) > body_max_bytes():
        raise ApiError(413, messages.ATTACHMENT_TOO_LARGE.format(max_bytes=settings.CRM_ATTACHMENT_MAX_BYTES))
    try:
        parser = AttachmentMultiPartParser(
            django_request.META, django_request, [AttachmentUploadHandler(django_request)], "utf-8"
        )
        fields, files = parser.parse()
    except (TooManyFieldsSent, TooManyFilesSent):
        raise bad_request(messages.UPLOAD_TOO_MANY_PARTS) from None
    except (MultiPartParserError, UnicodeDecodeError):
        raise bad_request(messages.UPLOAD_MALFORMED) from None
    # Django closes (and so deletes) the request's temporary files when the response is done.
    django_request._post, django_request._files = fields, files
    form = UploadForm(
        pairs=[(name, value) for name, values in fields.lists() for value in values],
        files=[upload for name, uploads in files.lists() for upload in uploads],
    )
    django_request._crm_upload = form
    return form


def upload_fingerprint(request) -> str:
    return read_upload(request).fingerprint()
