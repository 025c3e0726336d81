"""JWT authentication from the `token` header (CONTRACT §3.3, §4)."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jwt
from django.conf import settings
from jwt.exceptions import InvalidSubjectError
from jwt.types import Options
from rest_framework.authentication import BaseAuthentication

from crmapi import messages
from crmapi.errors import invalid_token

_BEARER = re.compile(r"^bearer\s+", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)  # used with fullmatch: "$" would accept "7\n"


@dataclass(frozen=True)
class Contact:
    """The customer a token speaks for: DRF's `request.user` on token endpoints."""

    number: int
    is_authenticated: bool = True

    @property
    def pk(self) -> int:  # throttles and logs identify the caller by pk
        return self.number


@lru_cache(maxsize=1)
def _public_key(path: str) -> str:
    return Path(path).read_text()


def verification_key() -> str:
    if settings.CRM_JWT_ALGORITHM == "RS256":
        return _public_key(settings.CRM_JWT_PUBLIC_KEY_FILE)
    return settings.CRM_JWT_SECRET


def _decode_options() -> Options:
    return {
        "require": ["sub", "exp"],
        "verify_aud": bool(settings.CRM_JWT_AUDIENCE),
        "verify_iss": bool(settings.CRM_JWT_ISSUER),
    }


def decode_contact_token(token: str) -> Contact:
    """Verify `token` and return its contact, or raise the contract's 401."""
    periods = token.count(".")
    if periods != 2:
        raise invalid_token(messages.TOKEN_PERIODS.format(count=periods))
    try:
        claims = jwt.decode(
            token,
            verification_key(),
            algorithms=[settings.CRM_JWT_ALGORITHM],
            options=_decode_options(),
            leeway=settings.CRM_JWT_LEEWAY_SECONDS,
            issuer=settings.CRM_JWT_ISSUER or None,
            audience=settings.CRM_JWT_AUDIENCE or None,
        )
    except jwt.ExpiredSignatureError:
        raise invalid_token(messages.TOKEN_EXPIRED) from None
    except jwt.InvalidSignatureError:
        raise invalid_token(messages.TOKEN_BAD_SIGNATURE) from None
    except jwt.InvalidAlgorithmError:
        raise invalid_token(messages.TOKEN_ALGORITHM_NOT_ALLOWED) from None
    except jwt.MissingRequiredClaimError as exc:
        raise invalid_token(messages.TOKEN_CLAIM_MISSING.format(claim=exc.claim)) from None
    except jwt.InvalidIssuerError:
        raise invalid_token(messages.TOKEN_ISSUER_INVALID) from None
    except jwt.InvalidAudienceError:
        raise invalid_token(messages.TOKEN_AUDIENCE_INVALID) from None
    except jwt.ImmatureSignatureError:
        raise invalid_token(messages.TOKEN_NOT_YET_VALID) from None
    except InvalidSubjectError:  # not exported as jwt.InvalidSubjectError
        raise invalid_token(messages.TOKEN_SUBJECT_INVALID) from None
    except jwt.DecodeError:
        raise invalid_token(messages.TOKEN_MALFORMED) from None
    except jwt.PyJWTError:  # InvalidKeyError is not an InvalidTokenError
        raise invalid_token(messages.TOKEN_INVALID) from None
    # RFC 7519 NumericDate: a JSON number. PyJWT also takes a string of digits ("9999999999"),
    # which no issuer of ours writes: refused, like any other malformed claim.
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise invalid_token(messages.TOKEN_CLAIM_NOT_NUMERIC.format(claim=name))
    subject = claims.get("sub")
    if not isinstance(subject, str) or not _DIGITS.fullmatch(subject):
        raise invalid_token(messages.TOKEN_SUBJECT_INVALID)
    return Contact(number=int(subject))


def strip_bearer(raw: str) -> str:
    return _BEARER.sub("", raw.strip(), count=1).strip()


class JWTAuthentication(BaseAuthentication):
    """Reads the `token` header. Presence and the other headers are checked before, by
    `permissions.RequiredHeaders`, which is why views authenticate lazily."""

    def authenticate(self, request):
        raw = request.headers.get("token")
        if raw is None or not raw.strip():
            return None
        token = strip_bearer(raw)
        return decode_contact_token(token), token

    def authenticate_header(self, request) -> str:
        # Without a value DRF would turn every 401 into a 403.
        return 'token realm="crm"'
