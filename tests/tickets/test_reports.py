"""The dashboard's numbers (tickets/reports.py): exact on known histories, on a fixed clock
(Monday 2026-11-30 12:00 UTC), in a bounded number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AgentCommentFactory, CommentFactory
from tests.support.clock import NOW
from tests.support.reports import rated, replied_after, ticket_with_history
from tickets.models import TicketStatus
from tickets.reports import REPORT_QUERIES, WEEKS, WINDOW_DAYS, report

pytestmark = pytest.mark.django_db

OPEN, IN_PROGRESS, WAITING, CLOSED = (
    TicketStatus.OPEN,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAIT_FOR_RESPONSE,
    TicketStatus.CLOSED,
)
TODAY = NOW.date()
HOUR = datetime.timedelta(hours=1)


def days_ago(days: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        TODAY - datetime.timedelta(days=days), datetime.time(hour), tzinfo=datetime.UTC
    )


def day(numbers, back: int):
    """The numbers of the day `back` days before today."""
    (found,) = [d for d in numbers.days if d.day == TODAY - datetime.timedelta(days=back)]
    return found


def test_the_window_is_thirty_days_ending_today():
    numbers = report(now=NOW)
    assert next(d.day for d in numbers.days) == TODAY - datetime.timedelta(days=WINDOW_DAYS - 1)
    assert numbers.days[-1].day == TODAY
    assert len(numbers.days) == WINDOW_DAYS


def test_weeks_are_mondays_ending_with_the_current_week():
    numbers = report(now=NOW)
    assert [w.week for w in numbers.weeks] == [
        TODAY - datetime.timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)
    ]


def test_empty_data_gives_zeros_and_no_percentiles():
    numbers = report(now=NOW)
    assert all(
        d.backlog == {OPEN: 0, IN_PROGRESS: 0, WAITING: 0} and d.created == d.closed == 0
        for d in numbers.days
    )
    assert numbers.first_reply.replied == 0
    assert numbers.first_reply.percentiles == {}
    assert numbers.ratings.count == 0
    assert numbers.ratings.average is None


def test_backlog_counts_a_ticket_from_before_the_window_in_its_status_of_each_day():
    ticket_with_history(
        days_ago(90), (days_ago(80), IN_PROGRESS), (days_ago(10), WAITING), (days_ago(3), CLOSED)
    )
    numbers = report(now=NOW)
    assert day(numbers, 29).backlog == {OPEN: 0, IN_PROGRESS: 1, WAITING: 0}
    assert day(numbers, 11).backlog == {OPEN: 0, IN_PROGRESS: 1, WAITING: 0}
    assert day(numbers, 10).backlog == {OPEN: 0, IN_PROGRESS: 0, WAITING: 1}
    assert day(numbers, 4).backlog == {OPEN: 0, IN_PROGRESS: 0, WAITING: 1}
    assert day(numbers, 3).backlog == {OPEN: 0, IN_PROGRESS: 0, WAITING: 0}


def test_backlog_of_an_old_ticket_closed_before_the_window_is_empty():
    ticket_with_history(days_ago(90), (days_ago(60), CLOSED))
    assert all(sum(d.backlog.values()) == 0 for d in report(now=NOW).days)


def test_backlog_counts_a_ticket_from_its_creation_day_on():
    ticket_with_history(days_ago(5), (days_ago(2), IN_PROGRESS))
    numbers = report(now=NOW)
    assert sum(day(numbers, 6).backlog.values()) == 0
    assert day(numbers, 5).backlog == {OPEN: 1, IN_PROGRESS: 0, WAITING: 0}
    assert day(numbers, 2).backlog == {OPEN: 0, IN_PROGRESS: 1, WAITING: 0}
    assert day(numbers, 0).backlog == {OPEN: 0, IN_PROGRESS: 1, WAITING: 0}


def test_a_reopened_ticket_is_back_in_the_backlog():
    ticket_with_history(days_ago(40), (days_ago(20), CLOSED), (days_ago(8), OPEN))
    numbers = report(now=NOW)
    assert day(numbers, 21).backlog[OPEN] == 1
    assert day(numbers, 20).backlog[OPEN] == 0
    assert day(numbers, 8).backlog[OPEN] == 1


def test_created_and_closed_count_per_day():
    ticket_with_history(days_ago(4, 9), (days_ago(4, 15), CLOSED))
    ticket_with_history(days_ago(4, 10))
    ticket_with_history(
        days_ago(50), (days_ago(4, 11), CLOSED), (days_ago(4, 12), OPEN), (days_ago(2), CLOSED)
    )
    numbers = report(now=NOW)
    assert (day(numbers, 4).created, day(numbers, 4).closed) == (2, 2)
    assert (day(numbers, 2).created, day(numbers, 2).closed) == (0, 1)
    assert sum(d.created for d in numbers.days) == 2


def test_days_are_calendar_days_of_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+05:30: 20:00 UTC is already the next day there
    ticket_with_history(days_ago(3, 20), (days_ago(1, 19), CLOSED))
    numbers = report(now=NOW)
    assert (day(numbers, 3).created, day(numbers, 2).created) == (0, 1)
    assert (day(numbers, 1).closed, day(numbers, 0).closed) == (0, 1)
    assert day(numbers, 1).backlog[OPEN] == 1
    assert day(numbers, 0).backlog[OPEN] == 0


def test_today_counts_up_to_now():
    ticket_with_history(NOW - HOUR, (NOW - HOUR / 2, IN_PROGRESS))
    assert day(report(now=NOW), 0).backlog == {OPEN: 0, IN_PROGRESS: 1, WAITING: 0}


def test_first_reply_percentiles_are_nearest_rank_of_the_window():
    for hours in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        replied_after(days_ago(12), hours * HOUR)
    times = report(now=NOW).first_reply
    assert times.replied == 10
    assert times.percentiles == {50: 5 * HOUR, 90: 9 * HOUR}


def test_first_reply_of_a_single_ticket_is_every_percentile():
    replied_after(days_ago(3), 3 * HOUR)
    assert report(now=NOW).first_reply.percentiles == {50: 3 * HOUR, 90: 3 * HOUR}


def test_first_reply_counts_the_first_public_staff_reply_only():
    ticket = ticket_with_history(days_ago(3))
    CommentFactory(ticket=ticket, created_at=days_ago(3) + HOUR)  # the customer's
    AgentCommentFactory(ticket=ticket, created_at=days_ago(3) + 2 * HOUR, is_internal=True)  # a note
    AgentCommentFactory(ticket=ticket, created_at=days_ago(3) + 3 * HOUR)
    AgentCommentFactory(ticket=ticket, created_at=days_ago(3) + 4 * HOUR)
    assert report(now=NOW).first_reply.percentiles[50] == 3 * HOUR


def test_tickets_without_a_reply_are_left_out_of_first_reply_times():
    replied_after(days_ago(3), 2 * HOUR)
    ticket_with_history(days_ago(3))
    assert report(now=NOW).first_reply.replied == 1


def test_first_reply_times_per_week_of_the_tickets_creation():
    replied_after(NOW - HOUR * 2, HOUR)  # this week (Monday)
    replied_after(days_ago(1), 4 * HOUR)  # last Sunday: the week before
    replied_after(days_ago(2), 2 * HOUR)
    weeks = report(now=NOW).weeks
    assert (weeks[-1].first_reply.replied, weeks[-1].first_reply.percentiles[50]) == (1, HOUR)
    assert (weeks[-2].first_reply.replied, weeks[-2].first_reply.percentiles) == (
        2,
        {50: 2 * HOUR, 90: 4 * HOUR},
    )
    assert weeks[0].first_reply.replied == 0


def test_ratings_average_per_week_and_for_the_window():
    rated(5, days_ago(1))
    rated(2, days_ago(3))
    rated(4, NOW - HOUR)
    rated(1, days_ago(45))
    numbers = report(now=NOW)
    assert (numbers.weeks[-1].ratings.count, numbers.weeks[-1].ratings.average) == (1, 4)
    assert (numbers.weeks[-2].ratings.count, numbers.weeks[-2].ratings.average) == (2, 3.5)
    assert (numbers.ratings.count, numbers.ratings.total) == (3, 11)


def test_the_report_takes_a_fixed_number_of_queries():
    for back in range(0, 40, 3):
        replied_after(days_ago(back), HOUR)
        rated(3, days_ago(back))
        ticket_with_history(
            days_ago(back + 20), (days_ago(back), IN_PROGRESS), (days_ago(max(back - 1, 0)), CLOSED)
        )
    with CaptureQueriesContext(connection) as queries:
        report(now=NOW)
    assert [q["sql"].split()[0] for q in queries].count("SELECT") == REPORT_QUERIES
