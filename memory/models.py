"""What the assistant keeps for a user: notes (what `db.insert` saves) and long-term memory."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import new_object_id, object_id_primary_key


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


class MemoryItem(models.Model):
    """One thing remembered for one user, in a namespace of theirs (LangGraph's Store item).

    Namespaces are private to their user whatever their names: every query names the user.
    The pipeline's memories live in ("memories",); the Store API may use any namespace.
    """

    class Source(models.TextChoices):
        SAID = "said", "said in a chat"
        NOTE = "note", "saved as a note"
        API = "api", "written through the API"

    id = object_id_primary_key()
    user_id = models.CharField("user", max_length=128, db_column="userId")
    namespace = models.CharField(max_length=512, help_text="Its labels, joined by dots.")
    key = models.CharField(max_length=256)
    value = models.JSONField(default=dict)
    text = models.TextField(help_text="What is searched and recalled.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    session_id = models.CharField("session id", max_length=128, db_column="sessionId", blank=True)
    run_id = models.CharField("run id", max_length=24, db_column="runId", blank=True)
    embedding = models.BinaryField(blank=True, editable=False)
    embedder = models.CharField(max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")
    updated_at = models.DateTimeField("updated", default=timezone.now, db_column="updatedAt")
    used_at = models.DateTimeField("last recalled", null=True, blank=True, db_column="usedAt")

    class Meta:
        db_table = "memory_items"
        verbose_name = "memory"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "namespace", "key"], name="memory_items_user_namespace_key"
            )
        ]
        indexes = [
            models.Index(fields=["user_id", "-updated_at"], name="memory_items_user_updated"),
            # What a recall reads: the user's items of the ids their vectors ranked first.
            models.Index(fields=["user_id", "id"], name="memory_items_user_id"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class MemoryRevision(models.Model):
    """What a user's memories are at: a new stamp on every write (memory/vectors.py).

    A server process keeps each active user's vectors in memory and trusts them while this
    stamp is the one it loaded them at. Stamps are never reused (a forgotten user's next
    stamp is new), so no stale copy can ever match.
    """

    id = object_id_primary_key()
    user_id = models.CharField("user", max_length=128, unique=True, db_column="userId")
    stamp = models.CharField(max_length=24, default=new_object_id)

    class Meta:
        db_table = "memory_revisions"

    def __str__(self) -> str:
        return f"{self.user_id} at {self.stamp}"
