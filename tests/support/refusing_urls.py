"""A test-only URLconf: the project's routes plus views under /crm/ that refuse the way a domain
service does (Django's ValidationError and PermissionDenied), inside DRF and in a plain Django
view, to prove a refusal is the 400/403 envelope and never a 500."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from rest_framework.views import APIView

from crmtickets.urls import urlpatterns as project_urlpatterns

ONE_MESSAGE = "Replies are closed on this ticket."
TWO_MESSAGES = ["The ticket is closed.", "Reopen it first."]
FIELD_MESSAGES = {"title": ["The title is too long."], "description": ["The description is blank."]}
FORBIDDEN_MESSAGE = "Only the assignee may close this ticket."

REFUSALS = {
    "validation-one": lambda: ValidationError(ONE_MESSAGE),
    "validation-list": lambda: ValidationError(TWO_MESSAGES),
    "validation-fields": lambda: ValidationError(FIELD_MESSAGES),
    "validation-params": lambda: ValidationError("Ticket %(number)s is closed.", params={"number": "TT1001"}),
    "permission": lambda: PermissionDenied(FORBIDDEN_MESSAGE),
    "permission-bare": lambda: PermissionDenied(),
}


class RefusingApiView(APIView):
    def post(self, request, refusal):
        raise REFUSALS[refusal]()


def refusing_django_view(request, refusal):
    raise REFUSALS[refusal]()


urlpatterns = [
    path("crm/v1/test/refuse-drf/<slug:refusal>", RefusingApiView.as_view()),
    path("crm/v1/test/refuse-django/<slug:refusal>", refusing_django_view),
    *project_urlpatterns,
]
