"""Models keep the original schema's collection and field names on every backend."""

from __future__ import annotations

import re

from chat.models import Message, Session, Suggestion
from memory.models import Note
from telemetry.models import RequestMetric, ToolCall


def column(model, field_name: str) -> str:
    """Return the stored column/document field of a model field."""
    return model._meta.get_field(field_name).column


def test_tables_are_named_as_the_original_collections():
    tables = {m._meta.db_table for m in (Session, Message, Suggestion, ToolCall, RequestMetric)}
    assert tables == {"sessions", "messages", "suggestions", "tool_calls", "metrics"}
    assert Note._meta.db_table == "notes"


def test_document_fields_use_the_original_names():
    assert column(Session, "session_id") == "sessionId"
    assert column(Session, "user_id") == "userId"
    assert column(Session, "created_at") == "createdAt"
    assert column(Message, "session") == "sessionId"
    assert column(Suggestion, "message") == "messageId"
    assert column(ToolCall, "latency_ms") == "latency_ms"
    assert column(RequestMetric, "total_time_ms") == "total_time_ms"
    for model in (Session, Message, Suggestion, ToolCall, RequestMetric, Note):
        assert column(model, "id") == "_id"


def test_primary_keys_are_object_id_strings(alice_session):
    assert re.fullmatch(r"[0-9a-f]{24}", alice_session.pk)
    first, second = Message.objects.filter(session=alice_session)
    assert first.pk < second.pk


def test_a_message_stores_the_session_id_string(alice_session):
    message = Message.objects.filter(session=alice_session).first()
    assert message.session_id == "alice-s1"
    assert message.metadata == {}
    assert message.timestamp > 1_600_000_000


def test_the_hot_paths_are_indexed():
    def indexed(model) -> set[tuple[str, ...]]:
        return {tuple(index.fields) for index in model._meta.indexes}

    assert ("session", "created_at") in indexed(Message)
    assert ("user_id", "-updated_at") in indexed(Session)
    assert ("session", "timestamp") in indexed(RequestMetric)
    assert Session._meta.get_field("session_id").unique


def test_messages_read_in_time_order(alice_session):
    roles = list(Message.objects.filter(session=alice_session).values_list("role", flat=True))
    assert roles == ["user", "assistant"]
