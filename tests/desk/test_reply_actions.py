"""The ticket page's reply buttons: "Send to customer", "Add internal note" and "Send and set Wait
For Response" each say what the reply box's text becomes; a blank reply is an error on the page,
never a silent "changed successfully"; "Save" never sends or drops a typed reply."""

import html
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import SUCCESS
from django.core.exceptions import ValidationError

from desk.forms import REPLY_BLANK, REPLY_BUTTON, REPLY_WITHOUT_ACTION, ReplyAction
from tests.factories import UserFactory
from tests.support.desk import REPLY, change_url, refreshed, save_ticket, send_reply
from tickets import services
from tickets.models import Comment, TicketStatus

pytestmark = pytest.mark.django_db


class _Buttons(HTMLParser):
    def __init__(self):
        super().__init__()
        self.buttons: list[tuple[str, str]] = []
        self.current: list[str] | None = None
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.names.add(attributes.get("name") or "")
        if tag == "button" and attributes.get("name") == REPLY_BUTTON:
            self.current = [attributes.get("value") or "", ""]

    def handle_data(self, data):
        if self.current is not None:
            self.current[1] += data

    def handle_endtag(self, tag):
        if tag == "button" and self.current is not None:
            self.buttons.append((self.current[0], self.current[1].strip()))
            self.current = None


def page_of(response) -> _Buttons:
    parser = _Buttons()
    parser.feed(response.content.decode())
    return parser


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def shown(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_ticket_page_offers_the_three_reply_buttons(agent_client, ticket):
    assert page_of(agent_client.get(change_url(ticket))).buttons == [
        ("send", "Send to customer"),
        ("note", "Add internal note"),
        ("send-and-wait", "Send and set Wait For Response"),
    ]


def test_ticket_page_has_no_internal_note_checkbox(agent_client, ticket):
    assert f"{REPLY}-is_internal" not in page_of(agent_client.get(change_url(ticket))).names


def test_ticket_page_keeps_save_for_status_assignee_and_priority(agent_client, ticket):
    assert "_save" in page_of(agent_client.get(change_url(ticket))).names


def test_a_user_who_cannot_reply_sees_no_reply_buttons(client, ticket):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_ticket", "view_comment"]))
    client.force_login(viewer)
    assert page_of(client.get(change_url(ticket))).buttons == []


def test_send_to_customer_is_a_public_reply(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.SEND, "We have refunded you.")
    assert Comment.objects.get(ticket=ticket).is_internal is False


def test_add_internal_note_is_an_internal_note(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.NOTE, "Finance approved.")
    assert Comment.objects.get(ticket=ticket).is_internal is True


def test_after_a_reply_the_agent_stays_on_the_ticket_page(agent_client, ticket):
    response = send_reply(agent_client, ticket, ReplyAction.SEND, "On it.")
    assert response["Location"] == change_url(ticket)
    [(level, text)] = shown(agent_client.get(response["Location"]))
    assert level == SUCCESS
    assert "was changed successfully" in text


def test_send_and_set_wait_for_response_sends_a_public_reply_and_sets_the_status(
    agent_client, support_agent, ticket
):
    send_reply(agent_client, ticket, ReplyAction.SEND_AND_WAIT, "Please send the invoice number.")
    stored = refreshed(ticket)
    assert stored.ticket_status == TicketStatus.WAIT_FOR_RESPONSE
    assert stored.modified_by == support_agent
    assert stored.update_log.split("\n")[-1].startswith(
        "Status changed from Open to Wait For Response by Dana Reyes on "
    )
    reply = Comment.objects.get(ticket=ticket)
    assert (reply.text, reply.is_internal) == ("Please send the invoice number.", False)


def test_send_and_set_wait_for_response_wins_over_the_status_field(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.SEND_AND_WAIT, "Anything else?", ticket_status="Closed")
    assert refreshed(ticket).ticket_status == TicketStatus.WAIT_FOR_RESPONSE


def test_send_and_set_wait_for_response_is_one_save(agent_client, ticket, monkeypatch):
    """The reply refused after the status was set: neither is kept."""
    real = services.comment_create_by_agent

    def refusing(**kwargs):
        real(**kwargs)
        raise ValidationError("Replies are closed on this ticket.")

    monkeypatch.setattr(services, "comment_create_by_agent", refusing)
    send_reply(agent_client, ticket, ReplyAction.SEND_AND_WAIT, "Please send the invoice number.")
    stored = refreshed(ticket)
    assert stored.ticket_status == TicketStatus.OPEN
    assert stored.update_log == "Ticket created."
    assert not Comment.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("action", list(ReplyAction))
@pytest.mark.parametrize("text", ["", "   \n  "])
def test_a_blank_reply_is_an_error_on_the_page(agent_client, ticket, action, text):
    response = send_reply(agent_client, ticket, action, text)
    assert response.status_code == 200  # the page again, with the error
    assert REPLY_BLANK in text_of(response)
    assert not [m for m in response.context["messages"] if m.level == SUCCESS]
    assert not Comment.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("action", list(ReplyAction))
def test_a_blank_reply_saves_nothing_else_either(agent_client, ticket, action):
    send_reply(agent_client, ticket, action, "", ticket_status="Closed")
    stored = refreshed(ticket)
    assert (stored.ticket_status, stored.update_log) == (TicketStatus.OPEN, "Ticket created.")


@pytest.mark.parametrize("button", [{"_save": "Save"}, {"_continue": "Save and continue editing"}])
def test_save_with_a_typed_reply_refuses_and_keeps_the_text(agent_client, ticket, button):
    """Neither sent to the customer nor dropped: the agent picks a reply button."""
    response = save_ticket(agent_client, ticket, **{f"{REPLY}-text": "Typed, not sent.", **button})
    assert response.status_code == 200
    assert REPLY_WITHOUT_ACTION in text_of(response)
    assert "Typed, not sent." in text_of(response)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_an_unknown_reply_button_is_save(agent_client, ticket):
    response = save_ticket(agent_client, ticket, ticket_status="Closed", **{REPLY_BUTTON: "shout"})
    assert response.status_code == 302
    assert refreshed(ticket).ticket_status == TicketStatus.CLOSED
