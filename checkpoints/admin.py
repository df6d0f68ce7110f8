"""Admin for checkpoints: each session's graph states, what they hold and what came next."""

from __future__ import annotations

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from pydantic_core import to_jsonable_python

from checkpoints.models import Checkpoint
from checkpoints.saver import DjangoSaver
from console.toolkit import WrittenByTheServiceMixin, link, short

SAVER = DjangoSaver()
"""Reads rows back (strict: classes the graph's state does not allow stay plain data)."""


@admin.register(Checkpoint)
class CheckpointAdmin(WrittenByTheServiceMixin, admin.ModelAdmin):
    """Every checkpoint, newest first; a thread's are its session's graph states."""

    list_display = ("created_at", "thread", "checkpoint_column", "run", "source", "step")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("thread_id", "checkpoint_id", "run_id")
    ordering = ("-created_at",)
    fields = (
        "thread", "checkpoint_id", "parent_checkpoint_id", "run", "source", "step",
        "created_at", "values",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="session", ordering="thread_id")
    def thread(self, row: Checkpoint) -> str:
        """Link to the session whose graph this is."""
        sessions = reverse("admin:chat_session_changelist")
        return link(f"{sessions}?q={row.thread_id}", row.thread_id, length=24)

    @admin.display(description="checkpoint", ordering="checkpoint_id")
    def checkpoint_column(self, row: Checkpoint) -> SafeString:
        """The checkpoint id, shortened."""
        return short(row.checkpoint_id, 13, tail=True)

    @admin.display(description="run", ordering="run_id")
    def run(self, row: Checkpoint) -> str:
        """Link to the run that wrote it."""
        if not row.run_id:
            return "—"
        return link(reverse("admin:runs_run_change", args=[row.run_id]), row.run_id, tail=True)

    @admin.display(description="source")
    def source(self, row: Checkpoint) -> str:
        """What wrote it: input, loop, update or fork."""
        return str(SAVER.metadata_of(row).get("source", ""))

    @admin.display(description="step")
    def step(self, row: Checkpoint) -> str:
        """The graph's step."""
        return str(SAVER.metadata_of(row).get("step", ""))

    @admin.display(description="values")
    def values(self, row: Checkpoint) -> SafeString:
        """The graph's channels as JSON (the packed history left out: it is the session's)."""
        channels = SAVER.checkpoint_of(row).get("channel_values", {})
        shown = {
            k: v for k, v in channels.items() if k != "history" and not k.startswith("branch:")
        }
        text = json.dumps(to_jsonable_python(shown, fallback=str), indent=2, ensure_ascii=False)
        return format_html('<pre class="console-json">{}</pre>', text)
