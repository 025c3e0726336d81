"""`{% desk_dashboard %}`: the dashboard of the desk's index page (desk/dashboard.py), for the
staff who may see it; nothing for anyone else."""

from django import template

from desk.dashboard import can_see_dashboard, current_numbers, dashboard

register = template.Library()


@register.inclusion_tag("desk/dashboard.html", takes_context=True)
def desk_dashboard(context) -> dict:
    if not can_see_dashboard(context["request"].user):
        return {"dashboard": None}
    return {"dashboard": dashboard(current_numbers())}
