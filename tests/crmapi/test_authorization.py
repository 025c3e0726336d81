"""CONTRACT §5: a contact sees and touches only its own tickets."""

import pytest

from crmapi import messages
from tests.factories import TicketFactory
from tests.support.client import assert_error, envelope_error, envelope_result
from tests.support.endpoints import CONTACT, E1, E4, E5, OTHER_CONTACT, TICKET_BODY
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_ticket(db):
    return TicketFactory(contact_number=OTHER_CONTACT, ticket_number=2001)


def comment_on(ticket_no: str, **fields) -> dict:
    return {"ticketNo": ticket_no, "comment": "hello", "contactId": str(CONTACT), **fields}


def test_contact_does_not_list_another_contacts_tickets(api, others_ticket):
    own = TicketFactory(contact_number=CONTACT)
    listed = envelope_result(api.call(E1))
    assert [item["id"] for item in listed] == [f"17x{own.pk}"]
    assert api.call(E1).headers["X-Total-Count"] == "1"


def test_other_contact_lists_only_its_own(api, others_ticket):
    TicketFactory(contact_number=CONTACT)
    listed = envelope_result(api.call(E1, contact=OTHER_CONTACT))
    assert [item["ticket_no"] for item in listed] == ["TT2001"]


@pytest.mark.parametrize("reference", ["TT2001", "2001", "17x{pk}"])
def test_comment_on_another_contacts_ticket_is_the_same_404_as_unknown(api, others_ticket, reference):
    reference = reference.format(pk=others_ticket.pk)
    response = api.call(E4, body=comment_on(reference))
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no=reference))
    assert not Comment.objects.exists()


def test_foreign_and_unknown_tickets_are_indistinguishable(api, others_ticket):
    foreign = api.call(E4, body=comment_on("TT2001"))
    unknown = api.call(E4, body=comment_on("TT2002"))
    assert (foreign.status_code, envelope_error(foreign)["errorMessage"].replace("2001", "N")) == (
        unknown.status_code,
        envelope_error(unknown)["errorMessage"].replace("2002", "N"),
    )


def test_contact_id_not_matching_the_token_is_403(api, others_ticket):
    response = api.call(E4, body=comment_on("TT2001", contactId=str(OTHER_CONTACT)))
    assert_error(response, 403, messages.CONTACT_MISMATCH, "403 FORBIDDEN")
    assert not Comment.objects.exists()


def test_comment_checks_the_body_before_the_contact(api):
    response = api.call(E4, body=comment_on("TT2001", comment="", contactId=str(OTHER_CONTACT)))
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name="comment"))


def test_comment_checks_the_contact_before_the_ticket(api):
    response = api.call(E4, body=comment_on("TT424242", contactId=str(OTHER_CONTACT)))
    assert_error(response, 403, messages.CONTACT_MISMATCH)


def test_bad_contact_id_is_400_before_the_ticket_lookup(api):
    response = api.call(E4, body=comment_on("nonsense", contactId="nobody"))
    assert_error(response, 400, messages.FIELD_BAD_CONTACT.format(name="contactId"))


@pytest.mark.parametrize(
    "forged",
    [{"contactId": str(OTHER_CONTACT)}, {"contact_id": f"12x{OTHER_CONTACT}"}, {"CONTACTID": OTHER_CONTACT}],
)
def test_ticket_create_is_for_the_token_contact_whatever_the_body_says(api, forged):
    record = envelope_result(api.call(E5, body={**TICKET_BODY, **forged}))
    assert record["contact_id"] == f"12x{CONTACT}"
    assert Ticket.objects.get().contact_number == CONTACT


def test_created_ticket_is_listed_only_for_the_token_contact(api):
    envelope_result(api.call(E5, body=TICKET_BODY, contact=OTHER_CONTACT))
    assert envelope_result(api.call(E1)) == []
    assert len(envelope_result(api.call(E1, contact=OTHER_CONTACT))) == 1
