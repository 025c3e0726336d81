from django.apps import AppConfig


class SlaConfig(AppConfig):
    """Service level targets (first reply, next reply, resolution per priority) counted in a
    calendar's business hours, and each ticket's clock."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sla"
    verbose_name = "Service levels"

    def ready(self) -> None:
        from sla import policies, receivers

        receivers.connect()
        policies.connect()
