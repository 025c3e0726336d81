"""Service levels in the admin: business calendars (opening hours and holidays inline) and the
policy of each priority. Who: Django's model permissions; the `Supervisor` group may edit them
(sla migration 0002), the `Support agent` group only view them.

Every input is checked by the forms (an interval that ends before it starts, overlapping
intervals of a day, an unknown time zone, a target below one minute): an error on the form,
never an error page. A saved change is applied to open tickets by a recompute on the worker
(sla/policies.py says when).
"""

import itertools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from sla.models import INTERVALS_OVERLAP, BusinessCalendar, Holiday, OpeningHours, SlaPolicy, Weekday

RECOMPUTE_NOTICE = (
    "Open tickets' due times follow this change within {seconds:g} seconds (the worker recomputes them)."
)


class OpeningHoursFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        intervals: dict[int, list[tuple[int, int]]] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            hours = form.instance
            if hours.weekday is None or hours.start is None or hours.end is None:
                continue
            intervals.setdefault(hours.weekday, []).append((hours.start_minute, hours.end_minute))
        for weekday, spans in sorted(intervals.items()):
            spans.sort()
            if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans)):
                raise ValidationError(INTERVALS_OVERLAP.format(day=Weekday(weekday).label))


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


class RecomputeNotice:
    """After a save, the agent learns when open tickets follow it."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        messages.info(request, RECOMPUTE_NOTICE.format(seconds=settings.CRM_SLA_SETTINGS_TTL))


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputeNotice, admin.ModelAdmin):
    list_display = ("name", "time_zone")
    inlines = (OpeningHoursInline, HolidayInline)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputeNotice, admin.ModelAdmin):
    list_display = ("priority", "calendar", "first_reply_minutes", "next_reply_minutes", "resolution_minutes")
    list_select_related = ("calendar",)
