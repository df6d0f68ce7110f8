"""The Run model moved from `chat` to `runs` without touching the data (a state-only move)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chat.models import Message, Session
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall

PREVIOUS_LAYOUT = [("chat", "0002_run"), ("telemetry", "0004_merge_run_models_usage")]
"""The newest migrations before the move: `chat.Run` owned the `runs` table."""


def migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    """Migrate the test database to `targets` (to the newest migrations when None)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_layout_migrates_with_every_row_intact():
    old = migrate(PREVIOUS_LAYOUT).loader.project_state(PREVIOUS_LAYOUT).apps
    session = old.get_model("chat", "Session").objects.create(session_id="kept", user_id="alice")
    prompt = old.get_model("chat", "Message").objects.create(
        session=session, user_id="alice", role="user", content="My name is Alice"
    )
    answer = old.get_model("chat", "Message").objects.create(
        session=session, user_id="alice", role="assistant", content="Nice to meet you, Alice!"
    )
    run = old.get_model("chat", "Run").objects.create(
        session=session,
        user_id="alice",
        status="ok",
        user_message=prompt,
        answer_message=answer,
        last_event_id=12,
    )
    old.get_model("telemetry", "ToolCall").objects.create(
        session=session, run=run, user_id="alice", tool="db.find"
    )
    old.get_model("telemetry", "RequestMetric").objects.create(
        session=session, run=run, message=answer, total_time_ms=42.0
    )

    migrate()

    moved = Run.objects.get(pk=run.pk)
    assert (moved.session_id, moved.user_id, moved.status, moved.last_event_id) == (
        "kept",
        "alice",
        "ok",
        12,
    )
    assert (moved.user_message.content, moved.answer_message.content) == (
        "My name is Alice",
        "Nice to meet you, Alice!",
    )
    assert Session.objects.get(session_id="kept").runs.get() == moved
    assert Message.objects.filter(session_id="kept").count() == 2
    assert ToolCall.objects.get(run=moved).tool == "db.find"
    assert RequestMetric.objects.get(run=moved).total_time_ms == 42.0
