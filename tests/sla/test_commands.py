import pytest

from tests.support.commands import run_command
from tests.support.sla import clock_of, create_ticket

pytestmark = pytest.mark.django_db


def test_sla_recompute_fills_the_clocks_of_open_tickets(clock):
    ticket = create_ticket()
    clock_of(ticket).delete()
    assert run_command("sla_recompute") == "Recomputed the SLA clocks of 1 open tickets.\n"
    assert clock_of(ticket).next_due_at is not None
