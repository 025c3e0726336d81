"""A download of an attachment, for the customer (E10) and for staff in the desk alike: the
bytes with headers that make any browser save them and never render them (CONTRACT §13)."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect

from attachments.models import Attachment
from attachments.selectors import open_attachment
from attachments.storage import attachment_storage

CACHE_CONTROL = "private, no-store"
CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"


def content_disposition(filename: str) -> str:
    """`attachment; filename*=UTF-8''<percent-encoded name>` (RFC 6266, RFC 8187)."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def download_headers(attachment: Attachment) -> dict[str, str]:
    return {
        "Content-Type": attachment.content_type,
        "Content-Length": str(attachment.size),
        "Content-Disposition": content_disposition(attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Cache-Control": CACHE_CONTROL,
    }


def redirects() -> bool:
    """Downloads are a redirect to the object store (CRM_ATTACHMENT_REDIRECT with S3)."""
    return settings.CRM_ATTACHMENT_REDIRECT and settings.CRM_ATTACHMENT_STORAGE == "s3"


def presigned_url(attachment: Attachment) -> str:
    """A URL of the object valid CRM_ATTACHMENT_URL_SECONDS (at most 5 minutes) whose answer has
    the download's type, disposition and caching."""
    parameters = {
        "ResponseContentType": attachment.content_type,
        "ResponseContentDisposition": content_disposition(attachment.filename),
        "ResponseCacheControl": CACHE_CONTROL,
    }
    storage = attachment_storage()
    return storage.url(  # type: ignore[call-arg]  # S3Storage's url takes these
        attachment.storage_key, parameters=parameters, expire=settings.CRM_ATTACHMENT_URL_SECONDS
    )


def attachment_download(attachment: Attachment) -> HttpResponseBase:
    """200 streaming the bytes (FileResponse, 64 KiB at a time), or 302 to a presigned URL."""
    if redirects():
        response = HttpResponseRedirect(presigned_url(attachment))
        response["Cache-Control"] = CACHE_CONTROL
        return response
    download = FileResponse(open_attachment(attachment))
    for name, value in download_headers(attachment).items():
        download[name] = value
    return download
