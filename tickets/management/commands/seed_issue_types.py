"""Create the issue-type catalogue (E2). Idempotent: a second run changes nothing.

Each new type gets the default priority its tickets start with (CONTRACT §15), by how badly the
customer is stuck while waiting:

- Urgent: Number Porting (a failed port leaves the customer without a working number).
- High: Billing Dispute, Payment and Recharge, Network Coverage, Mobile Data, Calls and SMS,
  Roaming, SIM and eSIM, Complaint (money taken, or no service now).
- Normal: Plan Change, Billing Enquiry, Device Support, and any name not in the default
  catalogue (from `--file`).
- Low: General Enquiry, Plan Enquiry, Value Added Services (questions, nothing broken).

Existing types keep their settings, the priority included: an operator's change survives a re-run.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tickets.models import IssueType, TicketPriority

DEFAULT_ISSUE_TYPES = [
    "General Enquiry",
    "Plan Enquiry",
    "Plan Change",
    "Billing Enquiry",
    "Billing Dispute",
    "Payment and Recharge",
    "Network Coverage",
    "Mobile Data",
    "Calls and SMS",
    "Roaming",
    "SIM and eSIM",
    "Number Porting",
    "Device Support",
    "Value Added Services",
    "Complaint",
]

_LOW, _HIGH, _URGENT = TicketPriority.LOW, TicketPriority.HIGH, TicketPriority.URGENT
# The default catalogue's priorities (see the module docstring); every other name is Normal.
DEFAULT_PRIORITIES = {
    "General Enquiry": _LOW,
    "Plan Enquiry": _LOW,
    "Billing Dispute": _HIGH,
    "Payment and Recharge": _HIGH,
    "Network Coverage": _HIGH,
    "Mobile Data": _HIGH,
    "Calls and SMS": _HIGH,
    "Roaming": _HIGH,
    "SIM and eSIM": _HIGH,
    "Number Porting": _URGENT,
    "Value Added Services": _LOW,
    "Complaint": _HIGH,
}


def read_names(path: Path) -> list[str]:
    """Names from a JSON list of strings, or from a text file with one name per line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            names = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON ({exc}).") from None
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise CommandError(f"{path}: expected a JSON list of strings.")
    else:
        names = [line for line in text.splitlines() if not line.strip().startswith("#")]
    names = [name.strip() for name in names if name.strip()]
    for name in names:
        if len(name) > 255:
            raise CommandError(f"Issue type name longer than 255 characters: {name[:40]}...")
    return list(dict.fromkeys(names))


class Command(BaseCommand):
    help = (
        "Create the default issue types (or those of --file), in order. Existing types keep "
        "their settings; --deactivate-missing deactivates types not in the list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="A .json list of names or a text file, one per line.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate active issue types that are not in the list.",
        )

    @transaction.atomic
    def handle(self, *args, file, deactivate_missing, **options):
        if file is not None and not file.is_file():
            raise CommandError(f"No such file: {file}")
        names = read_names(file) if file is not None else DEFAULT_ISSUE_TYPES
        if not names:
            raise CommandError("The list of issue types is empty.")
        existing = set(IssueType.objects.filter(name__in=names).values_list("name", flat=True))
        new = [
            IssueType(
                name=name,
                sort_order=(index + 1) * 10,
                default_priority=DEFAULT_PRIORITIES.get(name, TicketPriority.NORMAL),
            )
            for index, name in enumerate(names)
            if name not in existing
        ]
        IssueType.objects.bulk_create(new)
        deactivated = 0
        if deactivate_missing:
            deactivated = (
                IssueType.objects.filter(is_active=True).exclude(name__in=names).update(is_active=False)
            )
        self.stdout.write(
            f"Issue types: {len(new)} created, {len(names) - len(new)} already present, "
            f"{deactivated} deactivated."
        )
