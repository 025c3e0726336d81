"""How a service's refusal reaches the agent: an error message on the page, the change rolled
back whole, never a 500."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction


class ServiceRefused(Exception):
    """A service refused a desk change (its ValidationError or PermissionDenied): shown to the
    agent as an error message, the change rolled back whole. The admin's own PermissionDenied
    (no permission for the page) is not one of these and stays Django's 403."""


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """The refusal's own sentences, joined by a space, as the API's envelope says them."""
    sentences = exc.messages if isinstance(exc, ValidationError) else [str(arg) for arg in exc.args]
    return " ".join(s.strip() for s in sentences if s.strip()) or "This change is not allowed."


@contextmanager
def service_refusals() -> Iterator[None]:
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        raise ServiceRefused(refusal_text(exc)) from exc


def bulk_change(modeladmin, request, change: Callable[[], int]) -> int | None:
    """How many tickets a bulk service changed, or None when it refused: then the agent is told
    why, and nothing changed (the action is one transaction, as the change page is)."""
    try:
        with service_refusals(), transaction.atomic():
            return change()
    except ServiceRefused as refusal:
        modeladmin.message_user(request, str(refusal), messages.ERROR)
        return None
