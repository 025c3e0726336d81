from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the table `tickets.0002` created (state only: no data moves)."""

    initial = True

    dependencies = [
        ("tickets", "0004_move_idempotency_record_to_crmapi"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scope", models.CharField(max_length=32)),
                        ("caller", models.CharField(blank=True, max_length=32)),
                        ("key", models.CharField(max_length=255)),
                        ("request_fingerprint", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("response_body", models.BinaryField(blank=True, default=b"")),
                        ("created_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "tickets_idempotencyrecord",
                        "indexes": [models.Index(fields=["created_at"], name="idempotency_created")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope", "caller", "key"), name="idempotency_key_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
