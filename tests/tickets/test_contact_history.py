"""`contact_history`: a contact's other tickets and the ratings it gave, for the desk's ticket page;
only that contact's, bounded, in two queries whatever their number."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import TicketFactory
from tickets import services
from tickets.models import TicketStatus
from tickets.selectors import contact_history

pytestmark = pytest.mark.django_db

CONTACT = 649797
OTHER_CONTACT = 111111


def rated(mark: int, comment: str = "", **fields):
    ticket = TicketFactory(ticket_status=TicketStatus.CLOSED, **fields)
    services.ticket_rate_by_contact(ticket=ticket, rating=mark, comment=comment)
    return ticket


def test_lists_the_contacts_other_tickets_latest_activity_first():
    now = timezone.now()
    current = TicketFactory(contact_number=CONTACT)
    older = TicketFactory(contact_number=CONTACT, modified_at=now - datetime.timedelta(days=2))
    newer = TicketFactory(contact_number=CONTACT, modified_at=now - datetime.timedelta(hours=1))
    history = contact_history(contact_number=CONTACT, exclude_ticket_id=current.pk, limit=10)
    assert [row["id"] for row in history.tickets] == [newer.pk, older.pk]
    assert history.ticket_count == 2
    assert set(history.tickets[0]) >= {"ticket_number", "ticket_status", "modified_at"}


def test_never_lists_another_contacts_tickets_or_ratings():
    current = TicketFactory(contact_number=CONTACT)
    TicketFactory(contact_number=OTHER_CONTACT)
    TicketFactory(contact_number=None)
    rated(1, "not theirs", contact_number=OTHER_CONTACT)
    history = contact_history(contact_number=CONTACT, exclude_ticket_id=current.pk, limit=10)
    assert (history.tickets, history.ticket_count, history.ratings, history.rating_count) == ([], 0, [], 0)


def test_lists_the_ratings_the_contact_gave_newest_first_with_their_tickets():
    current = rated(5, "Quick.", contact_number=CONTACT)
    earlier = rated(2, "Slow.", contact_number=CONTACT)
    history = contact_history(contact_number=CONTACT, exclude_ticket_id=current.pk, limit=10)
    assert [(row["ticket__ticket_number"], row["rating"], row["comment"]) for row in history.ratings] == [
        (earlier.ticket_number, 2, "Slow."),
        (current.ticket_number, 5, "Quick."),
    ]
    assert history.rating_count == 2


def test_cuts_each_list_at_the_limit_and_counts_all():
    current = TicketFactory(contact_number=CONTACT)
    for mark in range(1, 5):
        rated(mark, contact_number=CONTACT)
    TicketFactory.create_batch(3, contact_number=CONTACT)
    history = contact_history(contact_number=CONTACT, exclude_ticket_id=current.pk, limit=3)
    assert (len(history.tickets), history.ticket_count) == (3, 7)
    assert (len(history.ratings), history.rating_count) == (3, 4)


def test_takes_two_queries_whatever_the_number_of_tickets(django_assert_num_queries):
    current = TicketFactory(contact_number=CONTACT)
    for mark in range(1, 6):
        rated(mark, contact_number=CONTACT)
    TicketFactory.create_batch(20, contact_number=CONTACT)
    with django_assert_num_queries(2):
        contact_history(contact_number=CONTACT, exclude_ticket_id=current.pk, limit=10)
