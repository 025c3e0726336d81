"""Create a support agent: a staff user in the `Support agent` group."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tickets import services

PASSWORD_ENV = "CRM_AGENT_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff user in the 'Support agent' group: "
        "create_agent USERNAME --email EMAIL [--first-name F --last-name L] [--password P]. "
        f"Without --password the password is read from ${PASSWORD_ENV}, else asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="", help="Shown to customers as the reply's author.")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password", help=f"Visible in the shell history; prefer ${PASSWORD_ENV} or the prompt."
        )

    def handle(self, *args, username, email, first_name, last_name, password, **options):
        if password is None:
            password = os.environ.get(PASSWORD_ENV) or self._ask_password()
        try:
            user = services.agent_create(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Support agent '{user.username}' created; they can log in at /admin/.")

    @staticmethod
    def _ask_password() -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"No password: pass --password, set ${PASSWORD_ENV}, or run it in a terminal.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
