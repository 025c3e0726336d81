from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    """Files attached to a ticket's conversation (CONTRACT §13): the rows, the stored bytes and
    their lifecycle."""

    name = "attachments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attachments import lifecycle

        lifecycle.connect()
