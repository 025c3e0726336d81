from django.urls import path

from bench.minimal import views

urlpatterns = [
    path("crm/v1/ticket/details", views.ticket_details),
    path("crm/v1/ticket/issues", views.issue_types),
    path("crm/v1/ticket", views.ticket_create),
    path("crm/v1/social/ticket", views.social_ticket_create),
]
