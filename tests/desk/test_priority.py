"""Priority in the desk: a queue column and filter, changed on the ticket page beside status and
assignee through the service (logged as a status change is), and each issue type's default."""

import pytest
from django.contrib.admin.models import LogEntry

from desk.forms import ReplyAction
from tests.factories import IssueTypeFactory, TicketFactory
from tests.support.desk import (
    CHANGELIST,
    change_url,
    form_data,
    listed,
    refreshed,
    save_ticket,
    send_reply,
    sorted_by,
)
from tickets.models import IssueType, TicketPriority

pytestmark = pytest.mark.django_db

ISSUE_TYPES = "/admin/tickets/issuetype/"


def test_queue_shows_the_priority(agent_client):
    TicketFactory(priority=TicketPriority.URGENT)
    assert '<span class="desk-priority desk-priority-urgent">Urgent</span>' in (
        agent_client.get(CHANGELIST).content.decode()
    )


def test_filter_by_priority(agent_client):
    urgent = TicketFactory(priority=TicketPriority.URGENT)
    TicketFactory(priority=TicketPriority.NORMAL)
    assert listed(agent_client, "priority__exact=Urgent") == [urgent]


def test_priority_filter_offers_the_priorities_in_order(agent_client):
    changelist = agent_client.get(CHANGELIST).context["cl"]
    [spec] = [spec for spec in changelist.filter_specs if spec.title == "priority"]
    assert [choice["display"] for choice in spec.choices(changelist)] == [
        "All",
        "Low",
        "Normal",
        "High",
        "Urgent",
    ]


def test_priority_column_sorts_by_urgency_not_by_name(agent_client):
    high, low, urgent, normal = (
        TicketFactory(priority=priority)
        for priority in (
            TicketPriority.HIGH,
            TicketPriority.LOW,
            TicketPriority.URGENT,
            TicketPriority.NORMAL,
        )
    )
    assert listed(agent_client, sorted_by(agent_client, "priority_badge", descending=True)) == [
        urgent,
        high,
        normal,
        low,
    ]


def test_priority_is_edited_on_the_ticket_page_beside_status_and_assignee(agent_client, ticket):
    fields = agent_client.get(change_url(ticket)).context["adminform"].form.fields
    assert {"ticket_status", "priority", "assigned_to"} <= set(fields)
    assert list(fields["priority"].choices) == [(p, p) for p in TicketPriority.values]


def test_priority_change_on_the_ticket_page_is_saved_and_logged(agent_client, support_agent, ticket):
    response = save_ticket(agent_client, ticket, priority="Urgent")
    assert response.status_code == 302
    stored = refreshed(ticket)
    assert stored.priority == TicketPriority.URGENT
    assert stored.modified_by == support_agent
    assert stored.update_log.split("\n")[-1].startswith(
        "Priority changed from Normal to Urgent by Dana Reyes on "
    )


def test_priority_change_is_reported_as_a_change(agent_client, ticket):
    save_ticket(agent_client, ticket, priority="High")
    [entry] = LogEntry.objects.all()
    assert entry.get_change_message() == "Changed Priority."


def test_priority_change_with_a_reply_is_saved_with_it(agent_client, ticket):
    send_reply(agent_client, ticket, ReplyAction.NOTE, "Escalated to the network team.", priority="High")
    assert refreshed(ticket).priority == TicketPriority.HIGH


def test_an_unknown_priority_is_refused_on_the_page(agent_client, ticket):
    response = save_ticket(agent_client, ticket, priority="Critical")
    assert response.status_code == 200
    assert refreshed(ticket).priority == TicketPriority.NORMAL


def test_issue_type_list_shows_and_edits_the_default_priority(admin_client):
    issue_type = IssueTypeFactory(name="Network Outage")
    data = form_data(admin_client.get(ISSUE_TYPES), "changelist-form")
    assert data["form-0-default_priority"] == TicketPriority.NORMAL
    data["form-0-default_priority"] = "Urgent"
    assert admin_client.post(ISSUE_TYPES, {**data, "_save": "Save"}).status_code == 302
    assert IssueType.objects.get(pk=issue_type.pk).default_priority == TicketPriority.URGENT


def test_issue_type_page_edits_the_default_priority(admin_client):
    issue_type = IssueTypeFactory(name="Network Outage")
    url = f"{ISSUE_TYPES}{issue_type.pk}/change/"
    data = form_data(admin_client.get(url), "issuetype_form")
    data["default_priority"] = "High"
    assert admin_client.post(url, {**data, "_save": "Save"}).status_code == 302
    assert IssueType.objects.get(pk=issue_type.pk).default_priority == TicketPriority.HIGH
