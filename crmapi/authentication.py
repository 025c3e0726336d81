"""JWT authentication from the `token` header (CONTRACT §3.3, §4)."""

import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

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


class Verification(NamedTuple):
    """Everything besides the token and the clock that decides whether a token verifies."""

    algorithm: str
    key: str
    issuer: str
    audience: str
    leeway: int


def _verification() -> Verification:
    return Verification(
        settings.CRM_JWT_ALGORITHM,
        verification_key(),
        settings.CRM_JWT_ISSUER,
        settings.CRM_JWT_AUDIENCE,
        settings.CRM_JWT_LEEWAY_SECONDS,
    )


def _decode_options(verification: Verification) -> Options:
    return {
        "require": ["sub", "exp"],
        "verify_aud": bool(verification.audience),
        "verify_iss": bool(verification.issuer),
    }


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token this process has verified: for whom, under which settings, and the time claims
    (as PyJWT reads them, whole seconds) that decide whether it still verifies."""

    contact: Contact
    verification: Verification
    expires: int
    starts: int | None  # the later of `nbf` and `iat`, when the token has either

    def still_valid(self, now: float) -> bool:
        """PyJWT's own time checks: `exp` after now - leeway, `nbf` and `iat` by now + leeway."""
        leeway = self.verification.leeway
        return self.expires > now - leeway and (self.starts is None or self.starts <= now + leeway)


# Per process. A client sends the same token until it expires; a token is some hundred bytes,
# and a longer one is verified every time, so the memory stays bounded (at most ~20 MB).
VERIFIED_TOKENS_MAX = 10_000
VERIFIED_TOKEN_MAX_LENGTH = 2_048
_verified: dict[str, _Verified] = {}
_remembering = threading.Lock()


def decode_contact_token(token: str) -> Contact:
    """Verify `token` and return its contact, or raise the contract's 401.

    A token this process has already verified is not verified again while the settings are
    unchanged and its time claims still hold: its signature and claims are the same bytes, so
    the answer would be the same. Only tokens that verified are remembered, and each use
    checks `exp`, `nbf` and `iat` against the clock as PyJWT does; one that has lapsed is
    verified again and so refused with the message PyJWT's check gives.
    """
    verification = _verification()
    known = _verified.get(token)
    if known is not None and known.verification == verification:
        if known.still_valid(time.time()):
            return known.contact
        _verified.pop(token, None)
    contact, claims = _verify(token, verification)
    if len(token) <= VERIFIED_TOKEN_MAX_LENGTH:
        _remember(token, _Verified(contact, verification, int(claims["exp"]), _starts(claims)))
    return contact


def _starts(claims: dict) -> int | None:
    starts = [int(claims[name]) for name in ("nbf", "iat") if name in claims]
    return max(starts) if starts else None


def _remember(token: str, verified: _Verified) -> None:
    with _remembering:
        while token not in _verified and len(_verified) >= VERIFIED_TOKENS_MAX:
            _verified.pop(next(iter(_verified)), None)  # the longest remembered
        _verified[token] = verified


def _verify(token: str, verification: Verification) -> tuple[Contact, dict]:
    """The full check: PyJWT's signature and claims, then the contract's own claim rules."""
    periods = token.count(".")
    if periods != 2:
        raise invalid_token(messages.TOKEN_PERIODS.format(count=periods))
    try:
        claims = jwt.decode(
            token,
            verification.key,
            algorithms=[verification.algorithm],
            options=_decode_options(verification),
            leeway=verification.leeway,
            issuer=verification.issuer or None,
            audience=verification.audience or None,
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
    return Contact(number=int(subject)), claims


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
