"""Top-level routes: the API under /crm/v1/, the support desk under /admin/."""

from django.contrib import admin
from django.urls import include, path, re_path

from tickets.views import unknown_api_path

urlpatterns = [
    path("crm/v1/", include("tickets.urls")),
    # Any other path under /crm/ is a 404 in the envelope, decided before headers (CONTRACT §1).
    re_path(r"^crm/", unknown_api_path),
    path("admin/", admin.site.urls),
]
