"""Register a webhook endpoint from the shell: its id, then its signing secret alone on the last
line, so a script can take it with `tail -n 1`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from webhooks import services


def event_type_list(value: str) -> list[str]:
    """`--events A,B` as a list; blank entries dropped, so `--events ""` means every type."""
    return [name.strip() for name in value.split(",") if name.strip()]


class Command(BaseCommand):
    help = (
        "Register a webhook endpoint: add_webhook_endpoint --url URL [--events TYPE,TYPE] "
        "[--description TEXT]. Prints the endpoint's id, then its signing secret alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="https:// (http:// only in development).")
        parser.add_argument(
            "--events",
            type=event_type_list,
            default=[],
            help="Comma-separated event types to send; all of them when left out. "
            f"One of: {', '.join(services.SUBSCRIBABLE_EVENT_TYPES)}.",
        )
        parser.add_argument("--description", default="", help="For operators: whose it is, what for.")

    def handle(self, *args, url, events, description, **options):
        try:
            endpoint = services.endpoint_create(url=url, event_types=events, description=description)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Webhook endpoint {endpoint.pk} added: {endpoint.url} "
            f"(events: {', '.join(endpoint.event_types) or 'all'})."
        )
        self.stdout.write("Its signing secret, for the receiving team (superusers also see it in the admin):")
        self.stdout.write(endpoint.secret)
