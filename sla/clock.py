"""Business-time arithmetic: the instant N business seconds after another, and the business
seconds between two instants, in a calendar's opening hours.

Pure: no model, no database. A day's opening intervals are wall-clock times in the calendar's
time zone (zoneinfo), turned into instants day by day, so a day on which the clocks change
counts the hours that really passed (an interval spanning the change is an hour shorter or
longer), and holidays have no intervals at all. Intervals are minutes after local midnight,
`end` up to 24 * 60 (the end of the day).
"""

import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# Looking for the end of a target gives up after this many days without opening hours (a
# calendar whose every day is a holiday): the target is then never due.
SEARCH_DAYS = 3 * 366
# Days whose open periods a calendar keeps once worked out: every create and every change of who
# a ticket waits on asks for the days around now, each a few zoneinfo conversions otherwise.
CACHED_DAYS = 1024


@dataclass(frozen=True)
class Interval:
    """Open from `start` to `end`, minutes after local midnight (`end` 1440 = midnight after)."""

    start: int
    end: int


class BusinessHours:
    """A calendar's opening hours: `weekly` maps a weekday (Monday 0) to its intervals, sorted
    and apart; `holidays` are local dates with no hours."""

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: Mapping[int, Sequence[Interval]],
        holidays: frozenset[datetime.date] = frozenset(),
    ) -> None:
        self.zone = zone
        self.weekly = {
            day: sorted(intervals, key=lambda interval: interval.start) for day, intervals in weekly.items()
        }
        self.holidays = holidays
        self._periods: dict[datetime.date, tuple[tuple[datetime.datetime, datetime.datetime], ...]] = {}

    def _local_instant(self, day: datetime.date, minute: int) -> datetime.datetime:
        """`minute` after local midnight of `day` as an instant in UTC (a wall time skipped by a
        clock change counts as the time after the change)."""
        midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=self.zone)
        local = midnight + datetime.timedelta(minutes=minute)  # wall-clock arithmetic
        return local.astimezone(datetime.UTC)

    def _open_periods(self, day: datetime.date) -> tuple[tuple[datetime.datetime, datetime.datetime], ...]:
        """The day's open periods as instants, worked out once per day (the calendar is fixed:
        sla.policies builds a new one when the settings change)."""
        periods = self._periods.get(day)
        if periods is None:
            if len(self._periods) >= CACHED_DAYS:
                self._periods.clear()
            periods = self._periods[day] = self._day_periods(day)
        return periods

    def _day_periods(self, day: datetime.date) -> tuple[tuple[datetime.datetime, datetime.datetime], ...]:
        if day in self.holidays:
            return ()
        instants = (
            (self._local_instant(day, interval.start), self._local_instant(day, interval.end))
            for interval in self.weekly.get(day.weekday(), ())
        )
        return tuple((start, end) for start, end in instants if end > start)

    def _periods_from(
        self, moment: datetime.datetime, days: int
    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Open periods ending after `moment`, in order, looking at most `days` local days on."""
        day = moment.astimezone(self.zone).date()
        for offset in range(days):
            for start, end in self._open_periods(day + datetime.timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end

    def add(self, moment: datetime.datetime, seconds: float) -> datetime.datetime | None:
        """The instant when `seconds` business seconds after `moment` have passed (`moment` itself
        for zero or less); None if the calendar opens too rarely to get there."""
        if seconds <= 0:
            return moment
        remaining = datetime.timedelta(seconds=seconds)
        for start, end in self._periods_from(moment, SEARCH_DAYS + int(seconds // 3600) + 1):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        return None

    def between(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """Business seconds from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0.0
        total = datetime.timedelta()
        days = (end.astimezone(self.zone).date() - start.astimezone(self.zone).date()).days + 1
        for period_start, period_end in self._periods_from(start, days):
            if period_start >= end:
                break
            total += min(period_end, end) - period_start
        return total.total_seconds()
