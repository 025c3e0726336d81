"""The supervisor's numbers (the desk's dashboard and its CSV): backlog by status, created and
closed tickets per day, first reply time, customer ratings.

Every number is aggregated in the database, in a fixed number of queries whatever the data size
(`REPORT_QUERIES`); no ticket row is loaded into Python, only grouped counts (at most a few
thousand small rows). Days and weeks are calendar days and Monday-to-Sunday weeks in
`settings.TIME_ZONE`, the current one counted up to `now`:

- **Backlog by status** at the end of each of the last `WINDOW_DAYS` days: how many tickets were
  in each status that is not `Closed` then. Reconstructed exactly from the history, for tickets
  created before the window too: a ticket's current status, with each status change recorded
  after that day undone (every `status_changed` event holds the status before and after, so the
  undoing telescopes: count(status, end of day) = tickets created by then now in it minus changes
  after it into it plus changes after it out of it).
- **Created** per day: tickets created that day. **Closed** per day: changes into `Closed` that
  day (a ticket closed, reopened and closed again the same day counts twice: it is closing work).
- **First reply time**: from a ticket's creation to the first public reply of a staff user
  (internal notes are not replies), for the tickets created in the period; tickets without a
  reply yet are left out (the count says how many were replied to). Percentiles by nearest
  rank: p50 of n waits is the ⌈0.5·n⌉-th shortest, computed with window functions (ROW_NUMBER
  and COUNT over the period), which SQLite and PostgreSQL both have (PERCENTILE_CONT is
  PostgreSQL's only).
- **Ratings**: the average of the ratings given in the period (a replaced rating counts once, at
  the time of its replacement: `TicketRating` keeps the latest only).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from tickets.history import EventKind
from tickets.models import Comment, Ticket, TicketEvent, TicketRating, TicketStatus

WINDOW_DAYS = 30
# The weekly numbers cover the current week and the four before it (29 to 35 days).
WEEKS = 5
# The statuses of the backlog: every one but `Closed`, in workflow order.
BACKLOG_STATUSES = tuple(status for status in TicketStatus.values if status != TicketStatus.CLOSED)
PERCENTILES = (50, 90)
# What `report` costs: the backlog's three, the first reply percentiles of the weeks and of the
# window, the ratings' one.
REPORT_QUERIES = 6


@dataclass(frozen=True)
class DayNumbers:
    day: datetime.date
    backlog: dict[str, int]  # status → tickets in it at the end of the day (now, for today)
    created: int
    closed: int


@dataclass(frozen=True)
class ReplyTimes:
    replied: int  # tickets of the period with a first reply: the set the percentiles are of
    percentiles: dict[int, datetime.timedelta]  # 50 → p50, 90 → p90; empty when none replied


@dataclass(frozen=True)
class Ratings:
    count: int
    total: int  # the sum of the ratings, so weeks add up exactly

    @property
    def average(self) -> float | None:
        return None if self.count == 0 else self.total / self.count


@dataclass(frozen=True)
class WeekNumbers:
    week: datetime.date  # its Monday
    first_reply: ReplyTimes
    ratings: Ratings


@dataclass(frozen=True)
class Report:
    as_of: datetime.datetime
    days: list[DayNumbers]
    weeks: list[WeekNumbers]
    first_reply: ReplyTimes  # the tickets created in the last WINDOW_DAYS days
    ratings: Ratings  # the ratings given in the last WINDOW_DAYS days

    def flow_since(self, day: datetime.date) -> tuple[int, int]:
        """Tickets created and closings from `day` (within the window) to now."""
        shown = [numbers for numbers in self.days if numbers.day >= day]
        return sum(d.created for d in shown), sum(d.closed for d in shown)


def _day_start(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def _created_day(field: str, window_start: datetime.datetime, zone: ZoneInfo) -> Case:
    """The local day of `field`, or None before the window: tickets from before it are one group."""
    return Case(
        When(**{f"{field}__lt": window_start}, then=Value(None)),
        default=TruncDate(field, tzinfo=zone),
        output_field=DateField(),
    )


def _backlog_and_flow(
    days: list[datetime.date], window_start: datetime.datetime, zone: ZoneInfo
) -> list[DayNumbers]:
    """Three grouped queries: tickets from before the window by current status, tickets of the
    window by day and current status, and the window's status changes by day of the change, day
    the ticket was created (None: before the window), old and new status."""
    earlier = dict(
        Ticket.objects.filter(created_at__lt=window_start, ticket_status__in=BACKLOG_STATUSES)
        .order_by()
        .values_list("ticket_status")
        .annotate(count=Count("pk"))
    )
    created_rows = (
        Ticket.objects.filter(created_at__gte=window_start)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
        .values_list("day", "ticket_status")
        .annotate(count=Count("pk"))
    )
    change_rows = (
        TicketEvent.objects.filter(kind=EventKind.STATUS_CHANGED, created_at__gte=window_start)
        .annotate(
            day=TruncDate("created_at", tzinfo=zone),
            ticket_day=_created_day("ticket__created_at", window_start, zone),
        )
        .order_by()
        .values_list("day", "ticket_day", "old_value", "new_value")
        .annotate(count=Count("pk"))
    )
    created_now_in: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, status, count in created_rows:
        created_now_in[day][status] += count
    changes = list(change_rows)
    closed: dict[datetime.date, int] = defaultdict(int)
    for day, _ticket_day, old, new, count in changes:
        if new == TicketStatus.CLOSED and old != TicketStatus.CLOSED:
            closed[day] += count

    numbers = []
    backlog = {status: earlier.get(status, 0) for status in BACKLOG_STATUSES}
    for day in days:
        for status, count in created_now_in[day].items():
            if status in backlog:
                backlog[status] += count
        at_end = dict(backlog)
        for change_day, ticket_day, old, new, count in changes:
            if change_day > day and (ticket_day is None or ticket_day <= day):
                if new in at_end:
                    at_end[new] -= count
                if old in at_end:
                    at_end[old] += count
        numbers.append(
            DayNumbers(
                day=day,
                backlog=at_end,
                created=sum(created_now_in[day].values()),
                closed=closed[day],
            )
        )
    return numbers


def _first_public_reply() -> Subquery:
    replies = Comment.objects.filter(ticket=OuterRef("pk"), author_user__isnull=False, is_internal=False)
    return Subquery(replies.order_by("created_at").values("created_at")[:1])


def _rank_of(percentile: int, replied: int) -> int:
    """Nearest rank: the ⌈p·n/100⌉-th shortest of n."""
    return (replied * percentile + 99) // 100


def _reply_percentiles(periods: list[tuple[datetime.datetime, datetime.datetime]]) -> list[tuple]:
    """(period index, rank, wait, replied) of the waits at the rank of each of `PERCENTILES`, for
    the periods (start, end) with replied tickets. One query: the replied tickets of all periods
    ranked by wait within their period, only the rows at a percentile's rank returned."""
    period = Case(
        *(
            When(created_at__gte=start, created_at__lt=end, then=Value(index))
            for index, (start, end) in enumerate(periods)
        ),
        output_field=IntegerField(),
    )
    # `_rank_of` in SQL: both databases divide integers without a remainder.
    ranks = [(F("replied") * percentile + 99) / 100 for percentile in PERCENTILES]
    ranked = (
        Ticket.objects.filter(created_at__gte=periods[0][0], created_at__lt=periods[-1][1])
        .annotate(first_reply=_first_public_reply())
        .filter(first_reply__isnull=False)
        .annotate(
            period=period,
            wait=ExpressionWrapper(F("first_reply") - F("created_at"), output_field=DurationField()),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("period")], order_by=[F("wait").asc(), F("pk").asc()]),
            replied=Window(Count("pk"), partition_by=[F("period")]),
        )
        # One flag for "at some percentile's rank": a window may only be filtered with AND.
        .annotate(
            at_percentile=Case(
                *(When(rank=rank, then=Value(1)) for rank in ranks),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .filter(at_percentile=1)
        .order_by()
        .values_list("period", "rank", "wait", "replied")
    )
    return list(ranked)


def _reply_times(periods: list[tuple[datetime.datetime, datetime.datetime]]) -> list[ReplyTimes]:
    found: dict[int, dict[int, datetime.timedelta]] = defaultdict(dict)
    replied: dict[int, int] = defaultdict(int)
    for index, rank, wait, count in _reply_percentiles(periods):
        replied[index] = count
        for percentile in PERCENTILES:
            if rank == _rank_of(percentile, count):
                found[index][percentile] = wait
    return [ReplyTimes(replied=replied[index], percentiles=found[index]) for index in range(len(periods))]


def _ratings_by_day(since: datetime.datetime, zone: ZoneInfo) -> dict[datetime.date, Ratings]:
    rows = (
        TicketRating.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
        .values_list("day")
        .annotate(count=Count("pk"), total=Sum("rating"))
    )
    return {day: Ratings(count=count, total=total) for day, count, total in rows}


def _ratings_between(by_day: dict[datetime.date, Ratings], days: Iterable[datetime.date]) -> Ratings:
    picked = [by_day[day] for day in days if day in by_day]
    return Ratings(count=sum(r.count for r in picked), total=sum(r.total for r in picked))


def _without_jit() -> None:
    """PostgreSQL's JIT compiler spends seconds on these plans (their cost estimates are high,
    their runs a fraction of that: 2.6 s of JIT in a 3 s query at 100,000 tickets): off for the
    report's transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


@transaction.atomic
def report(*, now: datetime.datetime | None = None) -> Report:
    """The dashboard's numbers as of `now` (default: the current time), in `REPORT_QUERIES`
    queries (and, on PostgreSQL, one `SET LOCAL`)."""
    _without_jit()
    now = timezone.now() if now is None else now
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    days = [today - datetime.timedelta(days=back) for back in range(WINDOW_DAYS - 1, -1, -1)]
    window_start = _day_start(days[0], zone)
    monday = today - datetime.timedelta(days=today.weekday())
    mondays = [monday - datetime.timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)]
    week_periods = [
        (_day_start(week, zone), _day_start(week + datetime.timedelta(days=7), zone)) for week in mondays
    ]
    tomorrow_start = _day_start(today + datetime.timedelta(days=1), zone)

    week_replies = _reply_times(week_periods)
    (window_replies,) = _reply_times([(window_start, tomorrow_start)])
    ratings = _ratings_by_day(min(window_start, week_periods[0][0]), zone)
    weeks = [
        WeekNumbers(
            week=week,
            first_reply=replies,
            ratings=_ratings_between(ratings, (week + datetime.timedelta(days=d) for d in range(7))),
        )
        for week, replies in zip(mondays, week_replies, strict=True)
    ]
    return Report(
        as_of=now,
        days=_backlog_and_flow(days, window_start, zone),
        weeks=weeks,
        first_reply=window_replies,
        ratings=_ratings_between(ratings, days),
    )
