"""Calendars and policies in the admin: supervisors edit them, agents only read them, and bad
input is a form error, never an error page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from sla.models import BusinessCalendar, SlaPolicy
from tests.factories import UserFactory
from tickets.models import TicketPriority
from tickets.services import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    user = UserFactory(username="sam", is_staff=True)
    user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    client.force_login(user)
    return client


def calendar_form(**changes) -> dict:
    """The calendar page's POST: one Monday interval, no holiday."""
    data = {
        "name": "Support desk",
        "time_zone": "Europe/Berlin",
        "opening_hours-TOTAL_FORMS": "1",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-0-weekday": "0",
        "opening_hours-0-start": "08:00",
        "opening_hours-0-end": "18:00",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def add_calendar(client, **changes):
    return client.post(reverse("admin:sla_businesscalendar_add"), calendar_form(**changes))


def normal_policy() -> SlaPolicy:
    return SlaPolicy.objects.get(priority=TicketPriority.NORMAL)


def policy_form(policy: SlaPolicy, **changes) -> dict:
    data = {
        "priority": policy.priority,
        "calendar": str(policy.calendar_id),
        "first_reply_minutes": "30",
        "next_reply_minutes": "60",
        "resolution_minutes": "600",
    }
    return {**data, **changes}


def test_a_supervisor_adds_a_calendar(supervisor_client):
    response = add_calendar(supervisor_client)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Support desk")
    assert calendar.opening_hours.count() == 1


def test_a_supervisor_changes_a_policy(supervisor_client):
    policy = normal_policy()
    response = supervisor_client.post(
        reverse("admin:sla_slapolicy_change", args=[policy.pk]), policy_form(policy)
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.first_reply_minutes == 30


def test_an_agent_sees_the_policies_but_cannot_change_them(agent_client):
    policy = normal_policy()
    assert agent_client.get(reverse("admin:sla_slapolicy_changelist")).status_code == 200
    response = agent_client.post(reverse("admin:sla_slapolicy_change", args=[policy.pk]), policy_form(policy))
    assert response.status_code == 403
    assert normal_policy().first_reply_minutes == 240


def test_an_agent_cannot_add_a_calendar(agent_client):
    assert add_calendar(agent_client).status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opening_hours-0-end": "07:00"}, "An interval must end after it starts"),
        ({"time_zone": "Mars/Olympus"}, "is not a time zone"),
        (
            {
                "opening_hours-TOTAL_FORMS": "2",
                "opening_hours-1-weekday": "0",
                "opening_hours-1-start": "17:00",
                "opening_hours-1-end": "20:00",
            },
            "The hours of Monday overlap.",
        ),
        ({"opening_hours-0-start": "25:00"}, "Enter a valid time."),
    ],
)
def test_a_bad_calendar_is_a_form_error(supervisor_client, changes, message):
    response = add_calendar(supervisor_client, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Support desk").exists()


def test_midnight_as_the_end_means_the_end_of_the_day(supervisor_client):
    assert (
        add_calendar(
            supervisor_client, **{"opening_hours-0-start": "00:00", "opening_hours-0-end": "00:00"}
        ).status_code
        == 302
    )


@pytest.mark.parametrize("minutes", ["0", "-5", "many"])
def test_a_target_below_one_minute_is_a_form_error(supervisor_client, minutes):
    policy = normal_policy()
    response = supervisor_client.post(
        reverse("admin:sla_slapolicy_change", args=[policy.pk]),
        policy_form(policy, first_reply_minutes=minutes),
    )
    assert response.status_code == 200
    assert normal_policy().first_reply_minutes == 240


def test_a_calendar_in_use_is_not_deleted(supervisor_client):
    calendar = normal_policy().calendar
    response = supervisor_client.post(
        reverse("admin:sla_businesscalendar_delete", args=[calendar.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()
