from django.apps import AppConfig


class CrmApiConfig(AppConfig):
    """The /crm/v1/ contract: HTTP in and out of the ticket domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "crmapi"
    verbose_name = "CRM API"

    def ready(self):
        from crmapi import channels  # noqa: F401  (registers its deploy check)
