"""`seed_demo`: a realistic, idempotent demo for `make run`."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E1, E6
from tickets.formats import user_display_name
from tickets.management.commands.seed_demo import DEMO_AGENT, DEMO_TICKETS
from tickets.models import Comment, Ticket, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=None)


def test_demo_has_tickets_in_every_status(seeded):
    assert set(Ticket.objects.values_list("ticket_status", flat=True)) == set(TicketStatus.values)


def test_demo_has_comments_from_both_sides_and_an_internal_note(seeded):
    assert Comment.objects.filter(author_contact__isnull=False).exists()
    assert Comment.objects.filter(author_user__isnull=False, is_internal=False).exists()
    assert Comment.objects.filter(is_internal=True).count() == 1


def test_demo_includes_the_documents_contact_and_others(seeded):
    contacts = set(Ticket.objects.exclude(contact_number=None).values_list("contact_number", flat=True))
    assert CONTACT in contacts
    assert len(contacts) >= 3


def test_demo_status_changes_are_in_the_update_log(seeded):
    closed = Ticket.objects.get(ticket_status=TicketStatus.CLOSED)
    assert "Status changed from Open to Closed by Robin Keller" in closed.update_log


def test_second_run_creates_nothing(seeded, capsys):
    counts = (Ticket.objects.count(), Comment.objects.count())
    call_command("seed_demo")
    assert (Ticket.objects.count(), Comment.objects.count()) == counts
    assert f"0 created, {len(DEMO_TICKETS)} already present" in capsys.readouterr().out


def test_demo_agent_is_named_apart_from_the_documented_example_agent(seeded, django_user_model):
    """A newcomer who creates the README's example agent beside the demo sees two names."""
    root = Path(__file__).resolve().parents[2]
    documents = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    example = re.compile(r"create_agent (\S+) .*--first-name (\S+) --last-name (\S+)")
    examples = [m.groups() for doc in documents for m in example.finditer(doc.read_text())]
    assert examples, "no create_agent example with --first-name/--last-name in README.md or docs/"
    demo = user_display_name(django_user_model.objects.get(username=DEMO_AGENT["username"]))
    for username, first_name, last_name in examples:
        assert username != DEMO_AGENT["username"]
        assert f"{first_name} {last_name}" != demo


def test_demo_agent_cannot_log_in_until_given_a_password(seeded, django_user_model):
    assert not django_user_model.objects.get(username="demo.agent").has_usable_password()


def test_demo_contact_reads_its_tickets_and_not_the_internal_note(seeded, api):
    tickets = envelope_result(api.call(E1))
    assert len(tickets) == Ticket.objects.filter(contact_number=CONTACT).count()
    note = Comment.objects.get(is_internal=True)
    conversation = envelope_result(api.call(E6, query={"ticketNo": f"TT{note.ticket.ticket_number}"}))
    assert conversation
    assert note.text not in [item["commentcontent"] for item in conversation]


@override_settings(IS_DEVELOPMENT=False)
def test_demo_is_refused_outside_development():
    with pytest.raises(CommandError, match="development"):
        call_command("seed_demo")
    assert not Ticket.objects.exists()
