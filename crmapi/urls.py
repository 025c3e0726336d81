"""The /crm/v1/ paths, each with or without a trailing slash (CONTRACT §1, §10), routed from the
endpoints the view sets declare (crmapi/endpoints.py)."""

from typing import Any

from django.urls import re_path

from crmapi import views
from crmapi.endpoints import ENDPOINTS

VIEW_SETS = (views.TicketViewSet, views.IssueTypeViewSet, views.SocialTicketViewSet)


def _routes():
    """One route per path; endpoints sharing a path (E5, E7) share it, one action per method."""
    view_set_of = {endpoint: view_set for view_set in VIEW_SETS for endpoint in view_set.endpoints}
    routes: dict[str, tuple[type[views.CrmViewSet], str, dict[str, Any]]] = {}
    for endpoint in ENDPOINTS.values():
        view_set, _, actions = routes.setdefault(
            endpoint.url_name, (view_set_of[endpoint], endpoint.route, {})
        )
        if view_set is not view_set_of[endpoint]:
            raise ValueError(f"{endpoint.url_name}: one path, one view set")
        actions[endpoint.method] = endpoint.action
    return [
        re_path(rf"^{route}/?$", view_set.as_view(actions), name=url_name)
        for url_name, (view_set, route, actions) in routes.items()
    ]


urlpatterns = _routes()
