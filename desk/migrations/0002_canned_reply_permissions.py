"""Who may do what with canned replies: the `Supervisor` group manages them (add, change, delete,
view), the `Support agent` group may look at them; both use the active ones in the reply box,
which needs no permission of its own beyond replying.

Permissions are normally created by the post_migrate signal, after every migration has run, so
this migration creates the desk app's permissions itself first. The names are written out here
rather than imported: a migration is history and must keep doing what it did.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Supervisor": ["add_cannedreply", "change_cannedreply", "delete_cannedreply", "view_cannedreply"],
    "Support agent": ["view_cannedreply"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("desk")
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="desk", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="desk"))


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_canned_reply"),
        ("tickets", "0011_sla_breached_supervisor_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
