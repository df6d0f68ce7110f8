"""Sessions, messages and suggestions (as in the original schema), and the ids of every model."""

from __future__ import annotations

import time

from bson import ObjectId
from django.db import models
from django.utils import timezone

USER_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"
"""A `userId`: 1-128 characters of A-Z a-z 0-9 _ . : @ - (request bodies, keys, commands)."""
SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"
"""A `sessionId`: the same, starting with a letter or digit (`.` and `..` cannot be URLs)."""


def new_object_id() -> str:
    """Return a new ObjectId as its 24-character hex string (time-ordered, unique)."""
    return str(ObjectId())


def object_id_primary_key() -> models.CharField:
    """Build the primary-key field every model of ours uses: a string stored in `_id`."""
    return models.CharField(
        primary_key=True,
        max_length=24,
        default=new_object_id,
        editable=False,
        db_column="_id",
        verbose_name="id",
    )


def session_key(related_name: str) -> models.ForeignKey:
    """Build the foreign key from a history row to its session, stored as `sessionId`."""
    return models.ForeignKey(
        "chat.Session",
        to_field="session_id",
        db_column="sessionId",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name="session",
    )


def message_key(
    related_name: str,
    *,
    optional: bool = False,
    column: str = "messageId",
    verbose_name: str = "message",
) -> models.ForeignKey:
    """Build the foreign key to a message, stored as `column` (`messageId` by default).

    An optional key is cleared when the message goes; a required one goes with it.
    """
    return models.ForeignKey(
        "chat.Message",
        db_column=column,
        on_delete=models.SET_NULL if optional else models.CASCADE,
        related_name=related_name,
        verbose_name=verbose_name,
        **({"null": True, "blank": True} if optional else {}),
    )


class Session(models.Model):
    """One conversation, owned by one user; carries the long-term summary."""

    id = object_id_primary_key()
    session_id = models.CharField("session id", max_length=128, unique=True, db_column="sessionId")
    user_id = models.CharField("user", max_length=128, db_column="userId")
    summary = models.TextField(blank=True, default="")
    summarized_until = models.DateTimeField(
        "summarised until",
        null=True,
        blank=True,
        db_column="summarizedUntil",
        help_text="createdAt of the newest message folded into the summary.",
    )
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")
    updated_at = models.DateTimeField("updated", default=timezone.now, db_column="updatedAt")
    active_run_id = models.CharField(
        "active run id",
        max_length=24,
        null=True,
        blank=True,
        db_column="activeRunId",
        help_text="The run that holds the session (one at a time, set by a conditional update).",
    )

    class Meta:
        db_table = "sessions"
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["user_id", "-updated_at"], name="sessions_user_updated"),
            models.Index(fields=["updated_at"], name="sessions_updated"),
        ]

    def __str__(self) -> str:
        return self.session_id


class Message(models.Model):
    """One turn of a conversation: the user's prompt or the assistant's answer."""

    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    id = object_id_primary_key()
    session = session_key("messages")
    user_id = models.CharField("user", max_length=128, db_column="userId")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.FloatField(default=time.time, help_text="Seconds since the epoch.")
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "id"]
        # Used by context packing and the messages endpoint: a session's turns in time order.
        indexes = [
            models.Index(fields=["session", "created_at"], name="messages_session_created"),
            # The admin's list: newest first.
            models.Index(fields=["created_at"], name="messages_created"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Suggestion(models.Model):
    """The three follow-up suggestions offered with one assistant message."""

    id = object_id_primary_key()
    session = session_key("suggestions")
    message = message_key("suggestion_sets")
    suggestions = models.JSONField(default=list)
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "suggestions"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return " | ".join(self.suggestions)
