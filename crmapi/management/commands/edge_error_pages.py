"""Write the reverse proxy's static error envelopes (crmapi/edge_errors.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from crmapi.edge_errors import ERROR_PAGES_DIR, error_pages


class Command(BaseCommand):
    help = (
        "Write one JSON error envelope per status that nginx answers itself (deploy/nginx/edge.conf) "
        "into the given directory, by default deploy/nginx/errors/; files of other statuses there "
        "are removed. Run it after changing a limit or a message of the edge."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(ERROR_PAGES_DIR))

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        pages = error_pages()
        for stale in sorted(set(path.name for path in directory.glob("*.json")) - set(pages)):
            (directory / stale).unlink()
        for name, body in pages.items():
            (directory / name).write_bytes(body)
        self.stdout.write(f"Wrote {len(pages)} error pages to {directory}.")
