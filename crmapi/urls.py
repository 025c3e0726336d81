"""The /crm/v1/ paths, each with or without a trailing slash (CONTRACT §1, §10)."""

from django.urls import re_path

from crmapi import views

ticket = views.TicketViewSet.as_view


def _path(route: str, view, name: str):
    return re_path(rf"^{route}/?$", view, name=name)


urlpatterns = [
    _path("ticket/details", ticket({"get": "details"}), "ticket-details"),
    _path("ticket/issues", views.IssueTypeViewSet.as_view({"get": "list"}), "issue-types"),
    _path("social/ticket", views.SocialTicketViewSet.as_view({"post": "create"}), "social-ticket"),
    _path("ticket/comment", ticket({"post": "comment"}), "ticket-comment"),
    _path("ticket/comments", ticket({"get": "comments"}), "ticket-comments"),
    _path("ticket", ticket({"get": "record", "post": "create"}), "ticket"),
]
