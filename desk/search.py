"""The queue's search box: the admin's search answered by the domain's `tickets.search`."""

from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import QuerySet

from tickets.search import search_tickets


def queue_search(request, queryset: QuerySet, search_term: str) -> QuerySet:
    """The queue's tickets the box's text finds, best match first (exact numbers, then relevance)
    unless the agent sorted by a column: then in the column's order, which the changelist has
    already put on `queryset`. A blank box is no search."""
    if not search_term.strip():
        return queryset
    found = search_tickets(queryset, search_term)
    return found.order_by(*queryset.query.order_by) if request.GET.get(ORDER_VAR) else found
