"""What the HTTP contract itself must remember: the first response to each idempotent request."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an `Idempotency-Key` (CONTRACT §9).

    Scoped to the endpoint and the caller (the token's contact; for the tokenless E3,
    `channel:<name>` with channel keys, else "").
    `status_code` is null while the first request is still being processed.
    """

    scope = models.CharField(max_length=32)
    caller = models.CharField(max_length=32, blank=True)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()

    class Meta:
        # Created by the tickets app before the API had an app of its own; the table kept its name.
        db_table = "tickets_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["scope", "caller", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope}/{self.caller or '-'}/{self.key}"
