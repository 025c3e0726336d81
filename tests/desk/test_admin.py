"""The support desk (desk/admin.py): pages, the queue's columns, filters, search and actions,
the ticket page's conversation and replies, and what a support agent may do."""

import datetime

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk.forms import ReplyAction
from tests.factories import AgentCommentFactory, CommentFactory, IssueTypeFactory, TicketFactory, UserFactory
from tests.support.desk import (
    CHANGELIST,
    REPLY,
    change_url,
    form_data,
    listed,
    refreshed,
    run_action,
    save_ticket,
    send_reply,
    sorted_by,
)
from tickets.models import Comment, IssueType, Ticket, TicketStatus
from tickets.services import SUPPORT_AGENT_GROUP

pytestmark = pytest.mark.django_db


# --- Pages and access ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/admin/", CHANGELIST, "/admin/tickets/issuetype/", "/admin/tickets/issuetype/add/"]
)
def test_operator_pages_answer(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_ticket_page_answers_for_the_operator(admin_client, ticket):
    assert admin_client.get(change_url(ticket)).status_code == 200


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST, "/admin/tickets/issuetype/"])
def test_agent_pages_answer(agent_client, url):
    assert agent_client.get(url).status_code == 200


def test_ticket_page_answers_for_an_agent(agent_client, ticket):
    assert agent_client.get(change_url(ticket)).status_code == 200


def test_support_agent_group_has_exactly_the_agent_permissions():
    group = Group.objects.get(name=SUPPORT_AGENT_GROUP)
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("tickets", "change_ticket"),
        ("tickets", "view_ticket"),
        ("tickets", "add_comment"),
        ("tickets", "view_comment"),
        ("tickets", "view_issuetype"),
        # The SLA calendars and policies, to read (sla migration 0002; supervisors edit them).
        ("sla", "view_businesscalendar"),
        ("sla", "view_openinghours"),
        ("sla", "view_holiday"),
        ("sla", "view_slapolicy"),
        ("desk", "view_cannedreply"),
    }


def test_agent_cannot_delete_tickets(agent_client, ticket):
    assert agent_client.get(f"{CHANGELIST}{ticket.pk}/delete/").status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_agent_has_no_delete_action(agent_client, ticket):
    choices = agent_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in choices]


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_agent_cannot_manage_users(agent_client, url):
    assert agent_client.get(url).status_code == 403


def test_agent_cannot_add_issue_types(agent_client):
    assert agent_client.get("/admin/tickets/issuetype/add/").status_code == 403


def test_tickets_are_not_added_in_the_desk_even_by_the_operator(admin_client):
    """Tickets come from the API channels, which number them and start their history."""
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


# --- The queue -----------------------------------------------------------------------------------


def test_queue_lists_the_issue_columns(agent_client, ticket):
    changelist = agent_client.get(CHANGELIST).context["cl"]
    headers = [str(header["text"]) for header in result_headers(changelist)][1:]  # after the checkbox
    assert headers == [
        "ticket",
        "title",
        "status",
        "priority",
        "due",  # the next SLA due time (desk/sla.py)
        "waiting",
        "category",
        "contact",
        "assignee",
        "created at",
        "modified at",
        "comments",
        "rating",
    ]


def test_queue_shows_the_ticket_number_with_tt(agent_client):
    TicketFactory(ticket_number=1130)
    assert "TT1130" in agent_client.get(CHANGELIST).content.decode()


def test_comment_count_includes_both_sides_and_internal_notes(agent_client, ticket):
    CommentFactory(ticket=ticket)
    AgentCommentFactory(ticket=ticket)
    AgentCommentFactory(ticket=ticket, is_internal=True)
    [row] = listed(agent_client)
    assert row.comment_count == 3


