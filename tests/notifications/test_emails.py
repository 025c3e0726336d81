"""Composing an email from stored events (notifications/emails.py), without sending it."""

import pytest

from notifications import emails
from tests.factories import TicketFactory, UserFactory
from tests.support.endpoints import CONTACT
from tickets import services
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db


def reopening_comment(assignee):
    """A customer's comment on a closed ticket: its two events, the reopen and the comment."""
    ticket = TicketFactory(
        ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED, assigned_to=assignee
    )
    services.comment_create_by_contact(ticket=ticket, contact_number=CONTACT, text="Broken again.")
    reopen, added = ticket.events.select_related("ticket__assigned_to", "comment").order_by("pk")[1:]
    return reopen, added


def test_a_reopen_whose_comment_tells_it_composes_no_email(dana):
    reopen, _ = reopening_comment(dana)
    assert emails.compose(reopen) is None


def test_the_comment_of_a_reopen_composes_the_one_email(dana):
    _, added = reopening_comment(dana)
    composed = emails.compose(added)
    assert composed is not None
    assert composed.subject == f"[TT1130] {emails.CUSTOMER_REOPENED_WITH_COMMENT}: {added.ticket.title}"
    assert composed.to == [dana.email]


def test_an_assignee_who_is_no_longer_staff_gets_nothing():
    _, added = reopening_comment(UserFactory(is_staff=False))
    assert emails.recipient(added) is None
