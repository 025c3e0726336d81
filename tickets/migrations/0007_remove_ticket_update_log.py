"""The update log is rendered from the events (0006 converted the text): the column goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0006_update_log_to_events"),
    ]

    operations = [
        migrations.RemoveField(model_name="ticket", name="update_log"),
    ]