def test_queue_query_count_does_not_grow_with_rows(agent_client):
    def fill(count):
        for _ in range(count):
            ticket = TicketFactory(assigned_to=UserFactory())
            CommentFactory(ticket=ticket)
            AgentCommentFactory(ticket=ticket, is_internal=True)

    fill(2)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(CHANGELIST)
    fill(10)
    with CaptureQueriesContext(connection) as many:
        assert len(agent_client.get(CHANGELIST).context["cl"].result_list) == 12
    assert len(many) == len(few)


def test_queue_sorted_by_created_is_newest_first(agent_client):
    """The default order is whose turn it is (tests/desk/test_queue_waiting.py); sorted by the
    created column, the queue is newest first."""
    now = timezone.now()
    old = TicketFactory(created_at=now - datetime.timedelta(days=2))
    new = TicketFactory(created_at=now)
    middle = TicketFactory(created_at=now - datetime.timedelta(days=1))
    assert listed(agent_client, sorted_by(agent_client, "created_at", descending=True)) == [new, middle, old]


def test_queue_is_paginated_by_fifty(agent_client):
    TicketFactory.create_batch(51)
    assert len(listed(agent_client)) == 50
    assert len(listed(agent_client, "p=2")) == 1


# --- Filters -------------------------------------------------------------------------------------


def test_filter_by_status(agent_client):
    closed = TicketFactory(ticket_status=TicketStatus.CLOSED)
    TicketFactory(ticket_status=TicketStatus.OPEN)
    assert listed(agent_client, "ticket_status__exact=Closed") == [closed]


def test_filter_by_category(agent_client):
    billing = TicketFactory(ticket_categories="Billing Dispute")
    TicketFactory(ticket_categories="Roaming")
    assert listed(agent_client, "ticket_categories=Billing+Dispute") == [billing]


def test_filter_by_channel(agent_client):
    social = TicketFactory(source="facebook")
    TicketFactory(source="app")
    assert listed(agent_client, "source=facebook") == [social]


def test_filter_assigned_to_me(agent_client, support_agent):
    mine = TicketFactory(assigned_to=support_agent)
    TicketFactory(assigned_to=UserFactory())
    TicketFactory()
    assert listed(agent_client, "assignee=mine") == [mine]


def test_filter_unassigned(agent_client, support_agent):
    TicketFactory(assigned_to=support_agent)
    nobodys = TicketFactory()
    assert listed(agent_client, "assignee=unassigned") == [nobodys]


def test_filter_by_a_named_assignee(agent_client, support_agent):
    colleague = UserFactory()
    theirs = TicketFactory(assigned_to=colleague)
    TicketFactory(assigned_to=support_agent)
    assert listed(agent_client, f"assignee={colleague.pk}") == [theirs]


@pytest.mark.parametrize("value", ["²", "١٢", "1e3", "-1", "9" * 40])
def test_assignee_filter_with_a_value_that_is_no_user_id_filters_nothing(agent_client, value):
    """`str.isdigit()` says yes to `²` and Arabic-Indic digits, `int()` then failed: a 500."""
    everyone = [TicketFactory()]
    assert listed(agent_client, f"assignee={value}") == everyone


def test_filter_by_created_date(agent_client):
    now = timezone.now()
    recent = TicketFactory(created_at=now - datetime.timedelta(days=1))
    TicketFactory(created_at=now - datetime.timedelta(days=40))
    changelist = agent_client.get(CHANGELIST).context["cl"]
    [created] = [spec for spec in changelist.filter_specs if spec.title == "created at"]
    [past_week] = [choice for choice in created.choices(changelist) if choice["display"] == "Past 7 days"]
    assert listed(agent_client, past_week["query_string"].lstrip("?")) == [recent]


# --- Search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["TT1130", "tt1130", "1130"])
def test_search_by_ticket_number_with_or_without_tt(agent_client, term):
    wanted = TicketFactory(ticket_number=1130, title="Roaming", description="Spain")
    TicketFactory(ticket_number=1131, title="Billing", description="Twice")
    assert listed(agent_client, f"q={term}") == [wanted]


