"""The `Support agent` group and exactly the permissions an agent needs.

Change and view tickets, add and view comments, view issue types. Not: add or delete tickets,
change or delete comments (the conversation is a record), edit the catalogue, manage users.

Permissions are normally created by the post_migrate signal, after every migration has run, so
this migration creates the tickets app's permissions itself first. The names are written out here
rather than imported: a migration is history and must keep doing what it did.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support agent"
PERMISSIONS = ["change_ticket", "view_ticket", "add_comment", "view_comment", "view_issuetype"]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("tickets")
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="tickets", codename__in=PERMISSIONS)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_idempotency_record"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
