"""The project's URLs, plus the hand-written reference views under /bench/reference/."""

from django.urls import path

from bench import reference
from crmtickets.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/reference/ticket/details", reference.ticket_details),
    path("bench/reference/ticket/issues", reference.issue_types),
    path("bench/reference/ticket", reference.ticket_create),
    path("bench/reference/social/ticket", reference.social_ticket_create),
    *project_urlpatterns,
]
