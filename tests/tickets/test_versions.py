"""tickets.versions: a list's version read in SQL equals the one taken from its rows, moves with
every change the list shows, and is never newer than the page it goes with."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketFactory
from tests.support.endpoints import CONTACT
from tickets import selectors
from tickets.models import Ticket, TicketStatus
from tickets.selectors import TICKET_LIST_FIELDS
from tickets.versions import TicketListVersion, ticket_list_version, ticket_list_version_checked

pytestmark = pytest.mark.django_db


def contact_tickets():
    return Ticket.objects.filter(contact_number=CONTACT)


def rows():
    return list(contact_tickets().order_by("-created_at", "-id").values(*TICKET_LIST_FIELDS))


def test_the_version_read_in_sql_equals_the_version_of_the_rows():
    TicketFactory.create_batch(3, contact_number=CONTACT)
    TicketFactory(contact_number=CONTACT, ticket_status=TicketStatus.CLOSED)
    assert ticket_list_version(contact_number=CONTACT, status=None) == TicketListVersion.of_rows(rows())


def test_the_version_of_no_tickets_is_the_same_either_way():
    assert ticket_list_version(contact_number=CONTACT, status=None) == TicketListVersion.of_rows([])


def test_a_status_swap_between_two_tickets_moves_the_checksum_whatever_the_clock_says():
    first, second = TicketFactory.create_batch(2, contact_number=CONTACT)
    Ticket.objects.filter(pk=second.pk).update(ticket_status=TicketStatus.CLOSED)
    before = ticket_list_version(contact_number=CONTACT, status=None)
    Ticket.objects.filter(pk=first.pk).update(ticket_status=TicketStatus.CLOSED)
    Ticket.objects.filter(pk=second.pk).update(ticket_status=TicketStatus.OPEN)
    after = ticket_list_version(contact_number=CONTACT, status=None)
    assert (after.count, after.last_id, after.last_modified) == (
        before.count,
        before.last_id,
        before.last_modified,
    )
    assert after.fingerprint() != before.fingerprint()


def test_a_full_page_checked_against_an_unchanged_list_is_its_confirmed_version():
    TicketFactory.create_batch(3, contact_number=CONTACT)
    page = rows()[:2]
    version = ticket_list_version_checked(contact_number=CONTACT, status=None, first_page=page)
    assert version == ticket_list_version(contact_number=CONTACT, status=None)
    assert version.confirmed


@pytest.mark.parametrize("change", ["created", "deleted", "status"])
def test_a_full_page_checked_after_the_list_changed_is_unconfirmed(change):
    tickets = TicketFactory.create_batch(3, contact_number=CONTACT)
    page = rows()[:2]
    if change == "created":
        TicketFactory(contact_number=CONTACT)
    elif change == "deleted":
        Ticket.objects.filter(pk=page[0]["id"]).delete()
    else:
        Ticket.objects.filter(pk=tickets[-1].pk).update(ticket_status=TicketStatus.CLOSED)
    version = ticket_list_version_checked(contact_number=CONTACT, status=None, first_page=page)
    assert not version.confirmed
    assert version.count == contact_tickets().count()


def test_a_change_below_a_full_page_leaves_it_confirmed():
    """The page is still the top of the list: its version is the list's."""
    oldest, *_ = sorted(TicketFactory.create_batch(3, contact_number=CONTACT), key=lambda t: t.created_at)
    page = rows()[:2]
    Ticket.objects.filter(pk=oldest.pk).update(ticket_status=TicketStatus.CLOSED)
    assert ticket_list_version_checked(contact_number=CONTACT, status=None, first_page=page).confirmed


def test_a_later_page_reads_the_version_before_its_rows():
    TicketFactory.create_batch(3, contact_number=CONTACT)
    with CaptureQueriesContext(connection) as queries:
        selectors.ticket_list_for_contact(contact_number=CONTACT, status=None, limit=1, offset=1)
    aggregate, page = (query["sql"] for query in queries.captured_queries)
    assert "COUNT(" in aggregate.upper()
    assert "LIMIT" in page.upper()
