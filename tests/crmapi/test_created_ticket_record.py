"""CONTRACT §7: the ticket record returned by E3 and E5."""

import datetime
import re
import zoneinfo

import pytest
from django.test import override_settings

from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E3, E5, TICKET_BODY
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])]

# Every key of the document's example response, in its order, then category and status.
RECORD_KEYS = [
    "ticket_no", "assigned_user_id", "parent_id", "ticketpriorities", "product_id", "ticketseverities",
    "ticketstatus", "ticketcategories", "update_log", "hours", "days", "createdtime", "modifiedtime",
    "modifiedby", "ticket_title", "description", "solution", "contact_id", "from_portal", "effectivedate",
    "subcategory", "source", "starred", "tags", "cf_1518", "cf_1520", "cf_1522", "cf_1524", "cf_1526",
    "internalmemo", "vendorid", "vouchertype", "requiredprefix", "rechargeinterfaces", "voucheridformat",
    "passwordpattern", "currencyid", "id", "label", "category", "status",
]  # fmt: skip
NO_DATA_KEYS = [
    "parent_id", "product_id", "ticketseverities", "hours", "days", "solution", "tags",
    "cf_1518", "cf_1520", "cf_1522", "cf_1524", "cf_1526", "internalmemo", "vendorid", "requiredprefix",
    "rechargeinterfaces", "currencyid",
]  # fmt: skip
TIMESTAMP = "%Y-%m-%d %H:%M:%S"

BODY = {**TICKET_BODY, "vouchertype": "PIN", "voucheridformat": "NNNN-NNNN", "passwordpattern": "[0-9]{6}"}


@pytest.fixture
def record(api, endpoint):
    return envelope_result(api.call(endpoint, body=BODY))


def test_record_has_exactly_the_document_keys_in_order_then_category_and_status(record):
    assert list(record) == RECORD_KEYS


def test_every_record_value_is_a_string(record):
    assert all(isinstance(value, str) for value in record.values())


def test_ticket_no_is_tt_and_the_stored_number(record):
    assert re.fullmatch(r"TT[0-9]+", record["ticket_no"])
    assert Ticket.objects.filter(ticket_number=int(record["ticket_no"][2:])).exists()


def test_id_is_17x_and_the_record_id(record):
    ticket = Ticket.objects.get(ticket_number=int(record["ticket_no"][2:]))
    assert record["id"] == f"17x{ticket.pk}"


def test_api_created_ticket_starts_unassigned(record):
    assert (record["assigned_user_id"], record["modifiedby"]) == ("", "")


def test_body_values_are_returned_as_sent(record):
    sent = {
        "ticketstatus": "Open",
        "ticketcategories": "Plan change",
        "ticket_title": "Plan change",
        "description": "Plan change request for ",
        "effectivedate": "2021-09-11",
        "subcategory": "sub1",
        "source": "app",
        "vouchertype": "PIN",
        "voucheridformat": "NNNN-NNNN",
        "passwordpattern": "[0-9]{6}",
        "label": "Plan change",
        "category": "cat1",
        "status": "New",
    }
    assert {key: record[key] for key in sent} == sent


def test_keys_without_data_are_empty_strings(record):
    assert {key: record[key] for key in NO_DATA_KEYS} == dict.fromkeys(NO_DATA_KEYS, "")


def test_new_ticket_is_not_starred(record):
    assert record["starred"] == "0"


def test_update_log_starts_with_ticket_created(record):
    assert record["update_log"].startswith("Ticket created.")


def test_created_and_modified_times_are_equal_at_creation(record):
    assert record["createdtime"] == record["modifiedtime"]


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/Los_Angeles"])
def test_createdtime_is_in_the_configured_time_zone(api, endpoint, zone):
    with override_settings(TIME_ZONE=zone):
        before = datetime.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
        created = envelope_result(api.call(endpoint, body=BODY))["createdtime"]
        after = datetime.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    assert before <= datetime.datetime.strptime(created, TIMESTAMP) <= after


def test_from_portal_is_1_for_e5_and_0_for_e3(record, endpoint):
    assert record["from_portal"] == ("1" if endpoint is E5 else "0")


def test_contact_id_is_the_token_contact_for_e5_and_empty_for_anonymous_e3(record, endpoint):
    assert record["contact_id"] == (f"12x{CONTACT}" if endpoint is E5 else "")
