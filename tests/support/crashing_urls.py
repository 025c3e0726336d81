"""A test-only URLconf: the project's routes plus two views under /crm/ that fail unexpectedly,
one inside DRF and one plain Django view, to prove no traceback ever reaches a client (§8)."""

from django.urls import path
from rest_framework.views import APIView

from crmtickets.urls import urlpatterns as project_urlpatterns

SECRET_DETAIL = "password=hunter2 in a stack frame"


class CrashingApiView(APIView):
    def get(self, request):
        raise RuntimeError(SECRET_DETAIL)


def crashing_django_view(request):
    raise ZeroDivisionError(SECRET_DETAIL)


urlpatterns = [
    path("crm/v1/test/crash-drf", CrashingApiView.as_view()),
    path("crm/v1/test/crash-django", crashing_django_view),
    *project_urlpatterns,
]
