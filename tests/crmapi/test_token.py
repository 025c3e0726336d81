"""CONTRACT §3.3 and §4: the JWT in the `token` header.

The start-up refusal of a short HS256 secret is proven in tests/crmtickets/test_production_settings.py.
"""

import time
import uuid

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from crmapi import authentication, messages
from tests.factories import TicketFactory
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.endpoints import CONTACT, E1, E4, E5, TICKET_BODY
from tests.support.tokens import claims, hs256, rsa_key_pair, token_for

pytestmark = pytest.mark.django_db

OTHER_SECRET = "another-secret-that-is-long-enough-for-hs256"


def assert_invalid_token(response, message: str) -> None:
    assert_error(response, 401, message, "INVALID_TOKEN")


def call_with(api, token: str):
    return api.call(E1, headers={"token": token})


# --- Malformed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "count"), [("abc", 0), ("abc.def", 1), ("a.b.c.d", 3)])
def test_token_without_exactly_two_periods_is_401_with_the_count(api, token, count):
    assert_invalid_token(call_with(api, token), messages.TOKEN_PERIODS.format(count=count))


def test_token_without_periods_gives_the_documented_sentence(api):
    response = call_with(api, "string")
    assert envelope_error(response)["errorMessage"] == (
        "JWT strings must contain exactly 2 period characters. Found: 0"
    )


def test_token_with_bad_base64_is_401_malformed(api):
    assert_invalid_token(call_with(api, "a.b.c"), messages.TOKEN_MALFORMED)


# --- Expiry ----------------------------------------------------------------------------------------


def test_expired_token_is_401(api):
    token = hs256(claims(exp=int(time.time()) - 120))
    assert_invalid_token(call_with(api, token), messages.TOKEN_EXPIRED)


def test_token_expired_within_30_seconds_leeway_is_accepted(api):
    token = hs256(claims(exp=int(time.time()) - 10))
    assert call_with(api, token).status_code == 200


def test_token_expired_beyond_30_seconds_leeway_is_refused(api):
    token = hs256(claims(exp=int(time.time()) - 45))
    assert_invalid_token(call_with(api, token), messages.TOKEN_EXPIRED)


def test_expiry_written_as_a_string_of_digits_is_401(api):
    """PyJWT reads `"9999999999"` as a time; RFC 7519 says a NumericDate is a JSON number."""
    token = hs256(claims(exp="9999999999"))
    assert_invalid_token(call_with(api, token), messages.TOKEN_CLAIM_NOT_NUMERIC.format(claim="exp"))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["9999999999", "1", True, [1], {"n": 1}], ids=str)
def test_time_claim_that_is_not_a_json_number_is_401(api, claim, value):
    payload = {**claims(), claim: value}
    assert call_with(api, hs256(payload)).status_code == 401


def test_fractional_expiry_is_a_number_and_accepted(api):
    assert call_with(api, hs256(claims(exp=time.time() + 600.5))).status_code == 200


def test_token_not_yet_valid_beyond_the_leeway_is_refused(api):
    token = hs256(claims(nbf=int(time.time()) + 120))
    assert_invalid_token(call_with(api, token), messages.TOKEN_NOT_YET_VALID)


# --- Signature and algorithm ---------------------------------------------------------------------


def test_token_signed_with_another_secret_is_401_signature_mismatch(api):
    token = hs256(claims(), secret=OTHER_SECRET)
    assert_invalid_token(call_with(api, token), messages.TOKEN_BAD_SIGNATURE)


def test_token_with_alg_none_is_refused(api):
    token = jwt.encode(claims(), None, algorithm="none")
    assert_invalid_token(call_with(api, token), messages.TOKEN_ALGORITHM_NOT_ALLOWED)


def test_token_with_another_hmac_algorithm_is_refused(api):
    token = hs256(claims(), secret="s" * 64, algorithm="HS512")
    assert_invalid_token(call_with(api, token), messages.TOKEN_ALGORITHM_NOT_ALLOWED)


