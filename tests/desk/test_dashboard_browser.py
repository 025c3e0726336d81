"""The dashboard as a supervisor sees it, in headless Chromium (tests/support/chromium.py): the
charts drawn from a busy month, this week's numbers readable, nothing fetched from elsewhere.
The screenshot goes to artifacts/screenshots/dashboard.png (git-ignored)."""

from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import UserFactory
from tests.support.chromium import BROWSER_TEST_MARKS, chromium_page
from tests.support.processes import ROOT
from tests.support.reports import busy_month

SCREENSHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = BROWSER_TEST_MARKS


def test_a_supervisor_reads_this_weeks_numbers_from_the_charts(live_server):
    from playwright.sync_api import expect

    supervisor = UserFactory(username="sam", first_name="Sam", last_name="Lee")
    supervisor.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    busy_month(timezone.now())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "sam")
        page.fill("#id_password", "agent-password")
        page.click("input[type=submit]")
        expect(page.locator(".desk-headlines")).to_contain_text("Created this week")
        expect(page.locator("svg.desk-chart")).to_have_count(5)
        for chart in page.locator("svg.desk-chart").all():
            assert chart.bounding_box()["width"] > 400
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert outside == []
