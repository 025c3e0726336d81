"""A day at the desk, in headless Chromium (tests/support/chromium.py): the agent opens the most
urgent ticket, the queue's first row (its first reply overdue), answers it with a canned reply
through "Send and set Wait For Response" and sees its SLA clock paused, then finds another ticket
by a word only the customer's comment holds. Screenshots of each step go to artifacts/screenshots/
(`day-*.png`, git-ignored).

The service levels run on a calendar open around the clock, so what is due when does not depend
on the hour the test runs.
"""

import datetime

import pytest
from django.utils import timezone

from sla import policies
from sla.breaches import record_breaches
from sla.models import BusinessCalendar, OpeningHours, SlaPolicy, TicketClock
from tests.factories import CannedReplyFactory, IssueTypeFactory
from tests.support.chromium import BROWSER_TEST_MARKS, chromium_page
from tests.support.desk_browser import (
    REPLY,
    SCREENSHOTS,
    create_dana,
    expect_reply_box_in_view,
    log_in,
    ticket_for,
)
from tests.support.endpoints import CONTACT, OTHER_CONTACT
from tickets import services
from tickets.models import Comment, Ticket, TicketPriority, TicketStatus

pytestmark = BROWSER_TEST_MARKS

HOUR = datetime.timedelta(hours=1)
# First reply, next reply, resolution, in hours, for each priority.
TARGETS = {
    TicketPriority.URGENT: (1, 2, 8),
    TicketPriority.HIGH: (2, 4, 16),
    TicketPriority.NORMAL: (4, 8, 40),
    TicketPriority.LOW: (8, 16, 80),
}
RARE_WORD = "quokkaville"  # in one customer's comment and nowhere else
CANNED_TITLE = "Ask for the bank statement"
CANNED_BODY = (
    "Hello, to trace the charge on {ticket_no} please send us your bank statement.\n{agent_first_name}"
)


@pytest.fixture
def service_levels(db):
    """Every priority's targets on a calendar open every day all day; the policies' cache of
    this process (the live server's too) forgotten before and after."""
    calendar = BusinessCalendar.objects.create(name="Around the clock", time_zone="UTC")
    OpeningHours.objects.bulk_create(
        OpeningHours(calendar=calendar, weekday=day, start=datetime.time(0), end=datetime.time(0))
        for day in range(7)
    )
    for priority, (first, following, resolution) in TARGETS.items():
        SlaPolicy.objects.update_or_create(  # over the defaults of migration sla 0002, if there
            priority=priority,
            defaults={
                "calendar": calendar,
                "first_reply_minutes": first * 60,
                "next_reply_minutes": following * 60,
                "resolution_minutes": resolution * 60,
            },
        )
    policies.forget()
    yield
    policies.forget()


@pytest.fixture
def day(service_levels, monkeypatch):
    """The morning's queue: an Urgent outage just in (first reply due in an hour), a High and a
    Low ticket, and a Normal one that came in five hours ago and is an hour past its first
    reply (breached, as the worker's check records it); a canned reply; and a customer's comment
    with a word nobody else wrote."""
    create_dana()
    for name, priority in (("Outage", TicketPriority.URGENT), ("Roaming", TicketPriority.HIGH)):
        IssueTypeFactory(name=name, default_priority=priority)
    IssueTypeFactory(name="Question", default_priority=TicketPriority.LOW)
    now = timezone.now()
    with monkeypatch.context() as earlier:
        earlier.setattr(timezone, "now", lambda: now - 5 * HOUR)
        breached = ticket_for(CONTACT, "Charged twice for the September recharge")
        services.comment_create_by_contact(
            ticket=breached, contact_number=CONTACT, text="Two payments of 20.00."
        )
    assert record_breaches() == 1
    ticket_for(OTHER_CONTACT, "No signal in the whole district", categories="Outage")
    ticket_for(OTHER_CONTACT, "Roaming does not work in Spain", categories="Roaming")
    question = ticket_for(CONTACT, "Where do I see my invoices", categories="Question")
    services.comment_create_by_contact(
        ticket=question,
        contact_number=CONTACT,
        text=f"I moved to {RARE_WORD.capitalize()} last month; is my address on the invoices new?",
    )
    CannedReplyFactory(
        title="Refund issued", body="Your refund for {ticket_no} is on its way.", sort_order=10
    )
    CannedReplyFactory(title=CANNED_TITLE, body=CANNED_BODY, sort_order=20)
    return {"breached": breached, "question": question}


def test_an_agents_day_most_urgent_first_canned_answer_clock_paused_and_a_search(live_server, day):
    from playwright.sync_api import expect

    breached, question = day["breached"], day["question"]
    breached_no, question_no = f"TT{breached.ticket_number}", f"TT{question.ticket_number}"
    written_out = f"Hello, to trace the charge on {breached_no} please send us your bank statement.\nDana"
    queue = f"{live_server.url}/admin/tickets/ticket/"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:  # the ORM stays outside: Playwright's loop runs in this thread
        log_in(page, live_server.url)
        page.goto(queue)
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.first).to_contain_text(breached_no)
        expect(rows.first.locator("td.field-due")).to_contain_text("overdue 1 h")
        expect(rows.nth(1)).to_contain_text("No signal in the whole district")  # Urgent, due in 1 h
        page.screenshot(path=str(SCREENSHOTS / "day-1-queue.png"))

        rows.first.get_by_role("link", name=breached_no).click()
        expect(page.locator("#content > h2")).to_contain_text(breached_no)
        service_level = page.locator(".field-service_level .readonly")
        expect(service_level).to_contain_text("First reply")
        expect(service_level).not_to_contain_text("paused")
        expect_reply_box_in_view(page)
        page.screenshot(path=str(SCREENSHOTS / "day-2-most-urgent.png"))

        page.select_option(f"{REPLY}-canned_reply", label=CANNED_TITLE)
        expect(page.locator(f"{REPLY}-text")).to_have_value(written_out)
        page.screenshot(path=str(SCREENSHOTS / "day-3-canned-reply.png"))
        page.get_by_role("button", name="Send and set Wait For Response").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator(".desk-message").last).to_contain_text("please send us your bank statement")
        expect(page.locator(".desk-message").last).to_be_in_viewport(ratio=1)
        expect(page.locator("#id_ticket_status")).to_have_value(TicketStatus.WAIT_FOR_RESPONSE)
        expect(service_level).to_contain_text("paused")
        page.screenshot(path=str(SCREENSHOTS / "day-4-answered-clock-paused.png"))

        page.goto(queue)
        page.fill("#searchbar", RARE_WORD)
        page.press("#searchbar", "Enter")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(question_no)
        page.screenshot(path=str(SCREENSHOTS / "day-5-search.png"))

    answered = Ticket.objects.get(pk=breached.pk)
    assert answered.ticket_status == TicketStatus.WAIT_FOR_RESPONSE
    reply = Comment.objects.filter(ticket=answered).latest("created_at")
    assert (reply.is_internal, reply.text) == (False, written_out.replace("\n", "\r\n"))
    assert TicketClock.objects.get(ticket=answered).next_due_at is None
