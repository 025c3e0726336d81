from django.db import migrations


class Migration(migrations.Migration):
    """The idempotency store belongs to the HTTP contract (app `crmapi`): the model leaves this
    app's state; its table stays, and `crmapi.0001` takes it over under the same name."""

    dependencies = [
        ("tickets", "0003_support_agent_group"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
