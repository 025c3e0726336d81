"""Tokens: minted the way `issue_token` does, or signed by hand with chosen claims and keys."""

import time
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings

from crmapi.management.commands.issue_token import mint_token
from tests.support.endpoints import CONTACT


def token_for(contact: int = CONTACT, ttl: int = 3600) -> str:
    return mint_token(contact=contact, ttl=ttl)


def claims(contact: int = CONTACT, **overrides) -> dict:
    """Valid claims for `contact`, good for ten minutes; an override of None drops that claim."""
    now = int(time.time())
    values = {"sub": str(contact), "iat": now, "exp": now + 600, **overrides}
    return {name: value for name, value in values.items() if value is not None}


def hs256(payload: dict, secret: str | None = None, algorithm: str = "HS256") -> str:
    """`payload` signed with `secret`, by default the test settings' own."""
    return jwt.encode(payload, secret or django_settings.CRM_JWT_SECRET, algorithm=algorithm)


@dataclass(frozen=True)
class RsaKeyPair:
    private_pem: bytes
    public_pem: bytes


def rsa_key_pair() -> RsaKeyPair:
    """A fresh RSA key pair, generated in the test (nothing is downloaded or committed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return RsaKeyPair(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
