from django.core.management.base import BaseCommand

from attachments.lifecycle import ORPHAN_MIN_AGE, purge_orphans


class Command(BaseCommand):
    help = (
        "Delete stored attachment files that no attachment refers to (an upload whose transaction "
        f"failed), once they are older than {ORPHAN_MIN_AGE}."
    )

    def handle(self, *args, **options):
        purged = purge_orphans()
        self.stdout.write(f"Purged {len(purged)} orphan attachment file(s).")
