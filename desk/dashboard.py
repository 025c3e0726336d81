"""The dashboard on the desk's index page and its CSV export (`/admin/dashboard.csv`).

The numbers are `tickets.reports.report` and the SLA attainment of `sla.selectors`, computed
together at most once per `CACHE_SECONDS` and shared by the page and the CSV, so both say the
same "as of" time. Every staff user who may view
tickets sees them: the numbers are counts and times, no ticket's content. The page draws each
metric with `desk.charts` and puts the same numbers in a table under it; the CSV has one row
per number, its cells written by `csv_cell` so that no spreadsheet runs one as a formula.
"""

import csv
import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString

from desk.charts import Series, bar_chart
from sla.selectors import WeekAttainment, attainment_by_week
from tickets import reports
from tickets.models import RATING_MAX, TicketStatus
from tickets.reports import BACKLOG_STATUSES, PERCENTILES, ReplyTimes, Report

CACHE_KEY = "desk:dashboard"
CACHE_SECONDS = 60
VIEW_PERMISSION = "tickets.view_ticket"

STATUS_COLOURS: dict[str, str] = {
    TicketStatus.OPEN: "#1e88e5",
    TicketStatus.IN_PROGRESS: "#f57c00",
    TicketStatus.WAIT_FOR_RESPONSE: "#8e24aa",
}
CREATED_COLOUR, CLOSED_COLOUR = "#1e88e5", "#43a047"
PERCENTILE_COLOURS = {50: "#00897b", 90: "#5e35b1"}
RATING_COLOUR = "#ef6c00"
SLA_COLOUR = "#2e7d32"
# What the page shows where there is nothing to measure (no reply, no rating).
NO_VALUE = "\N{EN DASH}"
WINDOW_LABEL = f"Last {reports.WINDOW_DAYS} days"

# The CSV's columns: one number per row.
CSV_HEADER = ("metric", "period", "start", "series", "value")
# A cell starting with one of these is a formula to a spreadsheet (OWASP's list, with the
# full-width forms some spreadsheets fold into them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def can_see_dashboard(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


@dataclass(frozen=True)
class Numbers:
    """Everything the dashboard shows, as of one moment (`report.as_of`)."""

    report: Report
    sla: list[WeekAttainment]  # the same weeks as `report.weeks`


def current_numbers() -> Numbers:
    """The numbers, recomputed when the cached ones are older than `CACHE_SECONDS`."""
    numbers = cache.get(CACHE_KEY)
    if not isinstance(numbers, Numbers):
        now = timezone.now()
        numbers = Numbers(reports.report(now=now), attainment_by_week(reports.WEEKS, now=now))
        cache.set(CACHE_KEY, numbers, CACHE_SECONDS)
    return numbers


def hours(wait: datetime.timedelta | None) -> float | None:
    return None if wait is None else round(wait.total_seconds() / 3600, 2)


