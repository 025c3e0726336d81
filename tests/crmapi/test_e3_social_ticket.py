"""E3 `POST /crm/v1/social/ticket`: no token, optional `contactId` (CONTRACT §4, §6)."""

import pytest

from crmapi import messages
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.endpoints import CONTACT, E1, E3, TICKET_BODY
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def create(api, **fields):
    return api.call(E3, body={**TICKET_BODY, **fields})


def test_social_ticket_is_created_without_a_token(api):
    record = envelope_result(api.call(E3, body=TICKET_BODY, headers={"token": None}))
    assert Ticket.objects.get(ticket_number=int(record["ticket_no"][2:])).from_portal is False


@pytest.mark.parametrize("contact_id", [649797, "649797", "12x649797", " 649797 "])
def test_contact_id_links_the_ticket_to_the_contact(api, contact_id):
    record = envelope_result(create(api, contactId=contact_id))
    assert record["contact_id"] == f"12x{CONTACT}"


def test_linked_social_ticket_is_listed_for_its_contact(api):
    record = envelope_result(create(api, contactId=str(CONTACT)))
    assert [item["id"] for item in envelope_result(api.call(E1))] == [record["id"]]


def test_anonymous_social_ticket_is_listed_for_nobody(api):
    envelope_result(create(api))
    assert envelope_result(api.call(E1)) == []


def test_contact_id_may_be_spelled_contact_id(api):
    assert envelope_result(create(api, contact_id="12x24218"))["contact_id"] == "12x24218"


@pytest.mark.parametrize("contact_id", ["", None])
def test_empty_or_null_contact_id_means_no_contact(api, contact_id):
    record = envelope_result(create(api, contactId=contact_id))
    assert record["contact_id"] == ""


def test_absent_contact_id_means_no_contact(api):
    assert envelope_result(create(api))["contact_id"] == ""


@pytest.mark.parametrize(
    "contact_id", ["abc", "12x", "17x649797", "12x-5", -5, 6497.97, True, ["649797"], "   ", "64 97"]
)
def test_contact_id_in_no_accepted_form_is_400(api, contact_id):
    response = create(api, contactId=contact_id)
    assert_error(response, 400, messages.FIELD_BAD_CONTACT.format(name="contactId"))


def test_contact_id_is_checked_after_the_table_fields(api):
    response = api.call(E3, body={**TICKET_BODY, "source": None, "contactId": "bad"})
    assert envelope_error(response)["errorMessage"] == messages.FIELD_REQUIRED.format(name="source")


def test_contact_id_given_twice_is_refused(api):
    response = create(api, contactId="649797", contact_id="649797")
    assert envelope_error(response)["errorMessage"] == messages.FIELD_DUPLICATE.format(name="contactId")
