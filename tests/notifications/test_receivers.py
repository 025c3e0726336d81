"""Which changes queue an email (notifications/receivers.py, notifications/emails.py): the task
rows written in the change's transaction, read back from django-tasks' database backend. What
the emails say, and that one change makes one email, is tested against a real SMTP server in
test_email_smtp.py."""

import pytest
from django.db import transaction

from notifications import tasks
from tests.factories import TicketFactory, UserFactory
from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E3, E4, E5, E11, TICKET_BODY
from tests.support.task_worker import queued
from tickets import services
from tickets.history import EventKind
from tickets.models import TicketEvent, TicketStatus

pytestmark = pytest.mark.django_db

TEAM = "support-team@example.com"


def queued_events() -> list[tuple[str, str]]:
    """(kind, new value) of the event behind each queued email."""
    found = []
    for row in queued(tasks.send_notice):
        event = TicketEvent.objects.get(pk=row.args_kwargs["args"][0])
        found.append((event.kind, event.new_value))
    return found


def own_ticket_assigned_to(user, status=TicketStatus.OPEN):
    return TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=status, assigned_to=user)


def comment(api, text="Still waiting."):
    return api.call(E4, body={"ticketNo": "TT1130", "comment": text, "contactId": str(CONTACT)})


def set_status(api, status):
    return api.call(E11, body={"ticketNo": "TT1130", "ticketStatus": status, "contactId": str(CONTACT)})


# --- The customer writes or reopens: the assignee ---------------------------------------------------


def test_a_customer_comment_queues_an_email_for_the_assignee(api, dana):
    own_ticket_assigned_to(dana)
    assert comment(api).status_code == 200
    assert queued_events() == [(EventKind.COMMENT_ADDED, "")]


def test_a_customer_comment_on_an_unassigned_ticket_queues_nothing(api):
    own_ticket_assigned_to(None)
    assert comment(api).status_code == 200
    assert queued_events() == []


def test_an_assignee_without_an_email_address_gets_nothing(api):
    own_ticket_assigned_to(UserFactory(email=""))
    assert comment(api).status_code == 200
    assert queued_events() == []


def test_an_inactive_assignee_gets_nothing(api):
    own_ticket_assigned_to(UserFactory(is_active=False))
    assert comment(api).status_code == 200
    assert queued_events() == []


def test_a_customer_reopen_queues_an_email_for_the_assignee(api, dana):
    own_ticket_assigned_to(dana, TicketStatus.CLOSED)
    assert envelope_result(set_status(api, "Open"))["ticketstatus"] == "Open"
    assert queued_events() == [(EventKind.STATUS_CHANGED, TicketStatus.OPEN)]


def test_a_comment_that_reopens_queues_both_events_one_of_which_stays_silent(api, dana):
    """Both events are queued in the change; the status change's task finds the comment beside
    it and sends nothing (one email, test_email_smtp.py)."""
    own_ticket_assigned_to(dana, TicketStatus.CLOSED)
    assert comment(api).status_code == 200
    assert queued_events() == [(EventKind.STATUS_CHANGED, TicketStatus.OPEN), (EventKind.COMMENT_ADDED, "")]


def test_a_comment_on_a_ticket_waiting_for_the_customer_queues_the_comment_only(api, dana):
    """Wait For Response turning Open is no reopen: the comment's email tells it."""
    own_ticket_assigned_to(dana, TicketStatus.WAIT_FOR_RESPONSE)
    assert comment(api).status_code == 200
    assert queued_events() == [(EventKind.COMMENT_ADDED, "")]


def test_the_customer_closing_its_ticket_queues_nothing(api, dana):
    own_ticket_assigned_to(dana)
    assert set_status(api, "Closed").status_code == 200
    assert queued_events() == []


def test_a_customer_rating_queues_nothing(api, dana):
    ticket = own_ticket_assigned_to(dana, TicketStatus.CLOSED)
    services.ticket_rate_by_contact(ticket=ticket, rating=5)
    assert queued_events() == []


# --- Staff changes: nobody --------------------------------------------------------------------------


def test_an_agents_public_reply_queues_nothing(dana):
    ticket = own_ticket_assigned_to(dana)
    services.comment_create_by_agent(ticket=ticket, author=dana, text="On it.", is_internal=False)
    assert queued_events() == []


def test_an_internal_note_queues_nothing(dana):
    ticket = own_ticket_assigned_to(dana)
    services.comment_create_by_agent(ticket=ticket, author=UserFactory(), text="Refund?", is_internal=True)
    assert queued_events() == []


def test_an_agent_reopening_or_reassigning_queues_nothing(dana):
    ticket = own_ticket_assigned_to(dana, TicketStatus.CLOSED)
    services.ticket_update(
        ticket=ticket, by=UserFactory(), ticket_status=TicketStatus.OPEN, assignee=UserFactory()
    )
    assert queued_events() == []


# --- New tickets: the team address ------------------------------------------------------------------


def test_a_new_ticket_queues_an_email_for_the_team_address(api, settings):
    settings.CRM_DESK_NOTIFY_EMAIL = TEAM
    assert api.call(E5, body=TICKET_BODY).status_code == 200
    assert queued_events() == [(EventKind.CREATED, "")]


def test_a_social_ticket_queues_an_email_for_the_team_address(api, settings):
    settings.CRM_DESK_NOTIFY_EMAIL = TEAM
    assert api.call(E3, body=TICKET_BODY).status_code == 200
    assert queued_events() == [(EventKind.CREATED, "")]


def test_a_ticket_created_outside_the_api_queues_an_email_for_the_team_address(settings):
    settings.CRM_DESK_NOTIFY_EMAIL = TEAM
    services.ticket_create(
        contact_number=None,
        from_portal=False,
        ticket_status=TicketStatus.OPEN,
        title="Phoned in",
        description="Called the hotline.",
        ticket_categories="Request",
        category="cat1",
        subcategory="sub1",
        status="New",
        source="phone",
    )
    assert queued_events() == [(EventKind.CREATED, "")]


def test_without_a_team_address_a_new_ticket_queues_nothing(api, settings):
    settings.CRM_DESK_NOTIFY_EMAIL = ""
    assert api.call(E5, body=TICKET_BODY).status_code == 200
    assert queued_events() == []


# --- The outbox -------------------------------------------------------------------------------------


def test_a_change_that_rolls_back_queues_nothing(dana):
    ticket = own_ticket_assigned_to(dana)
    queued_inside = []

    def comment_then_fail():
        with transaction.atomic():
            services.comment_create_by_contact(ticket=ticket, contact_number=CONTACT, text="Lost.")
            queued_inside.extend(queued_events())
            raise RuntimeError("the change fails after its email was queued")

    with pytest.raises(RuntimeError):
        comment_then_fail()
    assert (queued_inside, queued_events()) == ([(EventKind.COMMENT_ADDED, "")], [])