@pytest.mark.parametrize("term", ["24218", "12x24218"])
def test_search_by_contact_number(agent_client, term):
    wanted = TicketFactory(contact_number=24218, title="Roaming", description="Spain")
    TicketFactory(contact_number=649797, title="Billing", description="Twice")
    assert listed(agent_client, f"q={term}") == [wanted]


@pytest.mark.parametrize("term", ["roaming", "spain"])
def test_search_by_words_of_title_or_description(agent_client, term):
    wanted = TicketFactory(title="Roaming for a trip", description="Travelling to Spain")
    TicketFactory(title="Billing", description="Charged twice")
    assert listed(agent_client, f"q={term}") == [wanted]


# --- Bulk actions --------------------------------------------------------------------------------


def test_assign_to_me_assigns_and_logs(agent_client, support_agent):
    tickets = TicketFactory.create_batch(2)
    response = run_action(agent_client, "assign_to_me", tickets)
    assert "2 ticket(s) assigned to you." in response.content.decode()
    for ticket in tickets:
        stored = refreshed(ticket)
        assert stored.assigned_to == support_agent
        assert "Assignee changed from nobody to Dana Reyes by Dana Reyes" in stored.update_log


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("set_status_open", TicketStatus.OPEN),
        ("set_status_in_progress", TicketStatus.IN_PROGRESS),
        ("set_status_wait_for_response", TicketStatus.WAIT_FOR_RESPONSE),
        ("set_status_closed", TicketStatus.CLOSED),
    ],
)
def test_set_status_action_sets_and_logs_each_status(agent_client, support_agent, action, status):
    start = TicketStatus.CLOSED if status == TicketStatus.OPEN else TicketStatus.OPEN
    tickets = TicketFactory.create_batch(2, ticket_status=start)
    run_action(agent_client, action, tickets)
    for ticket in tickets:
        stored = refreshed(ticket)
        assert stored.ticket_status == status
        assert stored.modified_by == support_agent
        assert f"Status changed from {start} to {status} by Dana Reyes" in stored.update_log


