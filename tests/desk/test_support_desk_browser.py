"""End to end: an agent works a ticket in the real admin, in headless Chromium, and the customer's
API client sees the result.

Debian's Chromium (`apt-get install chromium`) is driven by Playwright's Python package; nothing
downloads a browser. Without /usr/bin/chromium the test is skipped with that reason, except when
REQUIRE_CHROMIUM is set (as `.ci/run` does), where a missing browser is a failure. Screenshots of
the ticket list and the ticket page go to artifacts/screenshots/ (git-ignored).
"""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import CannedReplyFactory
from tests.support.attachments import PDF_BYTES, attachment_form, post_attachment
from tests.support.chromium import BROWSER_TEST_MARKS, chromium_page
from tests.support.client import envelope_result
from tests.support.desk_browser import (
    AGENT_PASSWORD,
    REPLY,
    SCREENSHOTS,
    create_dana,
    expect_reply_box_in_view,
    log_in,
    ticket_for,
)
from tests.support.endpoints import CONTACT, E1, E4, E6, E7, E9, E10, OTHER_CONTACT
from tickets import services
from tickets.models import Ticket, TicketStatus

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def desk(db):
    create_dana()
    ticket = ticket_for(CONTACT, "Charged twice for the September recharge")
    services.comment_create_by_contact(ticket=ticket, contact_number=CONTACT, text="Two payments of 20.00.")
    ticket_for(CONTACT, "Old question about roaming", status=TicketStatus.CLOSED)
    ticket_for(OTHER_CONTACT, "Slow internet downtown", status=TicketStatus.IN_PROGRESS)
    return ticket


def work_the_ticket_in_the_browser(base_url: str, ticket_no: str) -> None:
    """Log in, filter to open tickets, open one, send a reply, add an internal note and close it
    in one save."""
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        page.goto(f"{base_url}/admin/")
        page.fill("#id_username", "dana")
        page.fill("#id_password", AGENT_PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text("Dana")

        page.goto(f"{base_url}/admin/tickets/ticket/")
        status_filter = page.locator('#changelist-filter details[data-filter-title="ticket status"]')
        status_filter.get_by_role("link", name="Open", exact=True).click()
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(ticket_no)
        page.screenshot(path=str(SCREENSHOTS / "ticket-list.png"), full_page=True)

        rows.first.get_by_role("link", name=ticket_no).click()
        expect(page.locator("#content > h2")).to_contain_text(ticket_no)
        expect_reply_box_in_view(page)
        page.fill(f"{REPLY}-text", "We have refunded the second payment; it shows within 3 days.")
        page.get_by_role("button", name="Send to customer").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

        page.fill(f"{REPLY}-text", "Finance ticket RF-2231 approved the refund.")
        page.select_option("#id_ticket_status", "Closed")
        page.get_by_role("button", name="Add internal note").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator("#comments-group .desk-message-note")).to_contain_text("Internal note")
        expect_reply_box_in_view(page)
        page.screenshot(path=str(SCREENSHOTS / "ticket-page.png"))


def test_agent_answers_and_closes_a_ticket_and_the_customer_sees_it(live_server, desk, api):
    ticket_no = f"TT{desk.ticket_number}"
    work_the_ticket_in_the_browser(live_server.url, ticket_no)

    conversation = envelope_result(api.call(E6, query={"ticketNo": ticket_no}))
    assert [(item["author"], item["authorname"], item["commentcontent"]) for item in conversation] == [
        ("customer", "", "Two payments of 20.00."),
        ("agent", "Dana Reyes", "We have refunded the second payment; it shows within 3 days."),
    ]
    listed = {item["ticket_no"]: item["ticketstatus"] for item in envelope_result(api.call(E1))}
    assert listed[ticket_no] == "Closed"
    record = envelope_result(api.call(E7, query={"ticketNo": ticket_no}))
    assert record["update_log"].startswith(
        "Ticket created.\nStatus changed from Open to Closed by Dana Reyes"
    )
    for response in (conversation, listed, record):
        assert "RF-2231" not in str(response)


