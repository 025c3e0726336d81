"""The Supervisor group (migration 0011): the agent's ticket permissions, so one group suffices."""

import pytest
from django.contrib.auth.models import Group

from tickets.services import SUPERVISOR_GROUP, SUPPORT_AGENT_GROUP

pytestmark = pytest.mark.django_db


def ticket_permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.filter(content_type__app_label="tickets").values_list("codename", flat=True))


def test_the_supervisor_group_holds_the_agents_ticket_permissions():
    assert ticket_permissions(SUPERVISOR_GROUP) == ticket_permissions(SUPPORT_AGENT_GROUP)
