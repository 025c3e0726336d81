"""CONTRACT §7: ticket numbers are `TT` + a number, unique, increasing and never reused, and
creation times follow them.

Concurrent creates are proven in tests/crmapi/test_concurrency.py.
"""

import datetime

import pytest
from django.test import override_settings

from tests.support.client import envelope_result
from tests.support.endpoints import E5, TICKET_BODY
from tickets.models import Ticket, TicketNumberCounter

pytestmark = pytest.mark.django_db


def ticket_number(api) -> int:
    return int(envelope_result(api.call(E5, body=TICKET_BODY))["ticket_no"].removeprefix("TT"))


def test_first_ticket_number_is_the_configured_start(api):
    with override_settings(CRM_TICKET_NUMBER_START=1130):
        assert ticket_number(api) == 1130


def test_ticket_numbers_increase_by_one(api):
    first = ticket_number(api)
    assert [ticket_number(api), ticket_number(api)] == [first + 1, first + 2]


def test_raising_the_start_later_continues_from_the_new_floor(api):
    ticket_number(api)
    with override_settings(CRM_TICKET_NUMBER_START=55954):
        assert ticket_number(api) == 55954
    assert ticket_number(api) == 55955


def test_lowering_the_start_later_never_goes_back(api):
    with override_settings(CRM_TICKET_NUMBER_START=5000):
        ticket_number(api)
    with override_settings(CRM_TICKET_NUMBER_START=10):
        assert ticket_number(api) == 5001


def test_number_of_a_deleted_newest_ticket_is_never_reused(api):
    ticket_number(api)
    newest = ticket_number(api)
    Ticket.objects.get(ticket_number=newest).delete()
    assert ticket_number(api) == newest + 1


def test_numbers_survive_deleting_every_ticket(api):
    last = ticket_number(api)
    Ticket.objects.all().delete()
    assert ticket_number(api) == last + 1


# --- Creation times follow numbers (tickets.numbering.allocation) ------------------------------


def created(api) -> Ticket:
    return Ticket.objects.get(ticket_number=ticket_number(api))


def test_a_ticket_is_created_at_the_time_its_create_began(api, clock):
    assert created(api).created_at == clock.now


def test_a_create_that_began_before_the_last_ticket_was_created_takes_that_ones_time(api, clock):
    """The create that got the next number began earlier (it waited for the counter's lock):
    its time is the last ticket's, never earlier, and its number the higher one."""
    first = created(api)
    clock.at(first.created_at - datetime.timedelta(seconds=3))
    second = created(api)
    assert second.ticket_number == first.ticket_number + 1
    assert second.created_at == first.created_at


def test_a_ticket_that_takes_the_last_ones_time_starts_its_wait_and_history_then(api, clock):
    first = created(api)
    clock.at(first.created_at - datetime.timedelta(seconds=3))
    second = created(api)
    assert (second.modified_at, second.waiting_since) == (first.created_at, first.created_at)
    assert second.events.get().created_at == first.created_at


def test_a_counter_that_never_kept_a_time_takes_the_new_ticket_s(api, clock):
    ticket_number(api)
    TicketNumberCounter.objects.update(last_created_at=None)  # a store from before it kept them
    clock.at(clock.now - datetime.timedelta(days=1))
    assert created(api).created_at == clock.now
