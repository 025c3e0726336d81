"""Canned replies in the desk: supervisors manage them in the admin, agents may only look; the
reply box's picker offers the active ones, written out for the ticket and the agent, and a
canned reply sent as it is (no JavaScript) is validated, sent and sets its status."""

import json
import re

import pytest
from django.contrib.auth.models import Group

from desk.canned import UNKNOWN_PLACEHOLDER, known_placeholders
from desk.forms import REPLY_WITHOUT_ACTION, ReplyAction
from desk.models import CannedReply
from tests.factories import CannedReplyFactory, TicketFactory
from tests.support.desk import REPLY, change_url, refreshed, save_ticket, send_reply
from tickets.models import Comment, TicketStatus
from tickets.services import COMMENT_TOO_LONG, SUPERVISOR_GROUP, SUPPORT_AGENT_GROUP

pytestmark = pytest.mark.django_db

CANNED_LIST = "/admin/desk/cannedreply/"
PICKER = f"{REPLY}-canned_reply"


def canned_form(**changes) -> dict[str, str]:
    """The canned reply's admin form as a supervisor fills it in."""
    return {
        "title": "Refund issued",
        "body": "Hello, the refund for {ticket_no} is on its way. {agent_first_name}",
        "ticket_status": TicketStatus.CLOSED,
        "is_active": "on",
        "sort_order": "10",
        **changes,
    }


def reply_form(response):
    """The reply box's form of the ticket page the response shows."""
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "comments-2"
    ]
    return formset.forms[0]


