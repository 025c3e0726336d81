from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Events to other systems (CONTRACT §12): endpoints, the outbox of events and deliveries,
    and the worker's attempts."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from webhooks import outbox

        outbox.connect()
