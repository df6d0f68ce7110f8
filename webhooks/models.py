"""The outbox: one delivery per run that named a webhook, written in the run's last transaction."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import object_id_primary_key


class Delivery(models.Model):
    """A POST owed to a webhook for one ended run: its state, attempts and last failure.

    Its id is the `webhook-id` every attempt sends (the receiver's idempotency key).
    `next_attempt_at` is also the claim: a process that takes the delivery moves it past
    the attempt's end, so no other takes it meanwhile; if it dies, the claim runs out.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    id = object_id_primary_key()
    run = models.ForeignKey(
        "runs.Run",
        db_column="runId",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    user_id = models.CharField("user", max_length=128, db_column="userId")
    url = models.URLField(max_length=2048)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")
    next_attempt_at = models.DateTimeField(
        "next attempt", default=timezone.now, db_column="nextAttemptAt"
    )
    delivered_at = models.DateTimeField("delivered", null=True, blank=True, db_column="deliveredAt")
    response_status = models.PositiveSmallIntegerField(
        "response status", null=True, blank=True, db_column="responseStatus"
    )
    last_error = models.TextField("last error", blank=True, default="", db_column="lastError")

    class Meta:
        db_table = "webhook_deliveries"
        ordering = ["-created_at"]
        indexes = [
            # What every process polls: the pending deliveries that are due.
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_due"),
            models.Index(fields=["created_at"], name="webhooks_created"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.status} {self.url}"