def picker_replies(response) -> dict:
    """The picker's JSON: each choice's text as written out for this ticket, and its status."""
    match = re.search(
        rf'<script id="id_{PICKER}-replies" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, "the picker's JSON is on the page"
    return json.loads(match.group(1))


@pytest.fixture
def own_ticket_of_dana(support_agent):
    return TicketFactory(ticket_number=1130, contact_number=649797, title="Charged twice")


# --- Who manages them ----------------------------------------------------------------------------


def test_the_supervisor_group_manages_canned_replies():
    group = Group.objects.get(name=SUPERVISOR_GROUP)
    assert set(
        group.permissions.filter(content_type__app_label="desk").values_list("codename", flat=True)
    ) == {
        "add_cannedreply",
        "change_cannedreply",
        "delete_cannedreply",
        "view_cannedreply",
    }


def test_the_support_agent_group_may_only_look_at_canned_replies():
    group = Group.objects.get(name=SUPPORT_AGENT_GROUP)
    assert list(
        group.permissions.filter(content_type__app_label="desk").values_list("codename", flat=True)
    ) == ["view_cannedreply"]


def test_an_agent_sees_the_list(agent_client):
    CannedReplyFactory(title="Refund issued")
    response = agent_client.get(CANNED_LIST)
    assert response.status_code == 200
    assert "Refund issued" in response.content.decode()


def test_an_agent_cannot_add_a_canned_reply(agent_client):
    assert agent_client.get(f"{CANNED_LIST}add/").status_code == 403
    assert agent_client.post(f"{CANNED_LIST}add/", canned_form()).status_code == 403
    assert not CannedReply.objects.exists()


def test_an_agent_cannot_change_a_canned_reply(agent_client):
    canned = CannedReplyFactory(title="Refund issued")
    response = agent_client.post(f"{CANNED_LIST}{canned.pk}/change/", canned_form(title="Changed"))
    assert response.status_code == 403
    assert CannedReply.objects.get().title == "Refund issued"


def test_an_agent_cannot_delete_a_canned_reply(agent_client):
    canned = CannedReplyFactory()
    assert agent_client.post(f"{CANNED_LIST}{canned.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CannedReply.objects.exists()


def test_a_supervisor_adds_a_canned_reply(supervisor_client):
    response = supervisor_client.post(f"{CANNED_LIST}add/", canned_form())
    assert response.status_code == 302
    canned = CannedReply.objects.get()
    assert (canned.title, canned.ticket_status, canned.is_active, canned.sort_order) == (
        "Refund issued",
        TicketStatus.CLOSED,
        True,
        10,
    )


def test_a_supervisor_changes_and_deletes_a_canned_reply(supervisor_client):
    canned = CannedReplyFactory()
    changed = supervisor_client.post(f"{CANNED_LIST}{canned.pk}/change/", canned_form(ticket_status=""))
    assert changed.status_code == 302
    assert CannedReply.objects.get().ticket_status == ""
    assert supervisor_client.post(f"{CANNED_LIST}{canned.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not CannedReply.objects.exists()


def test_an_unknown_placeholder_is_a_form_error_naming_the_known_ones(supervisor_client):
    response = supervisor_client.post(f"{CANNED_LIST}add/", canned_form(body="Dear {customer_name},"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        UNKNOWN_PLACEHOLDER.format(name="customer_name", known=known_placeholders())
    ]
    assert not CannedReply.objects.exists()


def test_a_format_string_attribute_is_refused(supervisor_client):
    response = supervisor_client.post(f"{CANNED_LIST}add/", canned_form(body="{ticket.__class__}"))
    assert "Unknown placeholder {ticket.__class__}" in response.context["adminform"].form.errors["body"][0]


def test_the_body_field_lists_the_placeholders(supervisor_client):
    page = supervisor_client.get(f"{CANNED_LIST}add/").content.decode()
    assert known_placeholders() in page


def test_the_change_page_previews_the_body_with_example_values(supervisor_client):
    canned = CannedReplyFactory(body="About {ticket_no}, {agent_name}")
    page = supervisor_client.get(f"{CANNED_LIST}{canned.pk}/change/").content.decode()
    assert "About TT1130, Dana Reyes" in page


# --- The picker ----------------------------------------------------------------------------------


def test_the_picker_offers_the_active_ones_in_sort_order(agent_client, ticket):
    CannedReplyFactory(title="Second", sort_order=20)
    CannedReplyFactory(title="Retired", sort_order=5, is_active=False)
    CannedReplyFactory(title="First", sort_order=10)
    picker = reply_form(agent_client.get(change_url(ticket))).fields["canned_reply"]
    assert [label for _, label in picker.choices] == ["---------", "First", "Second"]


def test_the_picker_sits_above_the_message(agent_client, ticket):
    page = agent_client.get(change_url(ticket)).content.decode()
    assert page.index(f'id="id_{PICKER}"') < page.index(f'id="id_{REPLY}-text"')
    assert "desk/canned_replies.js" in page


def test_the_picker_carries_each_reply_written_out_for_this_ticket_and_agent(
    agent_client, own_ticket_of_dana
):
    canned = CannedReplyFactory(
        body="{ticket_no} for {contact}: {ticket_title}. {agent_name}", ticket_status=TicketStatus.CLOSED
    )
    replies = picker_replies(agent_client.get(change_url(own_ticket_of_dana)))
    assert replies == {
        str(canned.pk): {
            "text": "TT1130 for 649797: Charged twice. Dana Reyes",
            "status": TicketStatus.CLOSED,
        }
    }


def test_the_pickers_json_cannot_close_its_script(agent_client, ticket):
    CannedReplyFactory(body="</script><script>alert(1)</script>")
    page = agent_client.get(change_url(ticket)).content.decode()
    assert "<script>alert(1)" not in page
    assert picker_replies(agent_client.get(change_url(ticket)))


# --- Sending a canned reply as it is (no JavaScript) ---------------------------------------------


def test_an_empty_message_with_a_canned_reply_sends_it_written_out(agent_client, own_ticket_of_dana):
    canned = CannedReplyFactory(body="Hello, {ticket_no} is being looked at. {agent_first_name}")
    send_reply(agent_client, own_ticket_of_dana, ReplyAction.SEND, "", **{PICKER: str(canned.pk)})
    comment = Comment.objects.get(ticket=own_ticket_of_dana)
    assert (comment.text, comment.is_internal) == ("Hello, TT1130 is being looked at. Dana", False)


def test_a_canned_reply_sent_as_it_is_sets_its_status(agent_client, own_ticket_of_dana):
    canned = CannedReplyFactory(ticket_status=TicketStatus.CLOSED)
    send_reply(agent_client, own_ticket_of_dana, ReplyAction.SEND, "", **{PICKER: str(canned.pk)})
    stored = refreshed(own_ticket_of_dana)
    assert stored.ticket_status == TicketStatus.CLOSED
    assert stored.update_log.startswith("Ticket created.\nStatus changed from Open to Closed by Dana Reyes")


def test_a_canned_reply_without_a_status_keeps_the_tickets(agent_client, own_ticket_of_dana):
    canned = CannedReplyFactory(ticket_status="")
    send_reply(agent_client, own_ticket_of_dana, ReplyAction.NOTE, "", **{PICKER: str(canned.pk)})
    assert refreshed(own_ticket_of_dana).ticket_status == TicketStatus.OPEN
    assert Comment.objects.get(ticket=own_ticket_of_dana).is_internal


def test_send_and_set_wait_for_response_wins_over_the_canned_status(agent_client, own_ticket_of_dana):
    canned = CannedReplyFactory(ticket_status=TicketStatus.CLOSED)
    send_reply(agent_client, own_ticket_of_dana, ReplyAction.SEND_AND_WAIT, "", **{PICKER: str(canned.pk)})
    assert refreshed(own_ticket_of_dana).ticket_status == TicketStatus.WAIT_FOR_RESPONSE
    assert Comment.objects.filter(ticket=own_ticket_of_dana).count() == 1


def test_a_typed_message_wins_over_the_chosen_canned_reply(agent_client, own_ticket_of_dana):
    """With a message in the box the script has already inserted the canned reply (and set the
    status select): what the agent sees is what is sent."""
    canned = CannedReplyFactory(body="The canned text.", ticket_status=TicketStatus.CLOSED)
    send_reply(
        agent_client,
        own_ticket_of_dana,
        ReplyAction.SEND,
        "The canned text, edited.",
        **{PICKER: str(canned.pk)},
    )
    assert Comment.objects.get(ticket=own_ticket_of_dana).text == "The canned text, edited."
    assert refreshed(own_ticket_of_dana).ticket_status == TicketStatus.OPEN


@pytest.mark.parametrize("forged", ["inactive", "999999", "abc", "1 OR 1=1"])
def test_an_inactive_or_unknown_canned_reply_is_a_form_error(agent_client, own_ticket_of_dana, forged):
    inactive = CannedReplyFactory(is_active=False, ticket_status=TicketStatus.CLOSED)
    choice = str(inactive.pk) if forged == "inactive" else forged
    response = send_reply(agent_client, own_ticket_of_dana, ReplyAction.SEND, "", **{PICKER: choice})
    assert response.status_code == 200
    assert "Select a valid choice." in reply_form(response).errors["canned_reply"][0]
    assert not Comment.objects.exists()
    assert refreshed(own_ticket_of_dana).ticket_status == TicketStatus.OPEN


def test_save_with_a_canned_reply_chosen_refuses_to_send_it(agent_client, own_ticket_of_dana):
    canned = CannedReplyFactory(ticket_status=TicketStatus.CLOSED)
    response = save_ticket(agent_client, own_ticket_of_dana, **{PICKER: str(canned.pk)})
    assert response.status_code == 200
    assert reply_form(response).errors["text"] == [REPLY_WITHOUT_ACTION]
    assert not Comment.objects.exists()
    assert refreshed(own_ticket_of_dana).ticket_status == TicketStatus.OPEN


def test_a_canned_reply_written_out_too_long_is_a_form_error(agent_client):
    ticket = TicketFactory(title="t" * 255)
    canned = CannedReplyFactory(body="{ticket_title}" * 100)
    response = send_reply(agent_client, ticket, ReplyAction.SEND, "", **{PICKER: str(canned.pk)})
    assert response.status_code == 200
    assert reply_form(response).errors["text"] == [COMMENT_TOO_LONG]
    assert not Comment.objects.exists()
