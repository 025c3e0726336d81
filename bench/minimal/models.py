"""The project's tables, declared by hand (unmanaged): only the columns these views touch, plus
those an insert must fill."""

from django.db import models


class IssueType(models.Model):
    name = models.CharField(max_length=255)
    is_active = models.BooleanField()
    sort_order = models.IntegerField()
    default_priority = models.CharField(max_length=16)

    class Meta:
        managed = False
        db_table = "tickets_issuetype"

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(models.Model):
    enabled = models.BooleanField()
    event_types = models.JSONField()

    class Meta:
        managed = False
        db_table = "webhooks_webhookendpoint"

    def __str__(self) -> str:
        return f"endpoint {self.pk}"


class Ticket(models.Model):
    ticket_number = models.BigIntegerField()
    contact_number = models.BigIntegerField(null=True)
    ticket_status = models.CharField(max_length=32)
    title = models.CharField(max_length=255)
    description = models.TextField()
    ticket_categories = models.CharField(max_length=255)
    category = models.CharField(max_length=255)
    subcategory = models.CharField(max_length=255)
    status = models.CharField(max_length=255)
    effective_date = models.DateField(null=True)
    voucher_type = models.CharField(max_length=255)
    voucher_id_format = models.CharField(max_length=255)
    password_pattern = models.CharField(max_length=255)
    source = models.CharField(max_length=64)
    from_portal = models.BooleanField()
    starred = models.BooleanField(default=False)
    priority = models.CharField(max_length=16, default="Normal")
    waiting_on = models.CharField(max_length=16, default="agent")
    waiting_since = models.DateTimeField()
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "tickets_ticket"

    def __str__(self) -> str:
        return f"TT{self.ticket_number}"