def test_rs256_token_is_refused_when_hs256_is_configured(api):
    token = jwt.encode(claims(), rsa_key_pair().private_pem, algorithm="RS256")
    assert_invalid_token(call_with(api, token), messages.TOKEN_ALGORITHM_NOT_ALLOWED)


# --- Claims ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["sub", "exp"])
def test_token_missing_a_required_claim_is_401_naming_it(api, claim):
    token = hs256(claims(**{claim: None}))
    assert_invalid_token(call_with(api, token), messages.TOKEN_CLAIM_MISSING.format(claim=claim))


@pytest.mark.parametrize("subject", ["abc", "12x649797", "-5", "", " 649797", "649797\n", "\u0664\u0662"])
def test_subject_that_is_not_ascii_digits_is_401(api, subject):
    assert_invalid_token(call_with(api, hs256(claims(sub=subject))), messages.TOKEN_SUBJECT_INVALID)


def test_integer_subject_is_401(api):
    assert_invalid_token(call_with(api, hs256(claims(sub=CONTACT))), messages.TOKEN_SUBJECT_INVALID)


def test_subject_with_leading_zeros_is_the_same_contact(api):
    ticket = TicketFactory(contact_number=7)
    listed = envelope_result(call_with(api, hs256(claims(sub="007"))))
    assert [item["ticket_no"] for item in listed] == [f"TT{ticket.ticket_number}"]


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "BEARER  "])
def test_bearer_prefix_in_any_case_is_stripped(api, prefix):
    assert call_with(api, prefix + token_for()).status_code == 200


# --- Issuer and audience ----------------------------------------------------------------------------


@override_settings(CRM_JWT_ISSUER="https://id.example.com")
def test_configured_issuer_is_accepted(api):
    assert call_with(api, hs256(claims(iss="https://id.example.com"))).status_code == 200


@override_settings(CRM_JWT_ISSUER="https://id.example.com")
def test_other_issuer_is_refused_when_configured(api):
    token = hs256(claims(iss="https://evil.example.com"))
    assert_invalid_token(call_with(api, token), messages.TOKEN_ISSUER_INVALID)


@override_settings(CRM_JWT_ISSUER="https://id.example.com")
def test_missing_issuer_is_refused_when_configured(api):
    assert_invalid_token(call_with(api, hs256(claims())), messages.TOKEN_CLAIM_MISSING.format(claim="iss"))


@override_settings(CRM_JWT_AUDIENCE="crm")
def test_configured_audience_is_accepted(api):
    assert call_with(api, hs256(claims(aud="crm"))).status_code == 200


@override_settings(CRM_JWT_AUDIENCE="crm")
def test_other_audience_is_refused_when_configured(api):
    assert_invalid_token(call_with(api, hs256(claims(aud="billing"))), messages.TOKEN_AUDIENCE_INVALID)


@override_settings(CRM_JWT_AUDIENCE="crm")
def test_missing_audience_is_refused_when_configured(api):
    assert_invalid_token(call_with(api, hs256(claims())), messages.TOKEN_CLAIM_MISSING.format(claim="aud"))


def test_issuer_and_audience_are_not_checked_when_not_configured(api):
    assert call_with(api, hs256(claims(iss="anyone", aud="anything"))).status_code == 200


# --- RS256 -----------------------------------------------------------------------------------------


def test_rs256_token_signed_with_the_configured_key_pair_is_accepted(api, rs256):
    token = jwt.encode(claims(), rs256.private_pem, algorithm="RS256")
    assert call_with(api, token).status_code == 200


def test_rs256_token_signed_with_another_key_is_401_signature_mismatch(api, rs256):
    token = jwt.encode(claims(), rsa_key_pair().private_pem, algorithm="RS256")
    assert_invalid_token(call_with(api, token), messages.TOKEN_BAD_SIGNATURE)


def test_hs256_token_is_refused_when_rs256_is_configured(api, rs256):
    assert_invalid_token(call_with(api, hs256(claims())), messages.TOKEN_ALGORITHM_NOT_ALLOWED)


