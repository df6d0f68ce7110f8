"""What a LangGraph thread or run says that a session or a run does not keep."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import Session
from runs.models import Run


class ThreadRecord(models.Model):
    """A thread's metadata; the thread itself is its session (`thread_id` = `sessionId`).

    A session started elsewhere (the chat stream, the OpenAI API) is a thread too, with no
    metadata until a client sets some.
    """

    session = models.OneToOneField(
        Session,
        primary_key=True,
        to_field="session_id",
        on_delete=models.CASCADE,
        related_name="langgraph_thread",
        db_column="sessionId",
    )
    metadata = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField("updated", default=timezone.now, db_column="updatedAt")

    class Meta:
        db_table = "langgraph_threads"
        verbose_name = "LangGraph thread"

    def __str__(self) -> str:
        return self.session_id


class RunRecord(models.Model):
    """A LangGraph run's request: its assistant, metadata, stream modes and strategy."""

    run = models.OneToOneField(
        Run,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="langgraph_run",
        db_column="runId",
    )
    assistant_id = models.CharField(max_length=64, db_column="assistantId")
    metadata = models.JSONField(default=dict, blank=True)
    stream_modes = models.JSONField(default=list, blank=True, db_column="streamModes")
    multitask_strategy = models.CharField(
        max_length=16, default="enqueue", db_column="multitaskStrategy"
    )
    prompt = models.TextField(blank=True, default="", help_text="The input's last human message.")

    class Meta:
        db_table = "langgraph_runs"
        verbose_name = "LangGraph run"

    def __str__(self) -> str:
        return self.run_id
