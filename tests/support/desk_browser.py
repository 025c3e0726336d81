"""The desk in a browser (the browser tests of tests/desk/): the agent who logs in, the tickets
it works, and what the ticket page (admin/tickets/ticket/change_form.html) must show an agent
without scrolling."""

from importlib import import_module

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from desk.forms import ReplyAction
from tests.support.processes import ROOT
from tickets import services
from tickets.models import Ticket, TicketStatus

SCREENSHOTS = ROOT / "artifacts" / "screenshots"  # git-ignored
AGENT_PASSWORD = "desk-password-1"
REPLY = "#id_comments-2-0"  # the reply inline's form fields
REPLY_TEXT = f"{REPLY}-text"  # the reply box's message


def ensure_support_agent_group() -> None:
    """An earlier transactional test may have flushed what migrations wrote: replay 0003's step."""
    migration = import_module("tickets.migrations.0003_support_agent_group")
    state = MigrationLoader(connection).project_state(("tickets", "0003_support_agent_group"))
    with connection.schema_editor() as editor:
        migration.create_group(state.apps, editor)


def create_dana() -> None:
    """Dana Reyes, a support agent who logs in with `AGENT_PASSWORD` (`log_in`)."""
    ensure_support_agent_group()
    services.agent_create(
        username="dana",
        email="dana@example.com",
        password=AGENT_PASSWORD,
        first_name="Dana",
        last_name="Reyes",
    )


def ticket_for(
    contact: int | None, title: str, status: str = TicketStatus.OPEN, categories: str = "Billing Dispute"
) -> Ticket:
    """A ticket as the customer's app creates it (its issue type `categories` gives its priority)."""
    return services.ticket_create(
        contact_number=contact,
        from_portal=True,
        ticket_status=status,
        title=title,
        description=f"{title}: details from the customer.",
        ticket_categories=categories,
        category="Billing",
        subcategory="Payments",
        status="New",
        source="app",
    )


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")


def expect_reply_box_in_view(page) -> None:
    """The reply box and every reply button fully inside the window as the page opens (the
    buttons in the action bar stuck to its bottom)."""
    from playwright.sync_api import expect

    expect(page.locator(REPLY_TEXT)).to_be_in_viewport(ratio=1)
    for action in ReplyAction:
        expect(page.get_by_role("button", name=action.label, exact=True)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_in_viewport(ratio=1)
