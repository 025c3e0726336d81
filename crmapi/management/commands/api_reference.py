"""Fill the generated tables of the API reference from the service's own declarations."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crmapi.reference import fill, skeleton


class Command(BaseCommand):
    help = (
        "Write the API reference's generated tables (endpoints, headers, bodies, query parameters, "
        "messages) between their markers in the given page; the prose around them is left as it "
        "is. A page that does not exist yet is created with a title and the markers only. Without "
        "--write, prints the filled page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="PATH", help="the page to fill in place, e.g. docs/api.md")

    def handle(self, *args, **options):
        path = Path(options["write"]) if options["write"] else None
        text = path.read_text() if path and path.exists() else skeleton()
        try:
            filled = fill(text)
        except ValueError as error:
            raise CommandError(f"{path or 'the page'}: {error}") from None
        if path is None:
            self.stdout.write(filled, ending="")
        elif filled != text or not path.exists():
            path.write_text(filled)
            self.stdout.write(f"Wrote {path}.")
        else:
            self.stdout.write(f"{path} is current.")
