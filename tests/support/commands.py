"""Management commands run as an operator runs them."""

import io

from django.core.management import call_command


def run_command(name: str, *args: str) -> str:
    """What management command `name` writes to stdout."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()
