"""Create a starter set of canned replies on a desk that has none, so the reply box's picker has
something to offer (`make run` runs it). Idempotent: once any canned reply exists, whether
seeded or the supervisors' own, nothing is created, so a reply they deleted stays deleted.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from desk.models import CannedReply
from tickets.models import TicketStatus

STARTER_CANNED_REPLIES = [
    {
        "title": "Looking into it",
        "body": (
            "Hello, thank you for contacting us about {ticket_no} ({ticket_title}). We are looking "
            "into it and will write again as soon as we know more.\n\nKind regards,\n{agent_name}"
        ),
        "ticket_status": TicketStatus.IN_PROGRESS,
    },
    {
        "title": "Need more details",
        "body": (
            "Hello, to help with {ticket_no} we need a few more details: when did it start, and "
            "what do you see on your device? Reply here and we will continue straight away.\n\n"
            "Kind regards,\n{agent_first_name}"
        ),
        "ticket_status": TicketStatus.WAIT_FOR_RESPONSE,
    },
    {
        "title": "Solved, closing",
        "body": (
            "Hello, we have solved {ticket_no} and are closing it. If anything is still not right, "
            "just reply to this ticket and it opens again.\n\nKind regards,\n{agent_name}"
        ),
        "ticket_status": TicketStatus.CLOSED,
    },
]


class Command(BaseCommand):
    help = "Create the starter canned replies the reply box offers, on a desk that has no canned reply yet."

    @transaction.atomic
    def handle(self, *args, **options):
        if CannedReply.objects.exists():
            self.stdout.write("Canned replies: some exist already, none created.")
            return
        CannedReply.objects.bulk_create(
            CannedReply(sort_order=order * 10, **reply)
            for order, reply in enumerate(STARTER_CANNED_REPLIES, start=1)
        )
        self.stdout.write(f"Canned replies: {len(STARTER_CANNED_REPLIES)} created.")
