"""What the worker shows the model of its tool results (no database)."""

from __future__ import annotations

import json

from agents.schemas import Subtask
from agents.tools.base import ToolOutcome
from agents.worker import TOOL_RESULT_CHARS, worker_request
from llm.requests import WorkerRequest, render

STATE = {"prompt": "p", "history": []}


def results_in(request: WorkerRequest) -> list[dict]:
    """Parse the tool results out of the worker request's rendered messages."""
    body = render(request)[-1]["content"]
    return json.loads(body.partition("Tool results:\n")[2].split("\nCritic issues")[0])


def test_long_results_stay_valid_json_within_the_bound_and_keep_their_count():
    documents = [{"id": str(n), "content": "x" * 5000} for n in range(20)]
    outcome = ToolOutcome(
        "db.find", {"collection": "messages"}, ok=True, result={"documents": documents, "count": 20}
    )
    request = worker_request(Subtask(id=1, description="d"), [outcome], [], STATE)
    results = results_in(request)
    assert len(json.dumps(results)) <= TOOL_RESULT_CHARS
    assert results[0]["result"]["count"] == 20
    shown = results[0]["result"]["documents"]
    assert 0 < len(shown) < 20
    assert all(len(doc["content"]) <= 201 for doc in shown)


def test_short_results_are_shown_whole():
    outcome = ToolOutcome(
        "db.aggregate", {"op": "count"}, ok=True, result={"groups": [{"key": None, "value": 3}]}
    )
    assert results_in(worker_request(Subtask(id=1, description="d"), [outcome], [], STATE))[0][
        "result"
    ] == {"groups": [{"key": None, "value": 3}]}
