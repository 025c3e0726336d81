"""Wherever the support desk offers staff to choose from (the assignee filter of the queue, the
assignee select of the ticket page), each person is named with the username, so two people of
one name are two distinct choices."""

import pytest

from tests.factories import UserFactory
from tests.support.desk import CHANGELIST, change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesake(support_agent):
    """A second active staff user named Dana Reyes, beside the `dana` the agent logs in as."""
    return UserFactory(username="dana.r", first_name="Dana", last_name="Reyes")


def assignee_select_labels(client, ticket) -> list[str]:
    field = client.get(change_url(ticket)).context["adminform"].form.fields["assigned_to"]
    return [str(label) for value, label in field.choices if value != ""]


def assignee_filter_labels(client) -> list[str]:
    changelist = client.get(CHANGELIST).context["cl"]
    [assignee] = [spec for spec in changelist.filter_specs if spec.title == "assignee"]
    return [choice["display"] for choice in assignee.choices(changelist)]


def test_assignee_select_tells_namesakes_apart_by_username(agent_client, namesake, ticket):
    assert assignee_select_labels(agent_client, ticket) == ["Dana Reyes (dana)", "Dana Reyes (dana.r)"]


def test_assignee_filter_tells_namesakes_apart_by_username(agent_client, namesake):
    labels = assignee_filter_labels(agent_client)
    assert labels[-2:] == ["Dana Reyes (dana)", "Dana Reyes (dana.r)"]


def test_staff_without_a_full_name_is_offered_by_username_alone(agent_client, ticket):
    UserFactory(username="nightshift", first_name="", last_name="")
    assert "nightshift" in assignee_select_labels(agent_client, ticket)
    assert "nightshift" in assignee_filter_labels(agent_client)
