"""The support desk's writes (tickets/services.py): status and assignee changes with their
update log, bulk variants, agent replies and agent accounts."""

import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import TicketFactory, UserFactory
from tickets import services
from tickets.formats import format_datetime
from tickets.models import COMMENT_MAX_LENGTH, Comment, Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def log_lines(ticket: Ticket) -> list[str]:
    return Ticket.objects.get(pk=ticket.pk).update_log.split("\n")


# --- ticket_update ------------------------------------------------------------------------------


def test_status_change_appends_a_line_with_who_and_when(ticket, dana):
    updated = services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.IN_PROGRESS)
    assert log_lines(ticket) == [
        "Ticket created.",
        f"Status changed from Open to In Progress by Dana Reyes on {format_datetime(updated.modified_at)}.",
    ]


def test_assignment_appends_a_line_naming_old_and_new_assignee(ticket, dana):
    updated = services.ticket_update(ticket=ticket, by=dana, assignee=dana)
    when = format_datetime(updated.modified_at)
    assert log_lines(ticket)[-1] == f"Assignee changed from nobody to Dana Reyes by Dana Reyes on {when}."


def test_unassigning_logs_nobody_as_the_new_assignee(dana):
    ticket = TicketFactory(assigned_to=dana)
    updated = services.ticket_update(ticket=ticket, by=dana, assignee=None)
    assert updated.assigned_to is None
    assert log_lines(ticket)[-1].startswith("Assignee changed from Dana Reyes to nobody by Dana Reyes")


def test_status_and_assignee_in_one_update_log_one_line_each(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED, assignee=dana)
    assert len(log_lines(ticket)) == 3


def test_update_sets_modified_by_and_modified_at(ticket, dana):
    updated = services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.modified_by == dana
    assert stored.modified_at == updated.modified_at > ticket.modified_at


def test_setting_the_current_values_changes_nothing(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.OPEN, assignee=None)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.update_log, stored.modified_at, stored.modified_by) == (
        "Ticket created.",
        ticket.modified_at,
        None,
    )


def test_leaving_out_the_assignee_keeps_it(dana):
    ticket = TicketFactory(assigned_to=dana)
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    assert Ticket.objects.get(pk=ticket.pk).assigned_to == dana


def test_later_changes_keep_earlier_lines(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.IN_PROGRESS)
    services.ticket_update(
        ticket=Ticket.objects.get(pk=ticket.pk), by=dana, ticket_status=TicketStatus.CLOSED
    )
    assert [line.split(" by ")[0] for line in log_lines(ticket)] == [
        "Ticket created.",
        "Status changed from Open to In Progress",
        "Status changed from In Progress to Closed",
    ]


def test_stale_instance_logs_the_stored_status_as_old(ticket, dana):
    """Two agents on the same page: the second logs what the first left, not what it saw."""
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.IN_PROGRESS)
    services.ticket_update(ticket=stale, by=dana, ticket_status=TicketStatus.CLOSED)
    assert log_lines(ticket)[-1].startswith("Status changed from In Progress to Closed")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_by_two_agents_both_reach_the_log(dana):
    """The row lock makes the second update wait and append to the first one's log."""
    ticket = TicketFactory()
    barrier = threading.Barrier(2)
    failures = []

    def change(**changes):
        try:
            barrier.wait()
            services.ticket_update(ticket=ticket, by=dana, **changes)
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=change, kwargs={"ticket_status": TicketStatus.CLOSED}),
        threading.Thread(target=change, kwargs={"assignee": dana}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(log_lines(ticket)) == 3


def test_unknown_status_is_refused(ticket, dana):
    with pytest.raises(ValidationError, match="is not a ticket status"):
        services.ticket_update(ticket=ticket, by=dana, ticket_status="Resolved")


def test_non_staff_user_cannot_update(ticket):
    customer = UserFactory(is_staff=False)
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=ticket, by=customer, ticket_status=TicketStatus.CLOSED)


def test_ticket_cannot_be_assigned_to_a_non_staff_user(ticket, dana):
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=ticket, by=dana, assignee=UserFactory(is_staff=False))


# --- Bulk variants ------------------------------------------------------------------------------


def test_bulk_status_changes_and_logs_each_ticket_not_yet_in_it(dana):
    open_tickets = TicketFactory.create_batch(2)
    closed = TicketFactory(ticket_status=TicketStatus.CLOSED)
    changed = services.ticket_bulk_set_status(
        tickets=Ticket.objects.all(), by=dana, ticket_status=TicketStatus.CLOSED
    )
    assert changed == 2
    assert all(len(log_lines(ticket)) == 2 for ticket in open_tickets)
    assert log_lines(closed) == ["Ticket created."]


def test_bulk_assign_assigns_and_logs_each_ticket_not_yet_assigned_to_them(dana):
    unassigned = TicketFactory()
    TicketFactory(assigned_to=dana)
    assert services.ticket_bulk_assign(tickets=Ticket.objects.all(), by=dana, assignee=dana) == 1
    assert Ticket.objects.filter(assigned_to=dana).count() == 2
    assert "Assignee changed from nobody to Dana Reyes" in log_lines(unassigned)[-1]


# --- comment_create_by_agent --------------------------------------------------------------------


@pytest.mark.parametrize("is_internal", [False, True])
def test_agent_comment_is_recorded_with_the_staff_author(ticket, dana, is_internal):
    comment = services.comment_create_by_agent(
        ticket=ticket, author=dana, text="Hello", is_internal=is_internal
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.author_user, stored.author_contact, stored.is_internal) == (dana, None, is_internal)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_blank_agent_comment_is_refused(ticket, dana, text):
    with pytest.raises(ValidationError, match=services.COMMENT_BLANK):
        services.comment_create_by_agent(ticket=ticket, author=dana, text=text, is_internal=False)


def test_agent_comment_longer_than_a_customers_limit_is_refused(ticket, dana):
    with pytest.raises(ValidationError):
        services.comment_create_by_agent(
            ticket=ticket, author=dana, text="x" * (COMMENT_MAX_LENGTH + 1), is_internal=False
        )


def test_agent_comment_needs_a_staff_author(ticket):
    with pytest.raises(ValidationError):
        services.comment_create_by_agent(
            ticket=ticket, author=UserFactory(is_staff=False), text="Hi", is_internal=True
        )


# --- agent_create -------------------------------------------------------------------------------


def test_agent_is_staff_in_the_support_agent_group_and_not_superuser(db):
    user = services.agent_create(username="sam", email="sam@example.com", password="s3cret-pass")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Support agent"]
    assert user.check_password("s3cret-pass")


def test_agent_without_a_password_cannot_log_in(db):
    user = services.agent_create(username="sam", email="sam@example.com", password=None)
    assert not user.has_usable_password()


def test_blank_agent_password_is_refused(db):
    with pytest.raises(ValidationError, match=services.AGENT_PASSWORD_BLANK):
        services.agent_create(username="sam", email="sam@example.com", password="")


def test_existing_username_is_refused(db):
    UserFactory(username="sam")
    with pytest.raises(ValidationError):
        services.agent_create(username="sam", email="sam@example.com", password="s3cret-pass")


def test_agent_cannot_be_created_without_the_group(db):
    Group.objects.filter(name=services.SUPPORT_AGENT_GROUP).delete()
    with pytest.raises(ValidationError, match=re.escape(services.AGENT_GROUP_MISSING)):
        services.agent_create(username="sam", email="sam@example.com", password="s3cret-pass")
