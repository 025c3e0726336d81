from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Email to agents: the assignee when the customer writes or reopens, the team address for
    new tickets. Sent by the worker, never inside a request."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import receivers

        receivers.connect()