def format_wait(wait: datetime.timedelta | None) -> str:
    """A wait as an agent says it: `45 min`, `3 h 20 min`, `2 d 4 h`; a dash for none."""
    if wait is None:
        return NO_VALUE
    minutes = round(wait.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"


def format_average(average: float | None) -> str:
    return NO_VALUE if average is None else f"{average:.2f}"


def format_percent(percent: float | None) -> str:
    return NO_VALUE if percent is None else f"{percent:.1f} %"


def day_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class Panel:
    heading: str
    chart: SafeString
    table: Table


@dataclass(frozen=True)
class Headline:
    label: str
    value: str


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime.datetime
    week: datetime.date
    headlines: list[Headline]
    panels: list[Panel]


def _percentile_text(times: ReplyTimes, percentile: int) -> str:
    return format_wait(times.percentiles.get(percentile))


def _backlog_panel(numbers: Report) -> Panel:
    labels = [day_label(d.day) for d in numbers.days]
    chart = bar_chart(
        chart_id="desk-chart-backlog",
        title="Backlog by status at the end of each day",
        summary=f"Open tickets by status, {WINDOW_LABEL.lower()}; today's bar is now.",
        labels=labels,
        series=[
            Series(status, [d.backlog[status] for d in numbers.days], STATUS_COLOURS[status])
            for status in BACKLOG_STATUSES
        ],
        stacked=True,
    )
    rows = [
        (f"{d.day:%a %Y-%m-%d}", *(str(d.backlog[s]) for s in BACKLOG_STATUSES), str(sum(d.backlog.values())))
        for d in reversed(numbers.days)
    ]
    table = Table("Backlog at the end of each day, newest first", ("Day", *BACKLOG_STATUSES, "Total"), rows)
    return Panel("Backlog by status", chart, table)


def _flow_panel(numbers: Report) -> Panel:
    chart = bar_chart(
        chart_id="desk-chart-flow",
        title="Tickets created and closed per day",
        summary=f"Created tickets and closings per day, {WINDOW_LABEL.lower()}.",
        labels=[day_label(d.day) for d in numbers.days],
        series=[
            Series("Created", [d.created for d in numbers.days], CREATED_COLOUR),
            Series("Closed", [d.closed for d in numbers.days], CLOSED_COLOUR),
        ],
    )
    rows = [(f"{d.day:%a %Y-%m-%d}", str(d.created), str(d.closed)) for d in reversed(numbers.days)]
    return Panel(
        "Created vs closed", chart, Table("Per day, newest first", ("Day", "Created", "Closed"), rows)
    )


def _reply_panel(numbers: Report) -> Panel:
    chart = bar_chart(
        chart_id="desk-chart-first-reply",
        title="First reply time per week from Monday (hours)",
        summary="The median (p50) and 90th percentile (p90) of the time to the first public staff "
        "reply, for the tickets created each week that have one.",
        labels=[day_label(w.week) for w in numbers.weeks],
        series=[
            Series(
                f"p{p}",
                [hours(w.first_reply.percentiles.get(p)) for w in numbers.weeks],
                PERCENTILE_COLOURS[p],
            )
            for p in PERCENTILES
        ],
        format_value=lambda value: f"{value:g} h",
    )
    rows = [
        (
            f"Week of {w.week:%Y-%m-%d}",
            str(w.first_reply.replied),
            *(_percentile_text(w.first_reply, p) for p in PERCENTILES),
        )
        for w in reversed(numbers.weeks)
    ]
    window = numbers.first_reply
    rows.append((WINDOW_LABEL, str(window.replied), *(_percentile_text(window, p) for p in PERCENTILES)))
    table = Table(
        "Tickets created in the period and replied to; unanswered tickets are left out",
        ("Created", "Replied tickets", *(f"p{p}" for p in PERCENTILES)),
        rows,
    )
    return Panel("First reply time", chart, table)


def _rating_panel(numbers: Report) -> Panel:
    chart = bar_chart(
        chart_id="desk-chart-rating",
        title="Average rating per week from Monday",
        summary=f"The average of the customers' ratings (1 to {RATING_MAX}) given each week.",
        labels=[day_label(w.week) for w in numbers.weeks],
        series=[Series("Average rating", [w.ratings.average for w in numbers.weeks], RATING_COLOUR)],
        y_max=RATING_MAX,
        format_value=lambda value: f"{value:.2f}".rstrip("0").rstrip("."),
    )
    rows = [
        (f"Week of {w.week:%Y-%m-%d}", str(w.ratings.count), format_average(w.ratings.average))
        for w in reversed(numbers.weeks)
    ]
    rows.append((WINDOW_LABEL, str(numbers.ratings.count), format_average(numbers.ratings.average)))
    table = Table("Ratings given in the period", ("Given", "Ratings", "Average"), rows)
    return Panel("Customer rating", chart, table)


def _sla_panel(weeks: list[WeekAttainment]) -> Panel:
    chart = bar_chart(
        chart_id="desk-chart-sla",
        title="SLA attainment per week from Monday (%)",
        summary="The share of the SLA targets decided each week (a reply or a resolution due) "
        "that were met in time.",
        labels=[day_label(w.week) for w in weeks],
        series=[Series("Met in time", [w.percent for w in weeks], SLA_COLOUR)],
        y_max=100,
        format_value=lambda value: f"{value:g} %",
    )
    rows = [
        (f"Week of {w.week:%Y-%m-%d}", str(w.targets), str(w.met_in_time), format_percent(w.percent))
        for w in reversed(weeks)
    ]
    table = Table(
        "Targets decided in the week: met in time, or breached",
        ("Decided", "Targets", "Met in time", "Attainment"),
        rows,
    )
    return Panel("SLA attainment", chart, table)


def dashboard(all_numbers: Numbers) -> Dashboard:
    """What the index page shows: this week's headline numbers, then a chart and its table per
    metric."""
    numbers = all_numbers.report
    this_week = numbers.weeks[-1]
    created, closed = numbers.flow_since(this_week.week)
    backlog_now = numbers.days[-1].backlog
    headlines = [
        Headline("Backlog now", str(sum(backlog_now.values()))),
        *(Headline(status, str(backlog_now[status])) for status in BACKLOG_STATUSES),
        Headline("Created this week", str(created)),
        Headline("Closed this week", str(closed)),
        *(
            Headline(f"First reply p{p} this week", _percentile_text(this_week.first_reply, p))
            for p in PERCENTILES
        ),
        Headline("SLA attainment this week", format_percent(all_numbers.sla[-1].percent)),
        Headline("Average rating this week", format_average(this_week.ratings.average)),
    ]
    panels = [
        _backlog_panel(numbers),
        _flow_panel(numbers),
        _reply_panel(numbers),
        _sla_panel(all_numbers.sla),
        _rating_panel(numbers),
    ]
    return Dashboard(
        as_of=timezone.localtime(numbers.as_of), week=this_week.week, headlines=headlines, panels=panels
    )


# --- The CSV -------------------------------------------------------------------------------------

Cell = str | int | float | Decimal | None


def csv_cell(value: Cell) -> str | int | float | Decimal:
    """A cell no spreadsheet reads as a formula: a number stays a number (a negative one too: it
    is written by us, never text from data), None is empty, and any text starting with a
    formula character gets a leading apostrophe, which spreadsheets show as text."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(all_numbers: Numbers) -> Iterator[tuple[Cell, ...]]:
    """(metric, period, start, series, value) for every number the page shows; a value with
    nothing to measure (no reply, no rating, no SLA target) is empty, not 0."""
    numbers = all_numbers.report
    for d in numbers.days:
        for status in BACKLOG_STATUSES:
            yield ("backlog", "day", d.day.isoformat(), status, d.backlog[status])
    for d in numbers.days:
        yield ("created", "day", d.day.isoformat(), "", d.created)
        yield ("closed", "day", d.day.isoformat(), "", d.closed)
    window_start = numbers.days[0].day.isoformat()
    periods = [("week", w.week.isoformat(), w.first_reply, w.ratings) for w in numbers.weeks]
    periods.append((WINDOW_LABEL.lower(), window_start, numbers.first_reply, numbers.ratings))
    for period, start, replies, _ratings in periods:
        yield ("first_reply_replied", period, start, "", replies.replied)
        for p in PERCENTILES:
            yield ("first_reply_hours", period, start, f"p{p}", hours(replies.percentiles.get(p)))
    for period, start, _replies, ratings in periods:
        yield ("rating_count", period, start, "", ratings.count)
        average = ratings.average
        yield ("rating_average", period, start, "", None if average is None else round(average, 2))
    for week in all_numbers.sla:
        start = week.week.isoformat()
        yield ("sla_targets", "week", start, "", week.targets)
        yield ("sla_met_in_time", "week", start, "", week.met_in_time)
        yield (
            "sla_attainment_percent",
            "week",
            start,
            "",
            None if week.percent is None else round(week.percent, 1),
        )


def write_csv(rows, out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])


def _dashboard_csv(request: HttpRequest) -> HttpResponse:
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    numbers = current_numbers()
    stamp = timezone.localtime(numbers.report.as_of).strftime("%Y-%m-%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{stamp}.csv"'
    response.write("\ufeff")  # the byte order mark: Excel reads UTF-8 only with it
    write_csv(csv_rows(numbers), response)
    return response


# Staff login required (the admin's own redirect to its login page), never cached.
dashboard_csv = admin.site.admin_view(_dashboard_csv)
