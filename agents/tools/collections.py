"""The allow-list of collections and fields the DB tools expose to the model.

The model speaks in the original document field names (`sessionId`, `createdAt`, …); each
collection maps them to ORM fields, says what each may be used for, and says how its rows
are restricted to the calling user. `userId` is deliberately absent: it is injected
server-side, and any attempt to name it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.db import models

from agents.tools.base import ToolRefused
from chat.models import Message, Session
from memory.models import Note
from telemetry.models import RequestMetric, ToolCall

OWNER_FIELD = "userId"
OWNER_REFUSAL = (
    "userId is set server-side to the calling user and cannot be filtered, sorted, "
    "grouped, projected or written"
)

Kind = Literal["string", "number", "boolean", "datetime", "list", "object"]
Purpose = Literal["filter", "sort", "group", "return"]


@dataclass(frozen=True)
class FieldSpec:
    """One readable field: its ORM field, its JSON kind and what the model may do with it."""

    orm: str
    kind: Kind
    filterable: bool = True
    sortable: bool = True
    groupable: bool = False

    def allows(self, purpose: Purpose) -> bool:
        """Return whether this field may be used for `purpose`."""
        return {
            "filter": self.filterable,
            "sort": self.sortable,
            "group": self.groupable,
            "return": True,
        }[purpose]


@dataclass(frozen=True)
class CollectionSpec:
    """One allow-listed collection: its model, readable fields and ownership lookup."""

    name: str
    model: type[models.Model]
    fields: dict[str, FieldSpec]
    owner_lookup: str

    def owned_by(self, user_id: str) -> models.QuerySet:
        """Return the rows of this collection that belong to `user_id`, and no others."""
        return self.model._default_manager.filter(**{self.owner_lookup: user_id})

    def field(self, name: Any, purpose: Purpose) -> FieldSpec:
        """Return the spec of readable field `name`, refusing it if not allowed for `purpose`."""
        if name == OWNER_FIELD:
            raise ToolRefused(OWNER_REFUSAL)
        if not isinstance(name, str) or name not in self.fields:
            raise ToolRefused(
                f"unknown field {name!r} in {self.name}; fields: {', '.join(self.fields)}"
            )
        spec = self.fields[name]
        if not spec.allows(purpose):
            usable = [field for field, other in self.fields.items() if other.allows(purpose)]
            raise ToolRefused(
                f"{self.name}.{name} cannot be used to {purpose}; "
                f"fields that can: {', '.join(usable) or 'none'}"
            )
        return spec

    def names(self, purpose: Purpose, kind: Kind | None = None) -> list[str]:
        """Return the readable fields usable for `purpose`, optionally of one kind."""
        return [
            name
            for name, spec in self.fields.items()
            if spec.allows(purpose) and kind in (None, spec.kind)
        ]

    def columns(self, names: list[str]) -> list[str]:
        """Return the ORM fields to read for the readable fields `names`."""
        return list(dict.fromkeys(self.fields[name].orm for name in names))

    def to_document(self, row: dict[str, Any], names: list[str]) -> dict[str, Any]:
        """Render `row` (read with `columns(names)`) as a document of the fields `names`.

        Datetimes become ISO strings.
        """
        document = {}
        for name in names:
            value = row[self.fields[name].orm]
            document[name] = value.isoformat() if isinstance(value, datetime) else value
        return document


def _field(
    orm: str, kind: Kind, *, filterable: bool = True, sortable: bool = True, group: bool = False
) -> FieldSpec:
    return FieldSpec(orm, kind, filterable=filterable, sortable=sortable, groupable=group)


ID = _field("id", "string")
SESSION_ID = _field("session_id", "string", group=True)
RETURNED_ONLY = {"filterable": False, "sortable": False}

COLLECTIONS: dict[str, CollectionSpec] = {
    spec.name: spec
    for spec in (
        CollectionSpec(
            name="messages",
            model=Message,
            owner_lookup="user_id",
            fields={
                "id": ID,
                "sessionId": SESSION_ID,
                "role": _field("role", "string", group=True),
                "content": _field("content", "string", sortable=False),
                "timestamp": _field("timestamp", "number"),
                "createdAt": _field("created_at", "datetime"),
            },
        ),
        CollectionSpec(
            name="sessions",
            model=Session,
            owner_lookup="user_id",
            fields={
                "id": ID,
                "sessionId": _field("session_id", "string"),
                "summary": _field("summary", "string", sortable=False),
                "createdAt": _field("created_at", "datetime"),
                "updatedAt": _field("updated_at", "datetime"),
            },
        ),
        CollectionSpec(
            name="notes",
            model=Note,
            owner_lookup="user_id",
            fields={
                "id": ID,
                "sessionId": SESSION_ID,
                "content": _field("content", "string", sortable=False),
                "tags": _field("tags", "list", **RETURNED_ONLY),
                "createdAt": _field("created_at", "datetime"),
            },
        ),
        CollectionSpec(
            name="tool_calls",
            model=ToolCall,
            owner_lookup="user_id",
            fields={
                "id": ID,
                "sessionId": SESSION_ID,
                "tool": _field("tool", "string", group=True),
                "args": _field("args", "object", **RETURNED_ONLY),
                "ok": _field("ok", "boolean", group=True),
                "latency_ms": _field("latency_ms", "number"),
                "timestamp": _field("timestamp", "datetime"),
            },
        ),
        CollectionSpec(
            name="metrics",
            model=RequestMetric,
            # Metrics carry no userId of their own: they belong to whoever owns the session.
            owner_lookup="session__user_id",
            fields={
                "id": ID,
                "sessionId": SESSION_ID,
                "messageId": _field("message_id", "string"),
                "ttft_ms": _field("ttft_ms", "number"),
                "total_time_ms": _field("total_time_ms", "number"),
                "tool_call_count": _field("tool_call_count", "number"),
                "status": _field("status", "string", group=True),
                "agent_timings": _field("agent_timings", "object", **RETURNED_ONLY),
                "timestamp": _field("timestamp", "datetime"),
            },
        ),
    )
}


def get_collection(name: Any) -> CollectionSpec:
    """Return the allow-listed collection `name`, refusing any other."""
    if not isinstance(name, str) or name not in COLLECTIONS:
        raise ToolRefused(
            f"collection {name!r} is not available; collections: {', '.join(COLLECTIONS)}"
        )
    return COLLECTIONS[name]
