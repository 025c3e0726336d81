"""The dashboard on the desk's index page and its CSV export (desk/dashboard.py)."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from desk.dashboard import CSV_HEADER, csv_cell, write_csv
from sla.models import SlaOutcome, SlaTarget
from tests.factories import UserFactory
from tests.support.clock import NOW
from tests.support.reports import busy_month, rated, replied_after, ticket_with_history
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

INDEX, CSV_URL = "/admin/", "/admin/dashboard.csv"
PANELS = ("Backlog by status", "Created vs closed", "First reply time", "SLA attainment", "Customer rating")
HOUR = datetime.timedelta(hours=1)
CHART = re.compile(r'<svg class="desk-chart".*?</svg>', re.DOTALL)
# An XML namespace is a name, not an address anything is fetched from (the admin's icons have one).
NAMESPACE = re.compile(r'xmlns(:\w+)?="[^"]*"')


def csv_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def month(clock):
    busy_month(NOW, per_day=3)


def test_the_index_shows_a_chart_and_a_table_per_metric(agent_client, month):
    html = agent_client.get(INDEX).content.decode()
    for heading in PANELS:
        assert f"<h2>{heading}</h2>" in html
    assert len(CHART.findall(html)) == len(PANELS)
    assert html.count('<details class="desk-numbers">') == len(PANELS)


def test_the_index_keeps_the_list_of_apps(agent_client, clock):
    assert 'href="/admin/tickets/ticket/"' in agent_client.get(INDEX).content.decode()


def test_the_index_says_as_of_when(agent_client, clock):
    assert "As of 12:00" in agent_client.get(INDEX).content.decode()


def test_this_weeks_numbers_head_the_dashboard(agent_client, clock):
    replied_after(NOW - 3 * HOUR, HOUR)
    ticket_with_history(NOW - 2 * HOUR, (NOW - HOUR, TicketStatus.CLOSED))
    headlines = dict((h.label, h.value) for h in agent_client.get(INDEX).context["dashboard"].headlines)
    assert headlines["Created this week"] == "2"
    assert headlines["Closed this week"] == "1"
    assert headlines["Backlog now"] == "1"
    assert headlines["First reply p50 this week"] == "1 h 0 min"


def test_every_chart_is_well_formed_xml(agent_client, month):
    for svg in CHART.findall(agent_client.get(INDEX).content.decode()):
        assert ElementTree.fromstring(svg).get("role") == "img"


def test_the_index_loads_nothing_from_another_site(agent_client, month):
    html = agent_client.get(INDEX).content.decode()
    assert re.findall(r"https?://", NAMESPACE.sub("", html)) == []


def test_the_index_costs_the_same_queries_whatever_the_data(agent_client, clock):
    from django.core.cache import cache

    with CaptureQueriesContext(connection) as empty:
        agent_client.get(INDEX)
    busy_month(NOW, per_day=4)
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        agent_client.get(INDEX)
    assert len(full) == len(empty)


def test_the_numbers_are_cached_for_a_minute(agent_client, clock):
    agent_client.get(INDEX)
    ticket_with_history(NOW - HOUR)
    page = agent_client.get(INDEX).context["dashboard"]
    assert dict((h.label, h.value) for h in page.headlines)["Created this week"] == "0"


def test_anonymous_is_sent_to_the_login_page(client):
    for url in (INDEX, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_who_may_not_view_tickets_see_no_dashboard(client, clock):
    client.force_login(UserFactory(username="clerk"))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert CHART.findall(response.content.decode()) == []


def test_staff_who_may_not_view_tickets_get_no_csv(client, clock):
    client.force_login(UserFactory(username="clerk"))
    assert client.get(CSV_URL).status_code == 403


def test_a_staff_user_with_the_view_permission_only_gets_the_csv(client, clock):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client.force_login(viewer)
    assert client.get(CSV_URL).status_code == 200


def test_the_csv_is_a_utf8_attachment(agent_client, clock):
    response = agent_client.get(CSV_URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-2026-11-30-1200.csv"'
    assert csv_of(response)[0] == list(CSV_HEADER)


def test_the_csv_holds_the_pages_numbers(agent_client, clock):
    replied_after(NOW - 3 * HOUR, HOUR)
    replied_after(NOW - 4 * HOUR, 3 * HOUR)
    ticket_with_history(NOW - 2 * HOUR, (NOW - HOUR, TicketStatus.IN_PROGRESS))
    rated(4, NOW - HOUR)
    rows = {tuple(row[:4]): row[4] for row in csv_of(agent_client.get(CSV_URL))[1:]}
    today, week = "2026-11-30", "2026-11-30"
    assert rows[("backlog", "day", today, "Open")] == "2"
    assert rows[("backlog", "day", today, "In Progress")] == "1"
    assert rows[("created", "day", today, "")] == "4"
    assert rows[("closed", "day", today, "")] == "1"
    assert rows[("first_reply_replied", "week", week, "")] == "2"
    assert rows[("first_reply_hours", "week", week, "p50")] == "1.0"
    assert rows[("first_reply_hours", "week", week, "p90")] == "3.0"
    assert rows[("rating_average", "week", week, "")] == "4.0"
    assert rows[("rating_average", "week", "2026-11-23", "")] == ""


def test_the_sla_attainment_of_each_week_is_shown_and_exported(agent_client, clock):
    ticket = ticket_with_history(NOW - 3 * HOUR)
    for in_time in (True, True, False):
        SlaOutcome.objects.create(
            ticket=ticket, target=SlaTarget.FIRST_REPLY, due=NOW, in_time=in_time, decided_at=NOW - HOUR
        )
    headlines = {h.label: h.value for h in agent_client.get(INDEX).context["dashboard"].headlines}
    assert headlines["SLA attainment this week"] == "66.7 %"
    rows = {tuple(row[:4]): row[4] for row in csv_of(agent_client.get(CSV_URL))[1:]}
    assert rows[("sla_targets", "week", "2026-11-30", "")] == "3"
    assert rows[("sla_met_in_time", "week", "2026-11-30", "")] == "2"
    assert rows[("sla_attainment_percent", "week", "2026-11-30", "")] == "66.7"
    assert rows[("sla_attainment_percent", "week", "2026-11-23", "")] == ""


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_text():
    for formula in (
        '=HYPERLINK("http://evil.example","x")',
        "+1",
        "-1+2",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\uff1d1",
    ):
        assert csv_cell(formula) == "'" + formula


def test_numbers_stay_numbers_in_the_csv():
    assert [csv_cell(3), csv_cell(-2), csv_cell(1.5), csv_cell(None)] == [3, -2, 1.5, ""]


def test_text_from_data_is_written_formula_safe():
    out = io.StringIO()
    write_csv([("backlog", "day", "2026-11-30", '=HYPERLINK("http://evil.example","x")', -1)], out)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1] == [
        "backlog",
        "day",
        "2026-11-30",
        '\'=HYPERLINK("http://evil.example","x")',
        "-1",
    ]
