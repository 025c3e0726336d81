"""E2 `GET /crm/v1/ticket/issues` (CONTRACT §7)."""

import pytest

from tests.factories import IssueTypeFactory
from tests.support.client import envelope_result
from tests.support.endpoints import E2

pytestmark = pytest.mark.django_db


def test_result_has_code_and_issue_types_in_that_order(api, issue_types):
    result = envelope_result(api.call(E2))
    assert list(result) == ["code", "issueTypes"]
    assert result["code"] == "00000"


def test_issue_types_are_ordered_by_sort_order_then_name(api):
    IssueTypeFactory(name="Roaming", sort_order=20)
    IssueTypeFactory(name="Billing Enquiry", sort_order=20)
    IssueTypeFactory(name="Plan Enquiry", sort_order=10)
    IssueTypeFactory(name="Complaint", sort_order=30)
    assert envelope_result(api.call(E2))["issueTypes"] == [
        "Plan Enquiry",
        "Billing Enquiry",
        "Roaming",
        "Complaint",
    ]


def test_inactive_issue_types_are_not_listed(api):
    IssueTypeFactory(name="General Enquiry")
    IssueTypeFactory(name="Retired", is_active=False, sort_order=-1)
    assert envelope_result(api.call(E2))["issueTypes"] == ["General Enquiry"]


def test_empty_catalogue_is_an_empty_list(api):
    assert envelope_result(api.call(E2)) == {"code": "00000", "issueTypes": []}


def test_unicode_names_are_returned_unchanged(api):
    IssueTypeFactory(name="استفسار عام")
    assert envelope_result(api.call(E2))["issueTypes"] == ["استفسار عام"]
