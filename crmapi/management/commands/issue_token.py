"""Mint a signed JWT for a contact, for development and tests (CONTRACT §4)."""

import time
from pathlib import Path

import jwt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def mint_token(*, contact: int, ttl: int, private_key: str | None = None) -> str:
    """A token the service accepts under its current settings (HS256 secret or RS256 key)."""
    now = int(time.time())
    claims: dict[str, object] = {"sub": str(contact), "iat": now, "exp": now + ttl}
    if settings.CRM_JWT_ISSUER:
        claims["iss"] = settings.CRM_JWT_ISSUER
    if settings.CRM_JWT_AUDIENCE:
        claims["aud"] = settings.CRM_JWT_AUDIENCE
    if settings.CRM_JWT_ALGORITHM == "RS256":
        if not private_key:
            raise CommandError("RS256 is configured: pass --private-key FILE (PEM) to sign.")
        return jwt.encode(claims, private_key, algorithm="RS256")
    return jwt.encode(claims, settings.CRM_JWT_SECRET, algorithm="HS256")


class Command(BaseCommand):
    help = "Print a signed JWT for a contact: issue_token --contact 649797 --ttl 3600"

    def add_arguments(self, parser):
        parser.add_argument("--contact", type=int, required=True, help="The contact number (sub).")
        parser.add_argument("--ttl", type=int, default=3600, help="Seconds until it expires.")
        parser.add_argument("--private-key", help="PEM private key file, when RS256 is configured.")

    def handle(self, *args, contact, ttl, private_key, **options):
        if contact < 0:
            raise CommandError("--contact must be a non-negative contact number.")
        if ttl <= 0:
            raise CommandError("--ttl must be a positive number of seconds.")
        if private_key and not Path(private_key).is_file():
            raise CommandError(f"No such private key file: {private_key}")
        key = Path(private_key).read_text() if private_key else None
        self.stdout.write(mint_token(contact=contact, ttl=ttl, private_key=key))
