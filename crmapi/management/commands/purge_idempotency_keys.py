"""Delete Idempotency-Key records older than 24 hours (CONTRACT §9)."""

from django.core.management.base import BaseCommand

from crmapi.idempotency import purge_expired


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records past their 24 hours. They are already ignored; this only "
        "keeps the table small. Safe to run at any time, e.g. hourly from cron."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} expired idempotency record(s).")
