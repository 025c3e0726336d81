"""A changed policy or calendar reaches open tickets: the process drops its copy at once, and
the worker recomputes open tickets' clocks once every process has reloaded."""

import datetime

import pytest

from sla import clocks, policies, tasks
from sla.models import SlaPolicy
from tests.support.clock import NOW
from tests.support.sla import agent_reply, clock_of, create_ticket, customer_comment
from tests.support.task_worker import queued
from tickets.models import TicketPriority

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_a_saved_policy_is_used_at_once_in_this_process(clock):
    policies.targets_for(TicketPriority.NORMAL)
    policy = SlaPolicy.objects.get(priority=TicketPriority.NORMAL)
    policy.first_reply_minutes = 30
    policy.save()
    assert clock_of(create_ticket()).reply_due == NOW + datetime.timedelta(minutes=30)


def test_a_saved_policy_queues_a_recompute_after_the_settings_ttl(
    settings, django_capture_on_commit_callbacks
):
    settings.CRM_SLA_SETTINGS_TTL = 45
    with django_capture_on_commit_callbacks(execute=True):
        SlaPolicy.objects.filter(priority=TicketPriority.LOW).get().save()
    [row] = queued(tasks.recompute_open_clocks)
    assert row.run_after is not None


def test_recompute_replays_the_history_with_the_new_targets(clock, dana):
    ticket = create_ticket()
    clock.at(NOW + HOUR)
    agent_reply(ticket, dana)
    clock.at(NOW + 2 * HOUR)
    customer_comment(ticket)
    SlaPolicy.objects.filter(priority=TicketPriority.NORMAL).update(
        next_reply_minutes=30, resolution_minutes=120
    )
    assert clocks.recompute_open() == 1
    row = clock_of(ticket)
    assert row.reply_due == NOW + 2 * HOUR + datetime.timedelta(minutes=30)
    # One hour used before the reply; one left from the customer's message.
    assert row.resolution_used == 3600
    assert row.resolution_due == NOW + 3 * HOUR


def test_recompute_gives_a_clock_to_a_ticket_from_before(clock):
    ticket = create_ticket()
    clock_of(ticket).delete()
    assert clocks.recompute_open() == 1
    assert clock_of(ticket).reply_due == NOW + 4 * HOUR
