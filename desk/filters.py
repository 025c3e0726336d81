"""The queue's filters beyond the admin's own."""

import re

from django.contrib import admin

from desk.forms import active_staff, staff_label

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
