"""CONTRACT §6: the ticket body of E3 and E5 (one rule set, checked on both endpoints)."""

import json

import pytest

from crmapi import messages
from crmapi.inputs import TICKET_FIELDS
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.endpoints import E3, E5, TICKET_BODY
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])]

# The document's table spelling of every field, in table order.
TABLE_BODY = {
    "ticketStatus": "Open",
    "effectiveDate": "2021-09-11",
    "ticketCategories": "Plan change",
    "tickettitle": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "voucherType": "",
    "voucherIdFormat": "",
    "passwordPattern": "",
    "source": "app",
}
TABLE_ORDER = list(TABLE_BODY)
NON_BLANK = ["ticketCategories", "tickettitle", "description", "subcategory", "status", "category", "source"]
MAY_BE_BLANK = ["voucherType", "voucherIdFormat", "passwordPattern"]
# From the declarations; tests/crmapi/test_contract_limits.py holds them to the contract's numbers.
MAX_LENGTH = {field.name: field.max_length for field in TICKET_FIELDS if field.max_length is not None}
EMOJI = "\U0001f600"  # one code point, four UTF-8 bytes, two UTF-16 units


def without(name: str) -> dict:
    return {key: value for key, value in TABLE_BODY.items() if key != name}


def test_document_example_spelling_creates_a_ticket(api, endpoint):
    record = envelope_result(api.call(endpoint, body=TICKET_BODY))
    assert (record["ticket_title"], record["ticketstatus"], record["effectivedate"]) == (
        "Plan change",
        "Open",
        "2021-09-11",
    )


def test_table_spelling_creates_the_same_ticket(api, endpoint):
    by_table = envelope_result(api.call(endpoint, body=TABLE_BODY))
    by_example = envelope_result(api.call(endpoint, body=TICKET_BODY))
    ignored = {"ticket_no", "id", "createdtime", "modifiedtime"}
    assert {k: v for k, v in by_table.items() if k not in ignored} == {
        k: v for k, v in by_example.items() if k not in ignored
    }


def test_keys_match_ignoring_case_and_underscores(api, endpoint):
    body = {"TICKET_STATUS": "Open", **{k.upper(): v for k, v in without("ticketStatus").items()}}
    assert api.call(endpoint, body=body).status_code == 200


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_each_missing_field_is_required(api, endpoint, name):
    assert_error(api.call(endpoint, body=without(name)), 400, messages.FIELD_REQUIRED.format(name=name))


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_null_counts_as_absent(api, endpoint, name):
    response = api.call(endpoint, body={**TABLE_BODY, name: None})
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name=name))


def test_missing_status_gives_the_documented_sentence(api, endpoint):
    response = api.call(endpoint, body=without("ticketStatus"))
    assert envelope_error(response)["errorMessage"] == "Field 'ticketStatus' is required."


def test_first_failing_field_in_table_order_is_reported(api, endpoint):
    body = {**without("source"), "tickettitle": "", "effectiveDate": "bad", "category": 5}
    assert_error(api.call(endpoint, body=body), 400, messages.FIELD_BAD_DATE.format(name="effectiveDate"))


@pytest.mark.parametrize("name", TABLE_ORDER)
@pytest.mark.parametrize(
    "value", [5, 1.5, True, ["x"], {"x": "y"}], ids=["int", "float", "bool", "list", "obj"]
)
def test_each_field_must_be_a_string(api, endpoint, name, value):
    response = api.call(endpoint, body={**TABLE_BODY, name: value})
    assert_error(response, 400, messages.FIELD_NOT_STRING.format(name=name))


@pytest.mark.parametrize("name", NON_BLANK)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_mandatory_text_is_required(api, endpoint, name, blank):
    response = api.call(endpoint, body={**TABLE_BODY, name: blank})
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name=name))


@pytest.mark.parametrize("name", MAY_BE_BLANK)
def test_voucher_and_password_fields_may_be_empty(api, endpoint, name):
    assert api.call(endpoint, body={**TABLE_BODY, name: ""}).status_code == 200


@pytest.mark.parametrize("name", list(MAX_LENGTH))
def test_text_at_its_maximum_in_code_points_is_accepted(api, endpoint, name):
    value = EMOJI * MAX_LENGTH[name]
    record = envelope_result(api.call(endpoint, body={**TABLE_BODY, name: value}))
    assert value in record.values()


@pytest.mark.parametrize("name", list(MAX_LENGTH))
def test_text_over_its_maximum_is_too_long(api, endpoint, name):
    response = api.call(endpoint, body={**TABLE_BODY, name: EMOJI * (MAX_LENGTH[name] + 1)})
    message = messages.FIELD_TOO_LONG.format(name=name, max_length=MAX_LENGTH[name])
    assert_error(response, 400, message)


def test_too_long_title_gives_the_documented_sentence(api, endpoint):
    response = api.call(endpoint, body={**TABLE_BODY, "tickettitle": "t" * 256})
    assert envelope_error(response)["errorMessage"] == "Field 'tickettitle' must be at most 255 characters."


# --- ticketStatus ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("open", "Open"),
        ("IN PROGRESS", "In Progress"),
        ("wait for response", "Wait For Response"),
        ("Closed", "Closed"),
    ],
)
def test_ticket_status_is_case_insensitive_and_stored_canonical(api, endpoint, sent, stored):
    record = envelope_result(api.call(endpoint, body={**TABLE_BODY, "ticketStatus": sent}))
    assert record["ticketstatus"] == stored
    assert Ticket.objects.get(ticket_number=int(record["ticket_no"][2:])).ticket_status == stored


