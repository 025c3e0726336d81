"""The queue's filters beyond the admin's own."""

import re

from django.contrib import admin
from django.utils import timezone

from desk.forms import active_staff, staff_label
from sla.selectors import tickets_breached, tickets_due_soon, warning
from tickets.models import RATING_MAX, RATING_MIN
from tickets.workflow import WaitingOn

# A staff user's primary key as the filter's links write it; anything else (`²` is a digit to
# `str.isdigit()` but not to `int()`) filters nothing.
_USER_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"
    MINE = "mine"
    UNASSIGNED = "unassigned"

    def lookups(self, request, model_admin):
        people = [(str(user.pk), staff_label(user)) for user in active_staff()]
        return [(self.MINE, "Assigned to me"), (self.UNASSIGNED, "Unassigned"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.MINE:
            return queryset.filter(assigned_to=request.user)
        if value == self.UNASSIGNED:
            return queryset.filter(assigned_to__isnull=True)
        if value and _USER_ID.fullmatch(value):
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class CategoryFilter(admin.AllValuesFieldListFilter):
    """The customer's category (`ticketcategories`, what E1 shows), under a short title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "category"


class WaitingFilter(admin.SimpleListFilter):
    """Whose turn it is: "waiting on us" lists the tickets an agent owes an answer."""

    title = "waiting on"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [(WaitingOn.AGENT, "Us"), (WaitingOn.CUSTOMER, "The customer")]

    def queryset(self, request, queryset):
        if self.value() in (WaitingOn.AGENT, WaitingOn.CUSTOMER):
            return queryset.filter(waiting_on=self.value())
        return queryset


class SlaFilter(admin.SimpleListFilter):
    """Tickets past a running target's due time, or due within the warning window (the rows the
    queue highlights)."""

    title = "SLA"
    parameter_name = "sla"
    BREACHED, DUE_SOON = "breached", "soon"

    def lookups(self, request, model_admin):
        minutes = int(warning().total_seconds() // 60)
        within = f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
        return [(self.BREACHED, "Breached"), (self.DUE_SOON, f"Due within {within}")]

    def queryset(self, request, queryset):
        if self.value() == self.BREACHED:
            return tickets_breached(queryset, timezone.now())
        if self.value() == self.DUE_SOON:
            return tickets_due_soon(queryset, timezone.now())
        return queryset


class RatingFilter(admin.SimpleListFilter):
    """The customer's rating (E12): each mark, best first, or not rated."""

    title = "customer rating"
    parameter_name = "rating"
    NOT_RATED = "none"

    def lookups(self, request, model_admin):
        marks = [(str(mark), f"{mark} of {RATING_MAX}") for mark in range(RATING_MAX, RATING_MIN - 1, -1)]
        return [*marks, (self.NOT_RATED, "Not rated")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NOT_RATED:
            return queryset.filter(rating__isnull=True)
        if value in {str(mark) for mark in range(RATING_MIN, RATING_MAX + 1)}:
            return queryset.filter(rating__rating=int(value))
        return queryset
