"""A default calendar and policies, and who may edit them.

The calendar: Monday to Friday 08:00 to 18:00 in the configured TIME_ZONE. The policies (first
reply / next reply / resolution, business hours): Urgent 1/2/8, High 2/4/16, Normal 4/8/40,
Low 8/16/80 (docs/decisions.md). The `Supervisor` group (tickets migration 0011) may add,
change, delete and view calendars and policies; the `Support agent` group may view them.
Names are written out rather than imported: a migration is history.
"""

import datetime

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

CALENDAR = "Business hours"
POLICIES = {"Urgent": (1, 2, 8), "High": (2, 4, 16), "Normal": (4, 8, 40), "Low": (8, 16, 80)}
SETTINGS_MODELS = ["businesscalendar", "openinghours", "holiday", "slapolicy"]


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendar, created = BusinessCalendar.objects.get_or_create(
        name=CALENDAR, defaults={"time_zone": settings.TIME_ZONE}
    )
    if created:
        for weekday in range(5):
            calendar.opening_hours.create(weekday=weekday, start=datetime.time(8), end=datetime.time(18))
    for priority, (first_reply, next_reply, resolution) in POLICIES.items():
        SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={
                "calendar": calendar,
                "first_reply_minutes": first_reply * 60,
                "next_reply_minutes": next_reply * 60,
                "resolution_minutes": resolution * 60,
            },
        )


def grant(apps, schema_editor):
    app_config = apps.get_app_config("sla")
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    sla = Permission.objects.filter(content_type__app_label="sla")
    supervisor, _ = Group.objects.get_or_create(name="Supervisor")
    supervisor.permissions.add(
        *sla.filter(
            codename__in=[
                f"{action}_{model}"
                for model in SETTINGS_MODELS
                for action in ("add", "change", "delete", "view")
            ]
        )
    )
    agent, _ = Group.objects.get_or_create(name="Support agent")
    agent.permissions.add(*sla.filter(codename__in=[f"view_{model}" for model in SETTINGS_MODELS]))


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("tickets", "0011_sla_breached_supervisor_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
