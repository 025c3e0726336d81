"""CONTRACT §7: ticket numbers are `TT` + a number, unique, increasing and never reused.

Concurrent creates are proven in tests/crmapi/test_concurrency.py.
"""

import pytest
from django.test import override_settings

from tests.support.client import envelope_result
from tests.support.endpoints import E5, TICKET_BODY
from tickets.models import Ticket

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
