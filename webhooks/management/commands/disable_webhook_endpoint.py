"""Stop sending to a webhook endpoint from the shell; it is enabled again in the admin."""

from django.core.management.base import BaseCommand, CommandError

from webhooks import services
from webhooks.models import WebhookEndpoint

NO_SUCH_ENDPOINT = "No webhook endpoint has the id {id}: see list_webhook_endpoints."
DISABLED_BY_COMMAND = "Disabled with manage.py disable_webhook_endpoint."
ALREADY_DISABLED = "Webhook endpoint {id} is already disabled ({reason}); nothing changed."


class Command(BaseCommand):
    help = (
        "Disable a webhook endpoint and cancel its pending deliveries: disable_webhook_endpoint ID "
        "[--reason TEXT]. Enable it again in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("endpoint_id", metavar="ID", type=int)
        parser.add_argument("--reason", default="", help="Shown in the admin and the list.")

    def handle(self, *args, endpoint_id, reason, **options):
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
        if endpoint is None:
            raise CommandError(NO_SUCH_ENDPOINT.format(id=endpoint_id))
        if not endpoint.enabled:
            self.stdout.write(ALREADY_DISABLED.format(id=endpoint_id, reason=endpoint.disabled_reason))
            return
        cancelled = services.endpoint_disable(endpoint=endpoint, reason=reason or DISABLED_BY_COMMAND)
        self.stdout.write(
            f"Webhook endpoint {endpoint_id} disabled; {cancelled} pending deliveries cancelled."
        )