# --- Never echo the token ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "secretvalue",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl",
        hs256(claims(exp=1)),
        hs256(claims(sub="abc")),
        hs256(claims(), secret=OTHER_SECRET),
    ],
    ids=["no-periods", "bad-signature-raw", "expired", "bad-subject", "other-secret"],
)
def test_token_errors_never_echo_the_token(api, token):
    response = call_with(api, token)
    assert response.status_code == 401
    assert token not in response.content.decode()
    for part in token.split("."):
        assert part not in envelope_error(response)["errorMessage"]


def test_token_is_checked_on_comments_too(api):
    response = api.call(
        E4, body={"ticketNo": "TT1", "comment": "x", "contactId": "1"}, headers={"token": "x"}
    )
    assert_invalid_token(response, messages.TOKEN_PERIODS.format(count=0))


def test_token_is_checked_before_the_body(api):
    response = api.call(E5, body={**TICKET_BODY, "ticketstatus": "bad"}, headers={"token": "x.y"})
    assert_invalid_token(response, messages.TOKEN_PERIODS.format(count=1))


# --- A token already verified (crmapi/authentication.py remembers it) ------------------------------


def fresh_claims(**overrides) -> dict:
    """Claims no other test signs, so no earlier verification of the same token is remembered."""
    return claims(jti=uuid.uuid4().hex, **overrides)


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """The tokens PyJWT is asked to verify, in order."""
    asked: list[str] = []
    decode = jwt.decode

    def counted(token, *args, **kwargs):
        asked.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    return asked


def test_token_sent_again_is_not_verified_again(api, verifications):
    token = hs256(fresh_claims())
    assert [call_with(api, token).status_code for _ in range(3)] == [200, 200, 200]
    assert verifications == [token]


def test_token_sent_again_after_it_expired_is_refused(api):
    leeway = settings.CRM_JWT_LEEWAY_SECONDS
    expires = int(time.time()) + 2 - leeway  # still inside the leeway for one to two seconds
    token = hs256(fresh_claims(exp=expires))
    assert call_with(api, token).status_code == 200
    time.sleep(max(0.0, expires + leeway - time.time()) + 0.05)
    assert_invalid_token(call_with(api, token), messages.TOKEN_EXPIRED)


def test_token_sent_again_after_the_secret_changed_is_refused(api):
    token = hs256(fresh_claims())
    assert call_with(api, token).status_code == 200
    with override_settings(CRM_JWT_SECRET=OTHER_SECRET):
        assert_invalid_token(call_with(api, token), messages.TOKEN_BAD_SIGNATURE)


def test_token_sent_again_after_an_issuer_was_configured_is_refused(api):
    token = hs256(fresh_claims())
    assert call_with(api, token).status_code == 200
    with override_settings(CRM_JWT_ISSUER="https://id.example.com"):
        assert_invalid_token(call_with(api, token), messages.TOKEN_CLAIM_MISSING.format(claim="iss"))


def test_refused_token_is_verified_every_time(api, verifications):
    token = hs256(fresh_claims(), secret=OTHER_SECRET)
    assert [call_with(api, token).status_code for _ in range(2)] == [401, 401]
    assert verifications == [token, token]


def test_longest_remembered_token_is_verified_again_once_the_memory_is_full(api, verifications, monkeypatch):
    monkeypatch.setattr(authentication, "VERIFIED_TOKENS_MAX", 2)
    first, second, third = (hs256(fresh_claims()) for _ in range(3))
    for token in (first, second, third, second, third, first):
        assert call_with(api, token).status_code == 200
    assert verifications == [first, second, third, first]


def test_token_longer_than_the_remembered_length_is_verified_every_time(api, verifications):
    padding = "x" * authentication.VERIFIED_TOKEN_MAX_LENGTH
    token = hs256(fresh_claims(note=padding))
    assert [call_with(api, token).status_code for _ in range(2)] == [200, 200]
    assert verifications == [token, token]
