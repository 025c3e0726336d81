"""Canned replies' placeholders: which exist, what each becomes for a ticket and an agent, and
the rule that a template names only those.

A placeholder is a name in braces, `{ticket_no}`. Substitution is a plain lookup in
`PLACEHOLDERS` by one regex, never `str.format`: a template cannot reach an attribute or an
index (`{ticket.__class__}` is no placeholder of ours, refused on save, literal if it is ever
met). Braces around anything with a space (`{ see below }`) are text, not a placeholder.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError

from tickets.formats import format_ticket_number, user_display_name
from tickets.models import Ticket

# Anything in braces without a space or another brace is meant as a placeholder.
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}\s]{1,64})\}")
# What {contact} becomes on a ticket without a contact (an anonymous social channel's): the
# desk's own empty value, so the agent sees the gap in the reply box before sending.
NO_CONTACT = "-"
UNKNOWN_PLACEHOLDER = "Unknown placeholder {{{name}}}; known: {known}."


@dataclass(frozen=True)
class ReplyContext:
    """What a canned reply is rendered for: the ticket, the agent answering, and the status the
    ticket will have once the reply is sent."""

    ticket: Ticket
    agent: AbstractUser
    ticket_status: str


@dataclass(frozen=True)
class Placeholder:
    description: str
    example: str  # what the supervisor's preview shows
    value: Callable[[ReplyContext], str]


def _contact(context: ReplyContext) -> str:
    number = context.ticket.contact_number
    return NO_CONTACT if number is None else str(number)


def _agent_first_name(context: ReplyContext) -> str:
    return context.agent.first_name or user_display_name(context.agent)


PLACEHOLDERS: dict[str, Placeholder] = {
    "ticket_no": Placeholder(
        "The ticket number.", "TT1130", lambda c: format_ticket_number(c.ticket.ticket_number)
    ),
    "contact": Placeholder(
        f"The customer's contact number, as the desk shows it ({NO_CONTACT} when the ticket has none).",
        "649797",
        _contact,
    ),
    "ticket_title": Placeholder(
        "The ticket's title.", "Charged twice for the September recharge", lambda c: c.ticket.title
    ),
    "category": Placeholder(
        "The ticket's category (its issue type).", "Billing Dispute", lambda c: c.ticket.ticket_categories
    ),
    "status": Placeholder(
        "The ticket's status once the reply is sent: the canned reply's if it sets one, else the current.",
        "Closed",
        lambda c: c.ticket_status,
    ),
    "agent_name": Placeholder(
        "The answering agent's full name (the username if none is set).",
        "Dana Reyes",
        lambda c: user_display_name(c.agent),
    ),
    "agent_first_name": Placeholder(
        "The answering agent's first name (the full name or username if none is set).",
        "Dana",
        _agent_first_name,
    ),
}


def known_placeholders() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def validate_placeholders(body: str) -> None:
    """A template names only known placeholders: a typo is the supervisor's form error on save,
    not a literal `{tikcet_no}` in a customer's inbox."""
    for match in PLACEHOLDER_PATTERN.finditer(body):
        if match.group(1) not in PLACEHOLDERS:
            raise ValidationError(
                UNKNOWN_PLACEHOLDER.format(name=match.group(1), known=known_placeholders()),
                code="unknown_placeholder",
            )


def _substitute(body: str, value: Callable[[str], str | None]) -> str:
    def replace(match: re.Match) -> str:
        replaced = value(match.group(1))
        return match.group(0) if replaced is None else replaced

    return PLACEHOLDER_PATTERN.sub(replace, body)


def render_canned_reply(body: str, context: ReplyContext) -> str:
    """The template's text for this ticket and agent; an unknown name (a template saved before a
    placeholder was retired) stays as written."""

    def value(name: str) -> str | None:
        placeholder = PLACEHOLDERS.get(name)
        return None if placeholder is None else placeholder.value(context)

    return _substitute(body, value)


def preview_canned_reply(body: str) -> str:
    """The template with each placeholder's example value, for the supervisor's preview."""

    def value(name: str) -> str | None:
        placeholder = PLACEHOLDERS.get(name)
        return None if placeholder is None else placeholder.example

    return _substitute(body, value)
