"""Top-level routes: the API under /crm/v1/, its description under /api/, the support desk under /admin/,
and at / a page that says where these are."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from crmapi.openapi.views import RedocView, SchemaView, SwaggerView
from crmapi.views import unknown_api_path
from desk.dashboard import dashboard_csv

urlpatterns = [
    # Where the desk's "View site" link leads: links to the docs, the desk and the probes.
    path("", TemplateView.as_view(template_name="crmtickets/landing.html"), name="landing"),
    path("crm/v1/", include("crmapi.urls")),
    # Any other path under /crm/ is a 404 in the envelope, decided before headers (CONTRACT §1).
    re_path(r"^crm(?:/|$)", unknown_api_path),
    # The desk's dashboard numbers as CSV (its page is the admin index).
    path("admin/dashboard.csv", dashboard_csv, name="desk_dashboard_csv"),
    path("admin/", admin.site.urls),
    # The OpenAPI description and its browsable docs, served from local static files only.
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]
