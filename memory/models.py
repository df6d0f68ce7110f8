"""Notes the agents save for a user (the only target `db.insert` may write to)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import object_id_primary_key


class Note(models.Model):
    """A fact a user asked the assistant to remember, visible only to that user."""

    id = object_id_primary_key()
    user_id = models.CharField("user", max_length=128, db_column="userId")
    session_id = models.CharField("session id", max_length=128, db_column="sessionId", blank=True)
    content = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "notes"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="notes_user_created")]

    def __str__(self) -> str:
        return self.content[:60]
