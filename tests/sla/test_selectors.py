"""Weekly attainment: each target counted once, in the week it was decided."""

import datetime

import pytest

from sla import breaches
from sla.selectors import attainment_by_week
from tests.support.clock import NOW
from tests.support.sla import agent_reply, create_ticket

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MONDAY = datetime.date(2026, 11, 30)  # NOW's week


def test_a_reply_in_time_is_met_and_a_breached_one_is_not(clock, dana):
    answered = create_ticket()
    create_ticket()  # never answered: breached at 16:00
    clock.at(NOW + HOUR)
    agent_reply(answered, dana)
    breaches.record_breaches(NOW + 4 * HOUR)
    [week] = attainment_by_week(1, now=NOW + 5 * HOUR)
    assert (week.week, week.targets, week.met_in_time) == (MONDAY, 2, 1)
    assert week.percent == 50.0


def test_a_late_reply_is_counted_once_as_breached(clock, dana):
    ticket = create_ticket()
    breaches.record_breaches(NOW + 4 * HOUR)
    clock.at(NOW + 5 * HOUR)
    agent_reply(ticket, dana)
    [week] = attainment_by_week(1, now=NOW + 5 * HOUR)
    assert (week.targets, week.met_in_time) == (1, 0)


def test_weeks_without_targets_are_zeros_oldest_first(clock):
    weeks = attainment_by_week(3, now=NOW)
    assert [week.week for week in weeks] == [
        MONDAY - datetime.timedelta(weeks=2),
        MONDAY - datetime.timedelta(weeks=1),
        MONDAY,
    ]
    assert all(week.targets == 0 and week.percent is None for week in weeks)


def test_the_query_count_does_not_grow_with_the_data(clock, dana, django_assert_num_queries):
    for _ in range(3):
        agent_reply(create_ticket(), dana)
    with django_assert_num_queries(1):
        attainment_by_week(8, now=NOW)
