"""Endpoints, events, deliveries and attempts (CONTRACT §12).

An event is written in the transaction of the ticket change it describes, with one delivery per
subscribed endpoint and a task row per delivery: that is the outbox. The delivery state (attempts,
next attempt, outcome) lives here, not in the task engine, so the §12 schedule is ours.
"""

import base64
import secrets
import uuid

from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", "ticket.created"
    TICKET_STATUS_CHANGED = "ticket.status_changed", "ticket.status_changed"
    TICKET_ASSIGNED = "ticket.assigned", "ticket.assigned"
    TICKET_COMMENT_ADDED = "ticket.comment_added", "ticket.comment_added"
    TICKET_RATED = "ticket.rated", "ticket.rated"
    TICKET_ATTACHMENT_ADDED = "ticket.attachment_added", "ticket.attachment_added"
    # Ours, beyond CONTRACT §12 (docs/webhooks.md): a service level target ran out.
    TICKET_SLA_BREACHED = "ticket.sla_breached", "ticket.sla_breached"
    WEBHOOK_TEST = "webhook.test", "webhook.test"


SECRET_PREFIX = "whsec_"
SECRET_KEY_BYTES = 32
# What an attempt keeps of the receiver's answer or of the error.
ATTEMPT_EXCERPT_BYTES = 1024


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_KEY_BYTES)).decode()


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=2000, help_text="Where events are POSTed (https outside development).")
    description = models.CharField(max_length=255, blank=True)
    event_types = models.JSONField(
        default=list, blank=True, help_text="The event types sent here; none means all of them."
    )
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=255, blank=True, help_text="Why it was disabled.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    # After a rotation both signatures are sent, the new one first, until this time.
    previous_secret = models.CharField(max_length=64, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The first failed attempt since the last success: five days of it disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    # At most one attempt in flight per endpoint: a slow receiver holds one worker, never all.
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def receives(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookEvent(models.Model):
    """What happened, as the receivers get it: `body` is the exact JSON sent on every attempt."""

    type = models.CharField(max_length=64, choices=EventType.choices)
    body = models.TextField()
    occurred_at = models.DateTimeField()
    # The ticket it is about, for the admin's filters; the body is self-contained.
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (no more attempts)"
    CANCELLED = "cancelled", "Cancelled (endpoint disabled)"


class WebhookDelivery(models.Model):
    """One event for one endpoint. `webhook_id` is its `webhook-id` header on every attempt."""

    webhook_id = models.CharField(max_length=64, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker makes an attempt; an attempt whose lease ran out was interrupted.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    # Its task found the endpoint busy: the attempt in flight there queues it again when done.
    waiting_for_endpoint = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(state="pending")
            ),
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                name="webhook_delivery_waiting",
                condition=Q(waiting_for_endpoint=True),
            ),
        ]

    def __str__(self) -> str:
        return self.webhook_id

    @staticmethod
    def new_webhook_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    # The first ATTEMPT_EXCERPT_BYTES of the response body, or the error.
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delivery} attempt {self.number}"
