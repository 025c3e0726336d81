"""Canned replies' placeholders (desk/canned.py): what each becomes, and which templates are refused."""

import pytest
from django.core.exceptions import ValidationError

from desk.canned import (
    NO_CONTACT,
    PLACEHOLDERS,
    UNKNOWN_PLACEHOLDER,
    ReplyContext,
    known_placeholders,
    preview_canned_reply,
    render_canned_reply,
    validate_placeholders,
)
from tests.factories import TicketFactory, UserFactory
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def context():
    ticket = TicketFactory(
        ticket_number=1130,
        contact_number=649797,
        title="Charged twice",
        ticket_categories="Billing Dispute",
        ticket_status=TicketStatus.OPEN,
    )
    agent = UserFactory(username="dana", first_name="Dana", last_name="Reyes")
    return ReplyContext(ticket=ticket, agent=agent, ticket_status=TicketStatus.CLOSED)


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("{ticket_no}", "TT1130"),
        ("{contact}", "649797"),
        ("{ticket_title}", "Charged twice"),
        ("{category}", "Billing Dispute"),
        ("{status}", "Closed"),
        ("{agent_name}", "Dana Reyes"),
        ("{agent_first_name}", "Dana"),
    ],
)
def test_each_placeholder_renders_for_the_ticket_and_the_agent(context, placeholder, expected):
    assert render_canned_reply(f"<{placeholder}>", context) == f"<{expected}>"


def test_the_parametrized_cases_cover_every_placeholder():
    assert set(PLACEHOLDERS) == {
        "ticket_no",
        "contact",
        "ticket_title",
        "category",
        "status",
        "agent_name",
        "agent_first_name",
    }


def test_a_ticket_without_a_contact_renders_the_desks_empty_value(context):
    ticket = TicketFactory(contact_number=None, source="twitter")
    rendered = render_canned_reply(
        "Contact {contact}.", ReplyContext(ticket, context.agent, ticket.ticket_status)
    )
    assert rendered == f"Contact {NO_CONTACT}."


def test_an_agent_without_a_name_is_named_by_the_username(context):
    agent = UserFactory(username="ops", first_name="", last_name="")
    rendered = render_canned_reply("{agent_name}/{agent_first_name}", ReplyContext(context.ticket, agent, ""))
    assert rendered == "ops/ops"


def test_placeholders_repeat_and_mix_with_text(context):
    body = "Hi, {ticket_no} is {status}.\n{ticket_no} again, {agent_first_name}."
    assert render_canned_reply(body, context) == "Hi, TT1130 is Closed.\nTT1130 again, Dana."


@pytest.mark.parametrize(
    "body", ["{ticket.__class__}", "{agent.password}", "{0}", "{ticket_no!r}", "{ticket_no:>99}"]
)
def test_no_format_string_reaches_an_attribute_it_stays_literal(context, body):
    """Not `str.format`: attribute access, indexes and conversions are not placeholders."""
    assert render_canned_reply(body, context) == body


@pytest.mark.parametrize("body", ["{ticket.__class__}", "{tikcet_no}", "Dear {Contact}", "{agent.password}"])
def test_an_unknown_placeholder_is_refused_naming_it_and_the_known_ones(body):
    name = body[body.index("{") + 1 : body.index("}")]
    with pytest.raises(ValidationError) as refused:
        validate_placeholders(body)
    assert refused.value.messages == [UNKNOWN_PLACEHOLDER.format(name=name, known=known_placeholders())]
    assert f"Unknown placeholder {{{name}}}; known: {{ticket_no}}, {{contact}}" in refused.value.messages[0]


@pytest.mark.parametrize(
    "body", ["No placeholders at all.", "Braces with spaces { see below } are text.", "{}"]
)
def test_text_without_placeholders_is_accepted(body, context):
    validate_placeholders(body)
    assert render_canned_reply(body, context) == body


def test_the_preview_uses_each_placeholders_example():
    assert preview_canned_reply("{ticket_no} for {agent_name}") == (
        f"{PLACEHOLDERS['ticket_no'].example} for {PLACEHOLDERS['agent_name'].example}"
    )
