"""A catalogue of hostile inputs: each is answered with the right 4xx envelope and
nothing is stored, or, for text that merely looks dangerous, stored and returned verbatim.

The same inputs against a real HTTP server (gunicorn, as deployed) are in test_hostile_http.py.
"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from crmapi import messages
from crmapi.models import IdempotencyRecord
from tests.support.client import envelope_error, envelope_result
from tests.support.endpoints import CONTACT, E1, E3, E4, E5, E6, E7, OTHER_CONTACT, TICKET_BODY
from tests.support.tokens import claims, hs256, rsa_key_pair, token_for
from tickets.models import COMMENT_MAX_LENGTH, Comment, Ticket

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
HUNDRED_KB = "x" * 100_000

# Body key (as the document's example spells it) → the field name used in messages.
FIELD_NAMES = {
    "ticketstatus": "ticketStatus",
    "effectivedate": "effectiveDate",
    "ticketcategories": "ticketCategories",
    "ticket_title": "tickettitle",
    "description": "description",
    "subcategory": "subcategory",
    "status": "status",
    "category": "category",
    "vouchertype": "voucherType",
    "voucheridformat": "voucherIdFormat",
    "passwordpattern": "passwordPattern",
    "source": "source",
}
FREE_TEXT_KEYS = [key for key in FIELD_NAMES if key not in ("ticketstatus", "effectivedate")]

SQL_AND_SCRIPT = [
    "'; DROP TABLE tickets_ticket; --",
    "1' OR '1'='1' UNION SELECT password FROM auth_user --",
    '<script>alert("owned")</script>',
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }} {% debug %} ${7*7} %s%n",
    '\\"}, "ticket_no": "TT1"',
]


def stored() -> tuple[int, int, int]:
    return Ticket.objects.count(), Comment.objects.count(), IdempotencyRecord.objects.count()


def assert_refused(response, status: int, message: str | None = None, *, before=(0, 0, 0)) -> None:
    """The `status` envelope (with `message` when given), and the store unchanged."""
    assert response.status_code == status, response.content[:300]
    error = envelope_error(response)
    if message is not None:
        assert error["errorMessage"] == message
    assert stored() == before


def comment_body(ticket, **overrides) -> dict:
    return {
        "ticketNo": f"TT{ticket.ticket_number}",
        "comment": "Hello",
        "contactId": str(CONTACT),
        **overrides,
    }


# --- Size -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [E3, E5, E4], ids=["E3", "E5", "E4"])
def test_body_over_1_mib_is_413_and_stores_nothing(api, endpoint):
    body = {**TICKET_BODY, "description": "x" * MIB}
    response = api.call(endpoint, body=body, headers={"Idempotency-Key": "big-1"})
    assert_refused(response, 413, messages.BODY_TOO_LARGE)
    assert envelope_error(response)["errorCode"] == "413 PAYLOAD_TOO_LARGE"


def test_body_over_1_mib_is_413_whatever_its_content_type(api):
    assert_refused(api.call(E5, raw="x" * (MIB + 1), content_type="text/plain"), 413, messages.BODY_TOO_LARGE)


def test_body_of_exactly_1_mib_is_accepted_and_its_unknown_keys_are_not_stored(api):
    padding = MIB - len(json.dumps({**TICKET_BODY, "padding": ""}).encode())
    raw = json.dumps({**TICKET_BODY, "padding": "p" * padding})
    assert len(raw.encode()) == MIB
    record = envelope_result(api.call(E5, raw=raw))
    assert "padding" not in record
    assert "p" * 1000 not in json.dumps(record)


# --- Nesting and structure ---------------------------------------------------------------------------

DEPTH = 100_000


@pytest.mark.parametrize(
    "raw",
    [
        "[" * DEPTH + "]" * DEPTH,
        '{"a":' * DEPTH + "1" + "}" * DEPTH,
        json.dumps(TICKET_BODY)[:-1] + ', "description": ' + "[" * DEPTH + "]" * DEPTH + "}",
    ],
    ids=["arrays", "objects", "inside-a-field"],
)
@pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])
def test_json_nested_100k_levels_deep_is_400_malformed(api, endpoint, raw):
    assert_refused(api.call(endpoint, raw=raw), 400, messages.BODY_MALFORMED)


def test_moderately_nested_value_where_a_string_belongs_is_400_naming_the_field(api):
    body = {**TICKET_BODY, "description": [[[[[[[["deep"]]]]]]]]}
    assert_refused(api.call(E5, body=body), 400, messages.FIELD_NOT_STRING.format(name="description"))


@pytest.mark.parametrize("raw", ["[]", '"a string"', "42", "true", "null", '[{"source": "app"}]'])
def test_json_that_is_not_an_object_is_400(api, raw):
    assert_refused(api.call(E5, raw=raw), 400, messages.BODY_NOT_OBJECT)


# --- Encoding and control characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_bytes",
    [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80"],
    ids=["invalid-byte", "overlong", "encoded-surrogate", "truncated", "lone-continuation"],
)
@pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])
def test_invalid_utf8_is_400_malformed(api, endpoint, bad_bytes):
    raw = json.dumps(TICKET_BODY).encode().replace(b"Plan change request", b"Plan " + bad_bytes)
    assert_refused(api.call(endpoint, raw=raw), 400, messages.BODY_MALFORMED)


def test_utf16_body_is_400_malformed(api):
    assert_refused(api.call(E5, raw=json.dumps(TICKET_BODY).encode("utf-16")), 400, messages.BODY_MALFORMED)


def test_raw_nul_byte_in_the_body_is_400_malformed(api):
    raw = json.dumps(TICKET_BODY).encode().replace(b"Plan change request", b"Plan \x00 change")
    assert_refused(api.call(E5, raw=raw), 400, messages.BODY_MALFORMED)


@pytest.mark.parametrize("key", FREE_TEXT_KEYS)
@pytest.mark.parametrize("text", ["nul\u0000inside", "lone \ud800 surrogate"], ids=["NUL", "surrogate"])
def test_escaped_nul_or_lone_surrogate_in_a_field_is_400_naming_it(api, key, text):
    response = api.call(E5, body={**TICKET_BODY, key: text})
    assert_refused(response, 400, messages.FIELD_BAD_CHARACTERS.format(name=FIELD_NAMES[key]))


def test_nul_in_a_comment_is_400(api, own_ticket):
    response = api.call(E4, body=comment_body(own_ticket, comment="a\u0000b"))
    assert_refused(response, 400, messages.FIELD_BAD_CHARACTERS.format(name="comment"), before=(1, 0, 0))


def test_nul_in_a_header_is_400_and_not_echoed(api):
    response = api.call(E5, body=TICKET_BODY, headers={"correlationId": "abc\x00def"})
    assert_refused(response, 400, messages.HEADER_CORRELATION_ID_INVALID)
    assert "correlationId" not in response


@pytest.mark.parametrize("value", ["abc\r\nSet-Cookie: session=evil", "abc\ndef"])
def test_line_break_in_correlation_id_is_400_without_header_injection(api, value):
    response = api.call(E5, body=TICKET_BODY, headers={"correlationId": value})
    assert_refused(response, 400, messages.HEADER_CORRELATION_ID_INVALID)
    assert "Set-Cookie" not in response
    assert "correlationId" not in response


# --- 100 kB headers ----------------------------------------------------------------------------------

HEADER_MESSAGES = {
    "correlationId": messages.HEADER_CORRELATION_ID_INVALID,
    "source": messages.HEADER_SOURCE_TOO_LONG,
    "srDate": messages.HEADER_SR_DATE_INVALID,
    "operation": messages.HEADER_OPERATION_INVALID.format(operation=E5.operation),
    "destination": messages.HEADER_DESTINATION_INVALID,
    "Idempotency-Key": messages.IDEMPOTENCY_KEY_INVALID,
}


@pytest.mark.parametrize("header", list(HEADER_MESSAGES))
def test_100_kb_header_value_is_400_naming_the_header(api, header):
    response = api.call(E5, body=TICKET_BODY, headers={header: HUNDRED_KB})
    assert_refused(response, 400, HEADER_MESSAGES[header])


def test_100_kb_correlation_id_is_not_echoed(api):
    """Clients and proxies refuse a response header that long; an invalid id is not echoed."""
    assert "correlationId" not in api.call(E5, body=TICKET_BODY, headers={"correlationId": HUNDRED_KB})


def test_100_kb_token_is_401_without_echoing_it(api):
    response = api.call(E5, body=TICKET_BODY, headers={"token": HUNDRED_KB})
    assert_refused(response, 401, messages.TOKEN_PERIODS.format(count=0))
    assert HUNDRED_KB[:100] not in response.content.decode()


def test_100_kb_data_header_standing_in_for_the_comment_is_400_too_long(api, own_ticket):
    response = api.call(E4, body=comment_body(own_ticket, comment=""), headers={"data": HUNDRED_KB})
    message = messages.FIELD_TOO_LONG.format(name="comment", max_length=COMMENT_MAX_LENGTH)
    assert_refused(response, 400, message, before=(1, 0, 0))


@pytest.mark.parametrize("param", ["status", "limit", "offset"])
def test_100_kb_query_parameter_is_400(api, param):
    assert api.call(E1, query={param: HUNDRED_KB}).status_code == 400


# --- SQL and script fragments ------------------------------------------------------------------------


@pytest.mark.parametrize("fragment", SQL_AND_SCRIPT)
@pytest.mark.parametrize("key", FREE_TEXT_KEYS)
def test_sql_and_script_fragments_are_stored_and_returned_verbatim(api, key, fragment):
    fragment = fragment[:64] if key == "source" else fragment
    record = envelope_result(api.call(E5, body={**TICKET_BODY, key: fragment}))
    assert record[key] == fragment
    assert envelope_result(api.call(E7, query={"ticketNo": record["ticket_no"]}))[key] == fragment
    assert Ticket.objects.count() == 1


def test_script_in_a_response_is_json_escaped_and_never_sniffed_as_html(api):
    response = api.call(E5, body={**TICKET_BODY, "description": '<script>alert("owned")</script>'})
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b'"description":"<script>alert(\\"owned\\")</script>"' in response.content


def test_fragment_that_mimics_json_cannot_add_keys_to_the_record(api):
    record = envelope_result(api.call(E5, body={**TICKET_BODY, "description": '", "ticket_no": "TT1'}))
    assert record["description"] == '", "ticket_no": "TT1'
    assert record["ticket_no"] != "TT1"


@pytest.mark.parametrize("fragment", SQL_AND_SCRIPT)
def test_sql_and_script_fragments_in_a_comment_are_returned_verbatim(api, own_ticket, fragment):
    envelope_result(api.call(E4, body=comment_body(own_ticket, comment=fragment)))
    comments = envelope_result(api.call(E6, query={"ticketNo": f"TT{own_ticket.ticket_number}"}))
    assert [comment["commentcontent"] for comment in comments] == [fragment]


@pytest.mark.parametrize("fragment", SQL_AND_SCRIPT[:3])
def test_sql_fragment_as_a_ticket_number_is_404_echoing_it(api, own_ticket, fragment):
    response = api.call(E7, query={"ticketNo": fragment})
    assert_refused(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no=fragment), before=(1, 0, 0))


@pytest.mark.parametrize("param", ["status", "limit", "offset"])
def test_sql_fragment_in_a_query_parameter_is_400(api, own_ticket, param):
    assert api.call(E1, query={param: "1' OR '1'='1"}).status_code == 400


def test_sql_fragment_in_a_status_field_is_400(api):
    response = api.call(E5, body={**TICKET_BODY, "ticketstatus": "Open' OR '1'='1"})
    assert_refused(response, 400, messages.FIELD_BAD_STATUS.format(name="ticketStatus"))


# --- Types where strings belong ----------------------------------------------------------------------

NOT_STRINGS = [123, 1.5, -0.0, 10**30, True, False, [], ["Open"], {}, {"value": "Open"}]


@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
@pytest.mark.parametrize("key", list(FIELD_NAMES))
def test_non_string_where_a_string_belongs_is_400_naming_the_field(api, key, value):
    response = api.call(E5, body={**TICKET_BODY, key: value})
    assert_refused(response, 400, messages.FIELD_NOT_STRING.format(name=FIELD_NAMES[key]))


@pytest.mark.parametrize("value", [True, 1.5, 10**30, -1, [], {}, "649797; DROP TABLE", "12x"], ids=repr)
def test_social_contact_id_that_is_not_a_contact_number_is_400(api, value):
    response = api.call(E3, body={**TICKET_BODY, "contactId": value})
    assert_refused(response, 400, messages.FIELD_BAD_CONTACT.format(name="contactId"))


@pytest.mark.parametrize("value", [True, 1.5, [], {}, ["TT1"]], ids=repr)
def test_comment_ticket_number_of_another_type_is_400(api, own_ticket, value):
    response = api.call(E4, body=comment_body(own_ticket, ticketNo=value))
    message = messages.FIELD_NOT_STRING_OR_INTEGER.format(name="ticketNo")
    assert_refused(response, 400, message, before=(1, 0, 0))


@pytest.mark.parametrize("value", [123, True, [], {"text": "hi"}], ids=repr)
def test_comment_that_is_not_a_string_is_400(api, own_ticket, value):
    response = api.call(E4, body=comment_body(own_ticket, comment=value))
    assert_refused(response, 400, messages.FIELD_NOT_STRING.format(name="comment"), before=(1, 0, 0))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_json_constants_are_400_malformed(api, constant):
    raw = json.dumps(TICKET_BODY)[:-1] + f', "contactId": {constant}}}'
    assert_refused(api.call(E3, raw=raw), 400, messages.BODY_MALFORMED)


# --- Duplicate keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        ('"description": "second"', "description"),
        ('"tickettitle": "same title"', "tickettitle"),
        ('"TicketTitle": null', "tickettitle"),
        ('"ticket_Status": "Closed"', "ticketStatus"),
    ],
)
def test_duplicate_keys_are_400_naming_the_field(api, extra, name):
    raw = json.dumps(TICKET_BODY)[:-1] + ", " + extra + "}"
    assert_refused(api.call(E5, raw=raw), 400, messages.FIELD_DUPLICATE.format(name=name))


def test_duplicate_contact_id_on_a_comment_is_400(api, own_ticket):
    raw = json.dumps(comment_body(own_ticket))[:-1] + f', "contact_id": "{OTHER_CONTACT}"}}'
    response = api.call(E4, raw=raw)
    assert_refused(response, 400, messages.FIELD_DUPLICATE.format(name="contactId"), before=(1, 0, 0))


# --- JWT attacks --------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, payload: dict, signature: bytes = b"", *, sign_with: bytes | None = None) -> str:
    """A JWT assembled by hand, as an attacker would, optionally HMAC-SHA256-signed with any key."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    if sign_with is not None:
        signature = hmac.new(sign_with, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def create_with(api, token: str):
    return api.call(E5, body=TICKET_BODY, headers={"token": token})


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_unsigned_token_with_alg_none_is_401(api, alg):
    token = forge({"alg": alg, "typ": "JWT"}, claims())
    assert_refused(create_with(api, token), 401, messages.TOKEN_ALGORITHM_NOT_ALLOWED)


def test_hs256_token_signed_with_the_rs256_public_key_is_401(api, rs256):
    """Algorithm confusion: the public key is no secret; HS256 is never accepted under RS256."""
    token = forge({"alg": "HS256", "typ": "JWT"}, claims(), sign_with=rs256.public_pem)
    assert_refused(create_with(api, token), 401, messages.TOKEN_ALGORITHM_NOT_ALLOWED)


ATTACKER_HEADERS = {
    "kid": "../../../../dev/null",
    "jku": "http://10.255.255.1/jwks.json",
    "x5u": "http://10.255.255.1/cert.pem",
}


def test_key_headers_on_a_token_signed_by_an_attacker_are_ignored_under_rs256(api, rs256):
    attacker = rsa_key_pair()
    jwk = RSAAlgorithm.to_jwk(serialization.load_pem_public_key(attacker.public_pem), as_dict=True)
    headers = {**ATTACKER_HEADERS, "jwk": jwk}
    token = jwt.encode(claims(), attacker.private_pem, algorithm="RS256", headers=headers)
    started = time.monotonic()
    assert_refused(create_with(api, token), 401, messages.TOKEN_BAD_SIGNATURE)
    assert time.monotonic() - started < 5, "no key was fetched from jku/x5u (that address never answers)"


def test_key_headers_on_a_token_signed_by_an_attacker_are_ignored_under_hs256(api):
    token = jwt.encode(
        claims(), "attacker-secret-of-at-least-32-bytes!", algorithm="HS256", headers=ATTACKER_HEADERS
    )
    assert_refused(create_with(api, token), 401, messages.TOKEN_BAD_SIGNATURE)


def test_key_headers_on_a_genuine_token_change_nothing(api, rs256):
    token = jwt.encode(claims(), rs256.private_pem, algorithm="RS256", headers=ATTACKER_HEADERS)
    assert envelope_result(create_with(api, token))["contact_id"] == f"12x{CONTACT}"


def test_expired_token_is_401_and_creates_nothing(api):
    token = hs256(claims(exp=int(time.time()) - 3600))
    assert_refused(create_with(api, token), 401, messages.TOKEN_EXPIRED)


def test_token_with_a_tampered_payload_is_401_signature_mismatch(api):
    header, _, signature = token_for(CONTACT).split(".")
    tampered_payload = b64url(json.dumps(claims(OTHER_CONTACT)).encode())
    assert_refused(
        create_with(api, f"{header}.{tampered_payload}.{signature}"), 401, messages.TOKEN_BAD_SIGNATURE
    )


def test_token_with_its_signature_stripped_is_401(api):
    header, payload, _ = token_for(CONTACT).split(".")
    assert_refused(create_with(api, f"{header}.{payload}."), 401)


def test_token_of_another_algorithm_family_is_401(api):
    token = forge({"alg": "ES256", "typ": "JWT"}, claims(), b"\x00" * 64)
    assert_refused(create_with(api, token), 401, messages.TOKEN_ALGORITHM_NOT_ALLOWED)


def test_token_without_a_subject_is_401_naming_the_claim(api):
    token = hs256({"exp": int(time.time()) + 600})
    assert_refused(create_with(api, token), 401, messages.TOKEN_CLAIM_MISSING.format(claim="sub"))


@pytest.mark.parametrize("subject", ["649797 OR 1=1", "649797; DROP TABLE tickets_ticket", "../649797"])
def test_token_subject_carrying_an_injection_is_401(api, subject):
    token = hs256(claims(sub=subject))
    assert_refused(create_with(api, token), 401, messages.TOKEN_SUBJECT_INVALID)


def test_token_with_garbage_segments_is_401_malformed(api):
    assert_refused(create_with(api, "not!base64.@@@.###"), 401, messages.TOKEN_MALFORMED)
