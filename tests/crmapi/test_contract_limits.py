"""The contract's numbers, written out here and only here: every other test reads the limits from
their one declaration (`crmapi.inputs`, `crmapi.limits`, `tickets.models`), so a limit changed in
that place changes validation, schema, reference and tests alike, and this module says whether the
change still keeps the contract."""

import pytest

from crmapi import limits
from crmapi.inputs import COMMENT_FIELDS, TICKET_FIELDS

# CONTRACT §6: the ticket body's text fields and their maximum lengths in code points.
CONTRACT_TICKET_MAX_LENGTHS = {
    "ticketCategories": 255,
    "tickettitle": 255,
    "description": 20_000,
    "subcategory": 255,
    "status": 255,
    "category": 255,
    "voucherType": 255,
    "voucherIdFormat": 255,
    "passwordPattern": 255,
    "source": 64,
}
CONTRACT_MAY_BE_BLANK = {"voucherType", "voucherIdFormat", "passwordPattern"}


def test_ticket_body_fields_are_the_contracts_in_its_table_order():
    assert [field.name for field in TICKET_FIELDS] == [
        "ticketStatus",
        "effectiveDate",
        *CONTRACT_TICKET_MAX_LENGTHS,
    ]


@pytest.mark.parametrize(("name", "max_length"), CONTRACT_TICKET_MAX_LENGTHS.items())
def test_ticket_text_field_has_the_contracts_maximum_length(name, max_length):
    [field] = [field for field in TICKET_FIELDS if field.name == name]
    assert field.max_length == max_length


def test_only_the_voucher_and_password_fields_may_be_blank():
    assert {field.name for field in TICKET_FIELDS if field.blank} == CONTRACT_MAY_BE_BLANK


def test_comment_is_at_most_10000_code_points():
    [comment] = [field for field in COMMENT_FIELDS if field.name == "comment"]
    assert comment.max_length == 10_000


def test_comment_body_fields_are_checked_in_the_contracts_order():
    assert [field.name for field in COMMENT_FIELDS] == ["ticketNo", "comment", "contactId"]


def test_the_contracts_own_limits():
    assert (
        limits.CORRELATION_ID_MAX_LENGTH,
        limits.SOURCE_HEADER_MAX_LENGTH,
        limits.IDEMPOTENCY_KEY_MAX_LENGTH,
        limits.BODY_MAX_BYTES,
        limits.LIST_LIMIT_MAX,
    ) == (128, 64, 255, 1024 * 1024, 500)
