"""Composing an email from stored events (notifications/emails.py), without sending it."""

import pytest

from notifications import emails
from tests.factories import (
    AgentCommentFactory,
    CommentFactory,
    TicketEventFactory,
    TicketFactory,
    UserFactory,
)
from tests.support.endpoints import CONTACT
from tickets import services
from tickets.history import ActorKind, EventKind
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db


def reopening_comment(assignee):
    """A customer's comment on a closed ticket: its two events, the reopen and the comment."""
    ticket = TicketFactory(
        ticket_number=1130, contact_number=CONTACT, ticket_status=TicketStatus.CLOSED, assigned_to=assignee
    )
    services.comment_create_by_contact(ticket=ticket, contact_number=CONTACT, text="Broken again.")
    reopen, added = ticket.events.select_related("ticket__assigned_to", "comment").order_by("pk")[1:]
    return reopen, added


def test_a_reopen_whose_comment_tells_it_composes_no_email(dana):
    reopen, _ = reopening_comment(dana)
    assert emails.compose(reopen) is None


def test_the_comment_of_a_reopen_composes_the_one_email(dana):
    _, added = reopening_comment(dana)
    composed = emails.compose(added)
    assert composed is not None
    assert composed.subject == f"[TT1130] {emails.CUSTOMER_REOPENED_WITH_COMMENT}: {added.ticket.title}"
    assert composed.to == [dana.email]


def test_an_assignee_who_is_no_longer_staff_gets_nothing():
    _, added = reopening_comment(UserFactory(is_staff=False))
    assert emails.recipient(added) is None


def test_another_changes_event_recorded_in_between_does_not_split_the_email(dana):
    """An internal note takes no row lock: its event may be numbered between the two of a
    reopening comment written at the same moment."""
    ticket = TicketFactory(ticket_number=1130, contact_number=CONTACT, assigned_to=dana)
    at = ticket.created_at
    reopen = TicketEventFactory(
        ticket=ticket,
        kind=EventKind.STATUS_CHANGED,
        actor_kind=ActorKind.CUSTOMER,
        old_value=TicketStatus.CLOSED,
        new_value=TicketStatus.OPEN,
    )
    note = AgentCommentFactory(ticket=ticket, author_user=dana, is_internal=True, created_at=at)
    TicketEventFactory(
        ticket=ticket, kind=EventKind.NOTE_ADDED, actor_kind=ActorKind.STAFF, actor_user=dana, comment=note
    )
    said = CommentFactory(ticket=ticket, text="Broken again.", created_at=at)
    added = TicketEventFactory(
        ticket=ticket, kind=EventKind.COMMENT_ADDED, actor_kind=ActorKind.CUSTOMER, comment=said
    )
    composed = emails.compose(added)
    assert emails.compose(reopen) is None
    assert composed is not None
    assert composed.subject.startswith(f"[TT1130] {emails.CUSTOMER_REOPENED_WITH_COMMENT}: ")
