"""Sessions, messages and suggestions, stored as in the original schema."""

from __future__ import annotations

import time

from django.db import models
from django.utils import timezone

from chat.ids import object_id_primary_key


def session_key(related_name: str) -> models.ForeignKey:
    """Build the foreign key from a history row to its session, stored as `sessionId`."""
    return models.ForeignKey(
        "chat.Session",
        to_field="session_id",
        db_column="sessionId",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name="sessionId",
    )


def message_key(related_name: str, *, optional: bool = False) -> models.ForeignKey:
    """Build the foreign key to an assistant message, stored as `messageId`.

    An optional key is cleared when the message goes; a required one goes with it.
    """
    return models.ForeignKey(
        "chat.Message",
        db_column="messageId",
        on_delete=models.SET_NULL if optional else models.CASCADE,
        related_name=related_name,
        verbose_name="messageId",
        **({"null": True, "blank": True} if optional else {}),
    )


class Session(models.Model):
    """One conversation, owned by one user; carries the long-term summary."""

    id = object_id_primary_key()
    session_id = models.CharField("sessionId", max_length=128, unique=True, db_column="sessionId")
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    summary = models.TextField(blank=True, default="")
    summarized_until = models.DateTimeField(
        "summarised until",
        null=True,
        blank=True,
        db_column="summarizedUntil",
        help_text="createdAt of the newest message folded into the summary.",
    )
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")
    updated_at = models.DateTimeField("updatedAt", default=timezone.now, db_column="updatedAt")

    class Meta:
        db_table = "sessions"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user_id", "-updated_at"], name="sessions_user_updated")]

    def __str__(self) -> str:
        return self.session_id


class Message(models.Model):
    """One turn of a conversation: the user's prompt or the assistant's answer."""

    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    id = object_id_primary_key()
    session = session_key("messages")
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.FloatField(default=time.time, help_text="Seconds since the epoch.")
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "id"]
        # Used by context packing and the messages endpoint: a session's turns in time order.
        indexes = [models.Index(fields=["session", "created_at"], name="messages_session_created")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Suggestion(models.Model):
    """The three follow-up suggestions offered with one assistant message."""

    id = object_id_primary_key()
    session = session_key("suggestions")
    message = message_key("suggestion_sets")
    suggestions = models.JSONField(default=list)
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "suggestions"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return " | ".join(self.suggestions)