@pytest.mark.parametrize("status", ["New", "Pending", "InProgress", ""])
def test_ticket_status_outside_the_four_is_400(api, endpoint, status):
    response = api.call(endpoint, body={**TABLE_BODY, "ticketStatus": status})
    assert_error(response, 400, messages.FIELD_BAD_STATUS.format(name="ticketStatus"))


# --- effectiveDate -----------------------------------------------------------------------------------


def test_empty_effective_date_means_none(api, endpoint):
    record = envelope_result(api.call(endpoint, body={**TABLE_BODY, "effectiveDate": ""}))
    assert record["effectivedate"] == ""


@pytest.mark.parametrize(
    "date", ["YYYY-MM-DD", "2021-02-31", "11-09-2021", "2021-9-11", "2021-09-11T00:00", " "]
)
def test_effective_date_not_a_real_iso_date_is_400(api, endpoint, date):
    response = api.call(endpoint, body={**TABLE_BODY, "effectiveDate": date})
    assert_error(response, 400, messages.FIELD_BAD_DATE.format(name="effectiveDate"))


def test_document_placeholder_date_gives_the_documented_sentence(api, endpoint):
    response = api.call(endpoint, body=TICKET_BODY | {"effectivedate": "YYYY-MM-DD"})
    assert (
        envelope_error(response)["errorMessage"]
        == "Field 'effectiveDate' must be a date in YYYY-MM-DD format."
    )


# --- Duplicates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "name"),
    [
        ("ticketStatus", "ticket_status", "ticketStatus"),
        ("tickettitle", "ticket_title", "tickettitle"),
        ("voucherIdFormat", "VOUCHERIDFORMAT", "voucherIdFormat"),
    ],
)
def test_two_spellings_of_one_field_are_refused(api, endpoint, first, second, name):
    body = {**TABLE_BODY, first: TABLE_BODY[name], second: TABLE_BODY[name]}
    assert_error(api.call(endpoint, body=body), 400, messages.FIELD_DUPLICATE.format(name=name))


def test_duplicate_with_null_is_refused(api, endpoint):
    body = {**TABLE_BODY, "ticket_title": None}
    assert_error(api.call(endpoint, body=body), 400, messages.FIELD_DUPLICATE.format(name="tickettitle"))


def test_exact_duplicate_json_key_is_refused(api, endpoint):
    raw = '{"description": "first", ' + json.dumps(TABLE_BODY)[1:]
    assert_error(api.call(endpoint, raw=raw), 400, messages.FIELD_DUPLICATE.format(name="description"))


def test_exact_duplicate_json_key_with_null_is_refused(api, endpoint):
    raw = '{"category": null, ' + json.dumps(TABLE_BODY)[1:]
    assert_error(api.call(endpoint, raw=raw), 400, messages.FIELD_DUPLICATE.format(name="category"))


def test_duplicates_are_checked_before_field_rules(api, endpoint):
    body = {**without("ticketStatus"), "source": "", "Source": "app"}
    assert_error(api.call(endpoint, body=body), 400, messages.FIELD_DUPLICATE.format(name="source"))


# --- Characters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Ping \U0001f600\U0001f44d\U0001f3fd", "مرحبا بالعالم", "你好 世界", "ﾃｽﾄ e\u0301"]
)
def test_unicode_text_round_trips_unchanged(api, endpoint, text):
    record = envelope_result(
        api.call(endpoint, body={**TABLE_BODY, "description": text, "tickettitle": text})
    )
    assert (record["description"], record["ticket_title"], record["label"]) == (text, text, text)
    stored = Ticket.objects.get(ticket_number=int(record["ticket_no"][2:]))
    assert (stored.description, stored.title) == (text, text)


def test_nul_character_is_refused_naming_the_field(api, endpoint):
    response = api.call(endpoint, body={**TABLE_BODY, "description": "a\x00b"})
    assert_error(response, 400, messages.FIELD_BAD_CHARACTERS.format(name="description"))


def test_lone_surrogate_is_refused_naming_the_field(api, endpoint):
    response = api.call(endpoint, body={**TABLE_BODY, "subcategory": "a\ud800b"})  # sent as \\ud800
    assert_error(response, 400, messages.FIELD_BAD_CHARACTERS.format(name="subcategory"))


def test_emoji_sent_as_raw_utf8_round_trips(api, endpoint):
    raw = json.dumps({**TABLE_BODY, "subcategory": EMOJI}, ensure_ascii=False).encode()
    assert envelope_result(api.call(endpoint, raw=raw))["subcategory"] == EMOJI


# --- Unknown keys ------------------------------------------------------------------------------------

CLIENT_CONTROLLED = {
    "ticket_no": "TT1",
    "id": "17x999999",
    "createdtime": "2000-01-01 00:00:00",
    "modifiedtime": "2000-01-01 00:00:00",
    "assigned_user_id": "19x1",
    "modifiedby": "19x5",
    "update_log": "Everything approved.",
    "starred": "1",
    "label": "Forged label",
    "solution": "Refund issued",
    "internalmemo": "VIP",
    "cf_1518": "x",
}


def test_unknown_keys_are_ignored_and_never_stored(api, endpoint):
    record = envelope_result(api.call(endpoint, body={**TABLE_BODY, **CLIENT_CONTROLLED}))
    for key, forged in CLIENT_CONTROLLED.items():
        assert record[key] != forged, key
    assert record["update_log"].startswith("Ticket created.")
    assert record["label"] == TABLE_BODY["tickettitle"]
