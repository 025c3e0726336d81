"""`manage.py sla_recompute`: every open ticket's SLA clock recomputed from its history with
the policies and calendars as they are now. Run once after deploying the sla app (tickets from
before it get their clocks); the worker runs the same after a supervisor's change."""

from django.core.management.base import BaseCommand

from sla.clocks import recompute_open


class Command(BaseCommand):
    help = "Recompute the SLA clocks of every ticket that is not closed."

    def handle(self, *args, **options) -> None:
        count = recompute_open()
        self.stdout.write(f"Recomputed the SLA clocks of {count} open tickets.")
