"""The webhook endpoints, one a line, for operators at a shell; never their secrets."""

from django.core.management.base import BaseCommand

from webhooks.models import WebhookEndpoint


def endpoint_line(endpoint: WebhookEndpoint) -> str:
    """`id  state  event types  URL  description`, tab-separated; a disabled endpoint's state
    says why."""
    state = "enabled" if endpoint.enabled else f"disabled ({endpoint.disabled_reason})"
    events = ",".join(endpoint.event_types) or "all"
    return "\t".join([str(endpoint.pk), state, events, endpoint.url, endpoint.description])


class Command(BaseCommand):
    help = "List the webhook endpoints: id, state, event types, URL and description, tab-separated."

    def handle(self, *args, **options):
        endpoints = WebhookEndpoint.objects.order_by("pk")
        if not endpoints:
            self.stdout.write("No webhook endpoints. Add one with add_webhook_endpoint --url URL.")
        for endpoint in endpoints:
            self.stdout.write(endpoint_line(endpoint))
