"""A first pass over every endpoint; the per-rule tests live beside this file."""

import pytest

from tests.conftest import E1, E2, E3, E5, TICKET_BODY, envelope_result

pytestmark = pytest.mark.django_db


def test_created_ticket_is_listed_for_its_contact(api):
    created = envelope_result(api.call(E5, body=TICKET_BODY))
    listed = envelope_result(api.call(E1))
    assert [item["ticket_no"] for item in listed] == [created["ticket_no"]]


def test_issue_types_are_listed_in_order(api, issue_types):
    assert envelope_result(api.call(E2)) == {
        "code": "00000",
        "issueTypes": ["General Enquiry", "Plan Enquiry"],
    }


def test_social_ticket_needs_no_token(api):
    record = envelope_result(api.call(E3, body=TICKET_BODY))
    assert record["from_portal"] == "0"
    assert record["contact_id"] == ""
