"""Who a ticket waits on: the data migration that initialises it from each existing ticket's
history (tickets 0009), run for real, and the seeded catalogue's default priorities."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.support.migrations import CREATED, historical_ticket, latest, migrate
from tickets.models import IssueType, Ticket, TicketPriority
from tickets.workflow import WaitingOn

BEFORE = [("tickets", "0008_priority_waiting_rating")]


def at(hours: float) -> datetime.datetime:
    return CREATED + datetime.timedelta(hours=hours)


@pytest.fixture
def before_0009():
    """The store just before 0009, migrated to the latest afterwards; yields the historical
    models (Ticket, TicketEvent, Comment, the user)."""
    executor = migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    yield (
        *(apps.get_model("tickets", name) for name in ("Ticket", "TicketEvent", "Comment")),
        apps.get_model(*settings.AUTH_USER_MODEL.split(".")),
    )
    migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_migration_replays_each_tickets_history(before_0009):
    HistoricalTicket, HistoricalEvent, HistoricalComment, HistoricalUser = before_0009
    numbers = iter(range(9000, 9100))

    def ticket(status: str):
        return historical_ticket(HistoricalTicket, ticket_number=next(numbers), ticket_status=status)

    def status(ticket, old: str, new: str, hours: float) -> None:
        HistoricalEvent.objects.create(
            ticket=ticket,
            kind="status_changed",
            actor_kind="staff",
            old_value=old,
            new_value=new,
            created_at=at(hours),
        )

    def comment(ticket, hours: float, *, by_customer: bool, internal: bool = False) -> None:
        HistoricalComment.objects.create(
            ticket=ticket,
            author_contact=649797 if by_customer else None,
            author_user=None if by_customer else agent,
            text="x",
            is_internal=internal,
            created_at=at(hours),
        )

    agent = HistoricalUser.objects.create(username="old-agent", is_staff=True)
    untouched = ticket("Open")
    answered = ticket("Open")
    comment(answered, 1, by_customer=True)
    comment(answered, 2, by_customer=False)
    comment(answered, 3, by_customer=False, internal=True)
    written_again = ticket("Open")
    comment(written_again, 1, by_customer=False)
    comment(written_again, 2, by_customer=True)
    comment(written_again, 3, by_customer=True)
    waiting_for_customer = ticket("Wait For Response")
    status(waiting_for_customer, "Open", "Wait For Response", 4)
    closed = ticket("Closed")
    status(closed, "Open", "Closed", 5)
    comment(closed, 6, by_customer=False)
    created_closed = ticket("Closed")

    migrate([("tickets", "0009_waiting_from_history")])

    def waiting(historical) -> tuple[str, datetime.datetime]:
        row = Ticket.objects.get(pk=historical.pk)
        return row.waiting_on, row.waiting_since

    assert waiting(untouched) == (WaitingOn.AGENT, CREATED)
    assert waiting(answered) == (WaitingOn.CUSTOMER, at(2))
    assert waiting(written_again) == (WaitingOn.AGENT, at(2))
    assert waiting(waiting_for_customer) == (WaitingOn.CUSTOMER, at(4))
    assert waiting(closed) == (WaitingOn.NOBODY, at(5))
    assert waiting(created_closed) == (WaitingOn.NOBODY, CREATED)


@pytest.mark.django_db
def test_seeded_catalogue_has_the_documented_default_priorities():
    call_command("seed_issue_types", stdout=io.StringIO())
    priorities = dict(IssueType.objects.values_list("name", "default_priority"))
    assert priorities["Number Porting"] == TicketPriority.URGENT
    assert priorities["Network Coverage"] == TicketPriority.HIGH
    assert priorities["General Enquiry"] == TicketPriority.LOW
    assert priorities["Plan Change"] == TicketPriority.NORMAL
    assert set(priorities.values()) == set(TicketPriority.values)


@pytest.mark.django_db
def test_a_rerun_keeps_a_priority_an_operator_changed():
    call_command("seed_issue_types", stdout=io.StringIO())
    IssueType.objects.filter(name="Roaming").update(default_priority=TicketPriority.URGENT)
    call_command("seed_issue_types", stdout=io.StringIO())
    assert IssueType.objects.get(name="Roaming").default_priority == TicketPriority.URGENT
