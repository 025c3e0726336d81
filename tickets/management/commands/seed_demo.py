"""Fill a development database with a realistic demo so `make run` shows a working support desk.

A few contacts (649797, the document's, among them), tickets in every status from the app, the
portal and social channels, conversations from both sides and one internal note. Everything is
written through the services, so numbers, history and update logs are as real ones would be.
Idempotent: a demo ticket that exists (same contact and title) is left alone.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tickets import services
from tickets.models import Ticket, TicketStatus

# Tickets from these came in through E3 (from_portal "0"); the others through E5.
SOCIAL_CHANNELS = {"facebook", "twitter"}
# Not the README's example agent (Dana Reyes): a newcomer who makes that one sees two people.
DEMO_AGENT = {"username": "demo.agent", "first_name": "Robin", "last_name": "Keller"}

# Each step of a conversation: (who, text); who is "customer", "agent" or "note" (internal).
DEMO_TICKETS: list[dict[str, Any]] = [
    {
        "contact_number": 649797,
        "source": "app",
        "title": "Mobile data not working after plan change",
        "description": "Since I moved to the 20 GB plan yesterday my phone shows 4G but nothing loads.",
        "ticket_categories": "Mobile Data",
        "final_status": TicketStatus.OPEN,
        "assigned": False,
        "conversation": [("customer", "I already restarted the phone twice, still no data.")],
    },
    {
        "contact_number": 649797,
        "source": "app",
        "title": "Charged twice for the September recharge",
        "description": "My card was charged 20.00 two times for one recharge on 11-09-2021.",
        "ticket_categories": "Billing Dispute",
        "final_status": TicketStatus.IN_PROGRESS,
        "assigned": True,
        "conversation": [
            ("customer", "The bank statement shows two payments of 20.00 at 10:42."),
            ("agent", "Thank you, we can see both payments. We have asked for a refund of the second one."),
            ("note", "Gateway shows two captures for one order; refund RF-2231 raised with finance."),
        ],
    },
    {
        "contact_number": 649797,
        "source": "portal",
        "title": "Roaming for a trip to Spain",
        "description": "Please activate roaming on my number, I travel next week.",
        "ticket_categories": "Roaming",
        "final_status": TicketStatus.WAIT_FOR_RESPONSE,
        "assigned": True,
        "conversation": [
            ("agent", "Happy to help. Which dates will you be in Spain, and do you need data abroad?"),
        ],
    },
    {
        "contact_number": 24218,
        "source": "app",
        "title": "Port my number from another operator",
        "description": "I want to keep my number when I move to your network.",
        "ticket_categories": "Number Porting",
        "final_status": TicketStatus.CLOSED,
        "assigned": True,
        "conversation": [
            ("agent", "Your number has been ported and is active on our network."),
            ("customer", "Thanks, calls and data work fine."),
        ],
    },
    {
        "contact_number": 24218,
        "source": "facebook",
        "title": "Slow internet downtown",
        "description": "Every evening the internet is very slow around the central station.",
        "ticket_categories": "Network Coverage",
        "final_status": TicketStatus.OPEN,
        "assigned": False,
        "conversation": [],
    },
    {
        "contact_number": 815530,
        "source": "portal",
        "title": "Bill shows a roaming charge I did not make",
        "description": "My October bill has a 12.50 roaming charge but I never left the country.",
        "ticket_categories": "Billing Enquiry",
        "final_status": TicketStatus.OPEN,
        "assigned": False,
        "conversation": [("customer", "The charge is dated 3 October, I was at home all day.")],
    },
    {
        "contact_number": None,
        "source": "twitter",
        "title": "Does the new plan support eSIM?",
        "description": "Asked on Twitter: can I use the new plan with an eSIM on my watch?",
        "ticket_categories": "SIM and eSIM",
        "final_status": TicketStatus.OPEN,
        "assigned": False,
        "conversation": [],
    },
]


class Command(BaseCommand):
    help = (
        "Create demo contacts' tickets, conversations and the staff user demo.agent "
        "(unusable password: set one with `changepassword demo.agent`). Idempotent; development only."
    )

    def handle(self, *args, **options):
        if not settings.IS_DEVELOPMENT:
            raise CommandError(
                "seed_demo writes made-up customers: it only runs when CRM_ENV is development."
            )
        created = self._seed()
        self.stdout.write(f"Demo tickets: {created} created, {len(DEMO_TICKETS) - created} already present.")

    @transaction.atomic
    def _seed(self) -> int:
        agent = get_user_model().objects.filter(username=DEMO_AGENT["username"]).first()
        if agent is None:
            agent = services.agent_create(email="demo.agent@example.com", password=None, **DEMO_AGENT)
        created = 0
        for demo in DEMO_TICKETS:
            if Ticket.objects.filter(contact_number=demo["contact_number"], title=demo["title"]).exists():
                continue
            self._create(demo, agent)
            created += 1
        return created

    @staticmethod
    def _create(demo: dict, agent) -> None:
        ticket = services.ticket_create(
            contact_number=demo["contact_number"],
            from_portal=demo["source"] not in SOCIAL_CHANNELS,
            ticket_status=TicketStatus.OPEN,
            title=demo["title"],
            description=demo["description"],
            ticket_categories=demo["ticket_categories"],
            category=demo["ticket_categories"],
            subcategory="General",
            status="New",
            source=demo["source"],
        )
        if demo["assigned"]:
            ticket = services.ticket_update(ticket=ticket, by=agent, assignee=agent)
        for who, text in demo["conversation"]:
            if who == "customer":
                services.comment_create_by_contact(
                    ticket=ticket, contact_number=demo["contact_number"], text=text
                )
            else:
                services.comment_create_by_agent(
                    ticket=ticket, author=agent, text=text, is_internal=who == "note"
                )
        services.ticket_update(ticket=ticket, by=agent, ticket_status=demo["final_status"])