def test_on_a_long_conversation_the_reply_box_and_the_newest_message_are_in_view(live_server, desk):
    """Thirty messages: the conversation scrolls in its panel, opened at the newest, right above
    the reply box, its buttons in view; the channel's fields are folded until opened, and the
    customer's history lists the contact's other ticket."""
    from playwright.sync_api import expect

    for number in range(15):
        services.comment_create_by_contact(ticket=desk, contact_number=CONTACT, text=f"Question {number}.")
        services.comment_create_by_contact(ticket=desk, contact_number=CONTACT, text=f"More on {number}.")
    closed = Ticket.objects.get(title="Old question about roaming")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/ticket/{desk.pk}/change/")
        expect_reply_box_in_view(page)
        expect(page.locator(".desk-message").last).to_contain_text("More on 14.")
        expect(page.locator(".desk-message").last).to_be_in_viewport(ratio=1)
        expect(page.locator(".desk-message").first).not_to_be_in_viewport()
        history = page.locator("#desk-customer-history")
        expect(history.get_by_role("link", name=f"TT{closed.ticket_number}")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "ticket-page-long.png"))

        page.fill(f"{REPLY}-text", "Answering the newest first.")
        page.get_by_role("button", name="Send to customer").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect_reply_box_in_view(page)
        expect(page.locator(".desk-message").last).to_contain_text("Answering the newest first.")
        expect(page.locator(".desk-message").last).to_be_in_viewport(ratio=1)

        source = page.locator(".form-row.field-source")
        expect(source).to_be_hidden()
        page.get_by_text("Channel fields", exact=True).click()
        expect(source).to_be_visible()
        expect(source).to_contain_text("app")


def test_a_customer_reopening_brings_the_ticket_to_the_top_and_the_agent_answers(live_server, desk, api):
    """The customer writes again on a ticket Dana closed: it waits on us, first in the queue,
    and "Send and set Wait For Response" answers it and hands the turn back to the customer."""
    from playwright.sync_api import expect

    dana = get_user_model().objects.get(username="dana")
    services.ticket_update(ticket=desk, by=dana, ticket_status=TicketStatus.CLOSED)
    for waiting in Ticket.objects.filter(ticket_status=TicketStatus.IN_PROGRESS):
        services.ticket_update(ticket=waiting, by=dana, ticket_status=TicketStatus.WAIT_FOR_RESPONSE)
    ticket_no = f"TT{desk.ticket_number}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:  # the ORM stays outside: Playwright's loop runs in this thread
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/ticket/")
        expect(page.locator("#result_list tbody tr").first).not_to_contain_text(ticket_no)

    reopen = {
        "ticketNo": ticket_no,
        "comment": "Charged twice again, please reopen.",
        "contactId": str(CONTACT),
    }
    envelope_result(api.call(E4, body=reopen))

    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/ticket/")
        rows = page.locator("#result_list tbody tr")
        expect(rows.first).to_contain_text(ticket_no)
        expect(rows.first).to_contain_text("On us")
        page.screenshot(path=str(SCREENSHOTS / "queue-reopened.png"), full_page=True)

        rows.first.get_by_role("link", name=ticket_no).click()
        expect(page.locator("#comments-group")).to_contain_text("Charged twice again, please reopen.")
        page.fill(f"{REPLY}-text", "Sorry about that: on which date was the second charge?")
        page.get_by_role("button", name="Send and set Wait For Response").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator("#id_ticket_status")).to_have_value("Wait For Response")
        page.screenshot(path=str(SCREENSHOTS / "ticket-page-answered.png"))

        page.goto(f"{live_server.url}/admin/tickets/ticket/?waiting=agent")
        expect(page.locator("#changelist")).to_contain_text("0 tickets")

    record = envelope_result(api.call(E7, query={"ticketNo": ticket_no}))
    assert record["ticketstatus"] == "Wait For Response"
    lines = record["update_log"].split("\n")
    assert lines[-2].startswith("Status changed from Closed to Open by the customer on ")
    assert lines[-1].startswith("Status changed from Open to Wait For Response by Dana Reyes on ")


