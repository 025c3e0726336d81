"""Where the bytes live: the `attachments` storage of STORAGES (a private directory, or an
S3-compatible bucket; docs/configuration.md), always through Django's storage API."""

import secrets

from django.core.files.storage import Storage, storages

STORAGE_ALIAS = "attachments"


def attachment_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def new_storage_key() -> str:
    """A random name (128 bits), fanned out over 256 prefixes; nothing of the client's in it."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"
