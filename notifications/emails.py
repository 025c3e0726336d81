"""Which ticket events email an agent, and what the email says.

- A new ticket (however it was created) goes to the team address `CRM_DESK_NOTIFY_EMAIL`, if set.
- The customer's comment, and the customer's reopening of a closed ticket, go to the assignee:
  only an active staff user with an email address; nobody when the ticket has no assignee.
- Nothing else emails anyone: an agent's reply (the agent wrote it), an internal note (it never
  leaves the desk), assignments, priority changes, ratings, the customer closing a ticket.

A customer's comment on a closed ticket reopens it: the change records two events, the status
change and then the comment, at one time. It makes one email ("reopened with a comment"), sent
for the comment; the status change finds the customer's comment recorded at its time and sends
nothing. Events are only ever added, so this reads the same at send time as at change time; two
separate changes of a ticket share a time only if the clock does not move between them.

`recipient` is asked twice: in the change's transaction (whether to queue an email at all) and
by the worker (the ticket's assignee then, who may have changed). The email is composed by the
worker from the stored event: the customer's words as recorded, the ticket as it is now. Text
is plain; a title is folded onto one line in the subject, so no header can be smuggled in.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.urls import reverse

from tickets.formats import format_datetime, format_ticket_number, user_display_name
from tickets.history import ActorKind, EventKind
from tickets.models import Ticket, TicketEvent, TicketStatus

SUBJECT = "[{number}] {what}: {title}"
NEW_TICKET = "New ticket"
CUSTOMER_REPLIED = "Customer replied"
CUSTOMER_REOPENED = "Customer reopened"
CUSTOMER_REOPENED_WITH_COMMENT = "Customer reopened with a comment"

NEW_TICKET_LEAD = "A new ticket came in through {source} from {customer} on {when}:"
CUSTOMER_REPLIED_LEAD = "The customer wrote on {number} on {when}:"
CUSTOMER_REOPENED_LEAD = "The customer reopened {number} on {when}."
CUSTOMER_REOPENED_WITH_COMMENT_LEAD = "The customer reopened {number} on {when} with this comment:"
NOBODY = "nobody"
ANONYMOUS = "an anonymous customer"

# Marks the email as sent by a machine (RFC 3834), so auto-replies and vacation notices stay away.
HEADERS = {"Auto-Submitted": "auto-generated"}


def _is_customer_comment(event: TicketEvent) -> bool:
    return event.kind == EventKind.COMMENT_ADDED and event.actor_kind == ActorKind.CUSTOMER


def _is_customer_reopen(event: TicketEvent) -> bool:
    return (
        event.kind == EventKind.STATUS_CHANGED
        and event.actor_kind == ActorKind.CUSTOMER
        and event.old_value == TicketStatus.CLOSED
        and event.new_value == TicketStatus.OPEN
    )


def _assignee_address(ticket: Ticket) -> str | None:
    user = ticket.assigned_to
    if user is None or not (user.is_active and user.is_staff) or not user.email:
        return None
    return user.email


def recipient(event: TicketEvent) -> str | None:
    """The one address the event is emailed to, or None when it emails nobody."""
    if event.kind == EventKind.CREATED:
        return settings.CRM_DESK_NOTIFY_EMAIL or None
    if _is_customer_comment(event) or _is_customer_reopen(event):
        return _assignee_address(event.ticket)
    return None


def _same_change(event: TicketEvent, *, kind: EventKind, after: bool) -> QuerySet[TicketEvent]:
    """The ticket's other events of `kind` recorded by the customer at the event's time, after
    (or before) it: the events of the same change."""
    events = TicketEvent.objects.filter(
        ticket_id=event.ticket_id, kind=kind, actor_kind=ActorKind.CUSTOMER, created_at=event.created_at
    )
    return events.filter(pk__gt=event.pk) if after else events.filter(pk__lt=event.pk)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def desk_link(ticket: Ticket) -> str:
    """The ticket's page in the support desk."""
    return settings.CRM_DESK_URL + reverse("admin:tickets_ticket_change", args=[ticket.pk])


def _ticket_facts(ticket: Ticket) -> str:
    assignee = ticket.assigned_to
    return "\n".join(
        [
            f"Ticket:   {format_ticket_number(ticket.ticket_number)}",
            f"Title:    {_one_line(ticket.title)}",
            f"Status:   {ticket.ticket_status}",
            f"Priority: {ticket.priority}",
            f"Assignee: {NOBODY if assignee is None else user_display_name(assignee)}",
            f"Customer: {_customer(ticket)}",
            f"Channel:  {ticket.source}",
            "",
            f"Open it in the support desk: {desk_link(ticket)}",
        ]
    )


def _customer(ticket: Ticket) -> str:
    return ANONYMOUS if ticket.contact_number is None else f"contact {ticket.contact_number}"


def _content(event: TicketEvent) -> tuple[str, str] | None:
    """What the subject announces and the text before the ticket's facts; None when the event
    makes no email after all (a reopen whose comment tells it)."""
    ticket = event.ticket
    number, when = format_ticket_number(ticket.ticket_number), format_datetime(event.created_at)
    if event.kind == EventKind.CREATED:
        lead = NEW_TICKET_LEAD.format(source=ticket.source, customer=_customer(ticket), when=when)
        return NEW_TICKET, f"{lead}\n\n{ticket.description}"
    if _is_customer_reopen(event):
        if _same_change(event, kind=EventKind.COMMENT_ADDED, after=True).exists():
            return None
        return CUSTOMER_REOPENED, CUSTOMER_REOPENED_LEAD.format(number=number, when=when)
    if event.comment is None:  # the comment was deleted since: nothing left to tell
        return None
    reopens = _same_change(event, kind=EventKind.STATUS_CHANGED, after=False).filter(
        old_value=TicketStatus.CLOSED, new_value=TicketStatus.OPEN
    )
    if reopens.exists():
        what, lead = CUSTOMER_REOPENED_WITH_COMMENT, CUSTOMER_REOPENED_WITH_COMMENT_LEAD
    else:
        what, lead = CUSTOMER_REPLIED, CUSTOMER_REPLIED_LEAD
    return what, f"{lead.format(number=number, when=when)}\n\n{event.comment.text}"


def compose(event: TicketEvent) -> EmailMessage | None:
    """The email the event makes now, or None. `event` comes with its ticket, the assignee and
    its comment loaded (see `tasks.send_notice`)."""
    to = recipient(event)
    if to is None:
        return None
    content = _content(event)
    if content is None:
        return None
    what, text = content
    ticket = event.ticket
    subject = SUBJECT.format(
        number=format_ticket_number(ticket.ticket_number), what=what, title=_one_line(ticket.title)
    )
    return EmailMessage(
        subject=subject,
        body=f"{text}\n\n{_ticket_facts(ticket)}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=HEADERS,
    )