def test_an_agent_sees_the_customers_screenshot_and_answers_with_a_pdf_the_customer_downloads(
    live_server, desk, api, client, tmp_path
):
    """The customer attaches a screenshot (E8); Dana sees it as a thumbnail on the ticket page
    and answers with a PDF; the customer lists it (E9) and downloads its bytes (E10)."""
    from playwright.sync_api import expect

    ticket_no = f"TT{desk.ticket_number}"
    form = attachment_form(ticket_no, filename="error-screen.png")
    envelope_result(post_attachment(client, form))
    pdf = tmp_path / "refund-confirmation.pdf"
    pdf.write_bytes(PDF_BYTES)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/ticket/")
        page.locator("#result_list").get_by_role("link", name=ticket_no).click()
        thumbnail = page.locator('img[alt="error-screen.png"]')
        expect(thumbnail).to_be_visible()
        # A lazy image starts loading once laid out near the window: wait until it has loaded.
        page.wait_for_function("() => document.querySelector('img[alt=\"error-screen.png\"]').complete")
        assert thumbnail.evaluate("image => image.naturalWidth") == 1
        page.fill(f"{REPLY}-text", "Here is the refund confirmation.")
        page.set_input_files(f"{REPLY}-attachments", str(pdf))
        page.get_by_role("button", name="Send to customer").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator("#comments-group")).to_contain_text("refund-confirmation.pdf")
        page.screenshot(path=str(SCREENSHOTS / "ticket-page-attachments.png"))

    listed = envelope_result(api.call(E9, query={"ticketNo": ticket_no}))
    assert [(item["filename"], item["author"]) for item in listed] == [
        ("error-screen.png", "customer"),
        ("refund-confirmation.pdf", "agent"),
    ]
    download = api.call(E10, query={"id": listed[1]["id"]})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_an_agent_answers_with_a_canned_reply_in_a_few_clicks(live_server, desk, api):
    """Dana picks a canned reply: the message is written out for this ticket and her, and the
    status select shows the reply's status before she sends it; sent, it is in the conversation
    and the customer reads it."""
    from playwright.sync_api import expect

    CannedReplyFactory(title="Ask for the bank statement", sort_order=20)
    CannedReplyFactory(
        title="Refund issued",
        body="Hello, the refund for {ticket_no} is on its way.\n{agent_first_name}",
        ticket_status=TicketStatus.CLOSED,
        sort_order=10,
    )
    ticket_no = f"TT{desk.ticket_number}"
    written_out = f"Hello, the refund for {ticket_no} is on its way.\nDana"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/ticket/{desk.pk}/change/")
        page.select_option(f"{REPLY}-canned_reply", label="Refund issued")
        expect(page.locator(f"{REPLY}-text")).to_have_value(written_out)
        expect(page.locator("#id_ticket_status")).to_have_value("Closed")
        expect(page.locator(f"{REPLY}-canned_reply-note")).to_have_text(
            "Inserted \u201cRefund issued\u201d. Status set to Closed."
        )
        page.screenshot(path=str(SCREENSHOTS / "ticket-page-canned-reply.png"), full_page=True)
        page.get_by_role("button", name="Send to customer").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(page.locator("#comments-group")).to_contain_text(f"the refund for {ticket_no} is on its way")
        expect(page.locator("#id_ticket_status")).to_have_value("Closed")

    conversation = envelope_result(api.call(E6, query={"ticketNo": ticket_no}))
    sent = written_out.replace("\n", "\r\n")  # a browser sends a textarea's line breaks as CRLF
    assert (conversation[-1]["authorname"], conversation[-1]["commentcontent"]) == ("Dana Reyes", sent)
    assert envelope_result(api.call(E7, query={"ticketNo": ticket_no}))["ticketstatus"] == "Closed"
