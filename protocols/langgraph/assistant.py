"""The one assistant: the pipeline's graph, as LangGraph's API names it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

GRAPH_ID = "orchestrator"
"""The one graph served: the pipeline (also a name of its assistant)."""
ASSISTANT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, f"orchestrator:assistant:{GRAPH_ID}"))
"""The pipeline's assistant id (stable: the same on every server)."""
GRAPH_TAGS = {"graph_id": GRAPH_ID, "assistant_id": ASSISTANT_ID}
"""What every thread's metadata says (as LangGraph's server tags a thread once it ran a graph):
every session runs this graph, so the tags are implied, never stored."""
CREATED = datetime(2026, 12, 5, tzinfo=UTC).isoformat()


def is_assistant(assistant_id: str) -> bool:
    """Whether `assistant_id` names the pipeline (its id or its graph id, as LangGraph allows)."""
    return assistant_id in {ASSISTANT_ID, GRAPH_ID}


def assistant_object() -> dict[str, Any]:
    """The pipeline as LangGraph's assistant."""
    return {
        "assistant_id": ASSISTANT_ID,
        "graph_id": GRAPH_ID,
        "name": GRAPH_ID,
        "description": "Planner → Worker (database tools) → Critic (one retry) → Synthesizer",
        "config": {},
        "context": {},
        "metadata": {"created_by": "system"},
        "version": 1,
        "created_at": CREATED,
        "updated_at": CREATED,
    }