def test_close_action_is_offered_as_close(agent_client, ticket):
    choices = dict(agent_client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert choices["set_status_closed"] == "Close selected tickets"


def test_actions_touch_only_the_selected_tickets(agent_client):
    selected, other = TicketFactory.create_batch(2)
    run_action(agent_client, "set_status_closed", [selected])
    assert refreshed(other).ticket_status == TicketStatus.OPEN
    assert refreshed(other).update_log == "Ticket created."


# --- The ticket page -----------------------------------------------------------------------------


def test_status_change_on_the_ticket_page_is_logged_with_the_agent(agent_client, support_agent, ticket):
    response = save_ticket(agent_client, ticket, ticket_status="Wait For Response")
    assert response.status_code == 302
    stored = refreshed(ticket)
    assert stored.ticket_status == TicketStatus.WAIT_FOR_RESPONSE
    assert stored.modified_by == support_agent
    assert stored.update_log.split("\n")[-1].startswith(
        "Status changed from Open to Wait For Response by Dana Reyes on "
    )


def test_assignee_change_on_the_ticket_page_is_logged(agent_client, ticket):
    colleague = UserFactory(first_name="Sam", last_name="Lee")
    save_ticket(agent_client, ticket, assigned_to=str(colleague.pk))
    stored = refreshed(ticket)
    assert stored.assigned_to == colleague
    assert "Assignee changed from nobody to Sam Lee by Dana Reyes" in stored.update_log


def test_assignee_choices_are_active_staff_only(agent_client, ticket):
    UserFactory(username="customer-login", is_staff=False)
    UserFactory(username="gone", is_active=False)
    field = agent_client.get(change_url(ticket)).context["adminform"].form.fields["assigned_to"]
    assert {user.username for user in field.queryset} == {"dana"}


def test_saving_without_changes_logs_nothing(agent_client, ticket):
    save_ticket(agent_client, ticket)
    assert refreshed(ticket).update_log == "Ticket created."


def test_system_fields_are_read_only(agent_client, ticket):
    save_ticket(
        agent_client,
        ticket,
        ticket_number="1",
        title="changed",
        contact_number="1",
        update_log="rewritten",
        created_at_0="2000-01-01",
    )
    stored = refreshed(ticket)
    assert (stored.ticket_number, stored.title, stored.contact_number, stored.update_log) == (
        ticket.ticket_number,
        ticket.title,
        ticket.contact_number,
        "Ticket created.",
    )


def test_public_reply_is_recorded_with_the_agent_as_author(agent_client, support_agent, ticket):
    send_reply(agent_client, ticket, ReplyAction.SEND, "We have refunded you.")
    reply = Comment.objects.get(ticket=ticket)
    assert (reply.text, reply.author_user, reply.is_internal) == (
        "We have refunded you.",
        support_agent,
        False,
    )


def test_internal_note_is_recorded_as_internal(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.NOTE, "Finance approved.")
    assert Comment.objects.get(ticket=ticket).is_internal


def test_reply_and_status_change_are_saved_together(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.SEND, "Done, closing.", ticket_status="Closed")
    assert refreshed(ticket).ticket_status == TicketStatus.CLOSED
    assert Comment.objects.filter(ticket=ticket).count() == 1


def test_empty_reply_form_adds_nothing(agent_client, ticket):
    save_ticket(agent_client, ticket)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_internal_tick_without_text_is_refused_and_saves_nothing(agent_client, ticket):
    response = send_reply(agent_client, ticket, ReplyAction.NOTE, "", ticket_status="Closed")
    assert response.status_code == 200  # the page again, with the error
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert refreshed(ticket).ticket_status == TicketStatus.OPEN


def test_conversation_is_shown_in_time_order_with_authors(agent_client, ticket):
    now = timezone.now()
    AgentCommentFactory(
        ticket=ticket,
        author_user=UserFactory(first_name="Sam", last_name="Lee"),
        text="second: agent answer",
        created_at=now,
    )
    CommentFactory(
        ticket=ticket, text="first: customer question", created_at=now - datetime.timedelta(hours=1)
    )
    AgentCommentFactory(ticket=ticket, text="third: staff note", is_internal=True, created_at=now)
    page = agent_client.get(change_url(ticket)).content.decode()
    positions = [page.index(text) for text in ("first: customer", "second: agent", "third: staff")]
    assert positions == sorted(positions)
    assert f"Customer {ticket.contact_number}" in page
    assert "Sam Lee (staff)" in page
    assert "Internal note" in page


def test_existing_comments_cannot_be_edited_from_the_ticket_page(agent_client, ticket):
    comment = CommentFactory(ticket=ticket, text="as the customer wrote it")
    save_ticket(agent_client, ticket, **{"comments-0-text": "rewritten", "comments-0-id": str(comment.pk)})
    assert Comment.objects.get(pk=comment.pk).text == "as the customer wrote it"


def test_ticket_page_has_no_field_for_existing_comments(agent_client, ticket):
    CommentFactory(ticket=ticket)
    names = form_data(agent_client.get(change_url(ticket)), "ticket_form")
    assert "comments-0-text" not in names
    assert f"{REPLY}-text" in names


# --- Issue types ---------------------------------------------------------------------------------


def test_issue_types_are_edited_in_place_in_the_list(admin_client):
    issue_type = IssueTypeFactory(name="Roaming", is_active=True, sort_order=10)
    data = form_data(admin_client.get("/admin/tickets/issuetype/"), "changelist-form")
    data.pop("form-0-is_active")
    data["form-0-sort_order"] = "5"
    response = admin_client.post("/admin/tickets/issuetype/", {**data, "_save": "Save"})
    assert response.status_code == 302
    stored = IssueType.objects.get(pk=issue_type.pk)
    assert (stored.is_active, stored.sort_order) == (False, 5)


def test_agent_sees_issue_types_without_editing_them(agent_client):
    IssueTypeFactory()
    response = agent_client.get("/admin/tickets/issuetype/")
    assert response.context["cl"].formset is None
