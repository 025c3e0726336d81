"""Business-time arithmetic: opening hours, weekends, holidays, time zones, clock changes."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from sla.clock import CACHED_DAYS, BusinessHours, Interval

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
WEEKDAYS_8_TO_18 = {day: [Interval(8 * 60, 18 * 60)] for day in range(5)}


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def office(holidays=frozenset(), zone=BERLIN) -> BusinessHours:
    return BusinessHours(zone, WEEKDAYS_8_TO_18, holidays)


def test_adding_within_a_day_stays_in_the_day():
    assert office().add(berlin(2026, 12, 1, 9, 0), 2 * HOUR) == berlin(2026, 12, 1, 11, 0)


def test_adding_past_closing_time_goes_on_the_next_morning():
    assert office().add(berlin(2026, 12, 1, 17, 0), 2 * HOUR) == berlin(2026, 12, 2, 9, 0)


def test_a_start_outside_hours_counts_from_the_next_opening():
    assert office().add(berlin(2026, 12, 1, 20, 0), HOUR) == berlin(2026, 12, 2, 9, 0)


def test_the_weekend_is_skipped():
    friday_evening = berlin(2026, 12, 4, 17, 0)
    assert office().add(friday_evening, 2 * HOUR) == berlin(2026, 12, 7, 9, 0)


def test_a_holiday_is_skipped():
    holidays = frozenset({datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)})
    assert office(holidays).add(berlin(2026, 12, 23, 17, 0), 2 * HOUR) == berlin(2026, 12, 28, 9, 0)


def test_adding_nothing_is_the_same_instant():
    moment = berlin(2026, 12, 5, 3, 0)
    assert office().add(moment, 0) == moment


def test_a_calendar_without_hours_is_never_due():
    assert BusinessHours(BERLIN, {}).add(berlin(2026, 12, 1, 9, 0), HOUR) is None


def test_between_counts_only_opening_hours():
    assert office().between(berlin(2026, 12, 4, 17, 0), berlin(2026, 12, 7, 9, 30)) == 2.5 * HOUR


def test_between_is_zero_backwards():
    assert office().between(berlin(2026, 12, 2, 9), berlin(2026, 12, 1, 9)) == 0


def test_between_skips_holidays():
    holidays = frozenset({datetime.date(2026, 12, 2)})
    assert office(holidays).between(berlin(2026, 12, 1, 8), berlin(2026, 12, 3, 18)) == 20 * HOUR


def test_hours_are_local_to_the_calendars_time_zone():
    new_york = office(zone=ZoneInfo("America/New_York"))
    start = datetime.datetime(2026, 12, 1, 13, 0, tzinfo=datetime.UTC)  # 08:00 in New York
    assert new_york.add(start, HOUR) == datetime.datetime(2026, 12, 1, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(datetime.date(2026, 3, 29), 23), (datetime.date(2026, 10, 25), 25), (datetime.date(2026, 3, 28), 24)],
)
def test_a_day_around_the_clock_counts_the_hours_that_passed(day, hours):
    always = BusinessHours(BERLIN, {weekday: [Interval(0, 24 * 60)] for weekday in range(7)})
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=BERLIN)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=BERLIN)
    assert always.between(start, end) == hours * HOUR


def test_opening_hours_keep_their_wall_time_across_a_clock_change():
    # Friday 27 March 2026 is in CET (UTC+1), Monday 30 March in CEST (UTC+2).
    due = office().add(berlin(2026, 3, 27, 17, 0), 2 * HOUR)
    assert due == berlin(2026, 3, 30, 9, 0)
    assert due.astimezone(datetime.UTC).hour == 7


def test_add_and_between_agree():
    hours = office(frozenset({datetime.date(2026, 12, 8)}))
    start = berlin(2026, 12, 4, 16, 20)
    due = hours.add(start, 27 * HOUR + 15 * 60)
    assert hours.between(start, due) == 27 * HOUR + 15 * 60


def test_several_intervals_a_day_leave_the_lunch_break_out():
    split = BusinessHours(BERLIN, {0: [Interval(13 * 60, 17 * 60), Interval(8 * 60, 12 * 60)]})
    monday = berlin(2026, 11, 30, 11, 0)
    assert split.add(monday, 2 * HOUR) == berlin(2026, 11, 30, 14, 0)


def test_a_calendar_keeps_a_bounded_number_of_days_worked_out():
    hours = office()
    start = berlin(2020, 1, 1, 9, 0)
    for offset in range(0, 4 * CACHED_DAYS, 7):
        hours.add(start + datetime.timedelta(days=offset), HOUR)
    assert 0 < len(hours._periods) <= CACHED_DAYS
    assert hours.add(berlin(2026, 12, 1, 17, 0), 2 * HOUR) == berlin(2026, 12, 2, 9, 0)
