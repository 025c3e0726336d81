"""Business calendars, the SLA policy of each priority, and each ticket's clock.

A policy's targets are business minutes of its calendar. The clock row holds what the queue and
the breach check read without the history: the due time of each running target, the
resolution time already used, which breaches were recorded, and `next_due_at` (the earliest
running due, null while nothing runs). sla/clocks.py keeps it current in the transaction of
each ticket change.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from tickets.models import Ticket, TicketPriority

UNKNOWN_TIME_ZONE = "'{zone}' is not a time zone (use an IANA name such as Europe/Berlin)."
INTERVAL_BACKWARDS = "An interval must end after it starts (00:00 as the end means midnight)."
INTERVALS_OVERLAP = "The hours of {day} overlap."


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SlaTarget(models.TextChoices):
    """The three targets of a policy, as breach events and webhooks name them."""

    FIRST_REPLY = "first_reply", "First reply"
    NEXT_REPLY = "next_reply", "Next reply"
    RESOLUTION = "resolution", "Resolution"


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(UNKNOWN_TIME_ZONE.format(zone=value)) from None


class BusinessCalendar(models.Model):
    """When the desk works: a time zone, weekly opening hours and holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="An IANA time zone, e.g. Europe/Berlin."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One interval of a weekday's opening hours, in the calendar's time zone."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "opening hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M} to {self.end:%H:%M}"

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minutes after midnight; an end of 00:00 is the midnight after (1440)."""
        minute = self.end.hour * 60 + self.end.minute
        return minute or 24 * 60

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end_minute <= self.start_minute:
            raise ValidationError({"end": INTERVAL_BACKWARDS})


class Holiday(models.Model):
    """A local date on which the calendar has no hours."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_once_per_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


def positive_minutes(field: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text=f"{field}, in business minutes."
    )


class SlaPolicy(models.Model):
    """The targets of one priority, in business minutes of a calendar."""

    priority = models.CharField(max_length=16, choices=TicketPriority.choices, unique=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="policies")
    first_reply_minutes = positive_minutes("From the ticket's creation to the first public reply")
    next_reply_minutes = positive_minutes("From a customer's message to the next public reply")
    resolution_minutes = positive_minutes(
        "From creation to closing, not counting while it waits on the customer"
    )

    class Meta:
        ordering = ["priority"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__in=TicketPriority.values), name="sla_policy_priority_known"
            ),
            models.CheckConstraint(
                condition=Q(first_reply_minutes__gte=1, next_reply_minutes__gte=1, resolution_minutes__gte=1),
                name="sla_policy_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority} priority"


class TicketClock(models.Model):
    """A ticket's SLA clock, kept by sla/clocks.py. Both targets run exactly while the ticket
    waits on an agent, from `running_since` (the ticket's `waiting_since` then)."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="sla_clock"
    )
    first_replied_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    reply_target = models.CharField(max_length=16, choices=SlaTarget.choices, blank=True)
    reply_due = models.DateTimeField(null=True, blank=True)
    # The due time recorded as breached for the current (or last) reply period.
    reply_breached_at = models.DateTimeField(null=True, blank=True)
    # Business seconds used by the periods that ended (the current one is counted from
    # `running_since`).
    resolution_used = models.PositiveIntegerField(default=0)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_due_at"], name="sla_clock_next_due"),
            # The breach check: running dues not yet recorded.
            models.Index(
                fields=["reply_due"],
                condition=Q(reply_breached_at__isnull=True),
                name="sla_clock_reply_open",
            ),
            models.Index(
                fields=["resolution_due"],
                condition=Q(resolution_breached_at__isnull=True),
                name="sla_clock_resolution_open",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA clock of ticket {self.ticket_id}"


class SlaOutcome(models.Model):
    """How one target ended, for the weekly attainment (sla/selectors.py): met (in time or late)
    when the reply came or the ticket was closed, or breached when its due time passed first.
    A breached target met later keeps its one breached row."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_outcomes")
    target = models.CharField(max_length=16, choices=SlaTarget.choices)
    due = models.DateTimeField()
    in_time = models.BooleanField()
    # When it was decided: when it was met, or its due time when it was breached.
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["decided_at"], name="sla_outcome_decided")]

    def __str__(self) -> str:
        return f"{self.target} of ticket {self.ticket_id}: {'in time' if self.in_time else 'breached'}"
