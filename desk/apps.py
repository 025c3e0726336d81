from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The support desk: the Django admin where agents work the ticket queue."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = "Support desk"
