"""A run taken over by another attempt, as LangGraph's stream parts (rendered, not served)."""

from __future__ import annotations

import json

from protocols.langgraph.stream import PartContext, PartStream
from runs.events import RunEvent

RUN = "0" * 24
HUMAN = {"type": "human", "content": "What is AI?", "id": "m1"}


def parts(events: list[RunEvent]) -> list[tuple[str, object]]:
    """Every (part name, data) of the run, decoded."""
    context = PartContext(RUN, "thread", "agent", history=[], human=HUMAN)
    stream = PartStream(["values", "messages-tuple", "updates"], context)
    rendered = stream.render(events).decode()
    found = []
    for block in rendered.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((fields["event"], json.loads(fields["data"])))
    return found


def test_a_second_attempt_restarts_the_answer_under_its_own_message_id():
    resumed = {"attempt": 2, "reason": "handed_over", "supersedes": 2, "checkpoint": None}
    events = [
        RunEvent(1, "run", {"runId": RUN, "sessionId": "thread", "status": "running"}),
        RunEvent(2, "agent", {"name": "synthesizer", "status": "started"}),
        RunEvent(3, "token", {"text": "Half "}),
        RunEvent(4, "resumed", resumed),
        RunEvent(5, "token", {"text": "Whole "}),
        RunEvent(6, "token", {"text": "answer."}),
        RunEvent(7, "done", {"fullText": "Whole answer.", "suggestions": []}),
    ]
    found = parts(events)
    metadata = [data for name, data in found if name == "metadata"]
    assert metadata == [{"run_id": RUN, "attempt": 1}, {"run_id": RUN, "attempt": 2}]
    chunks = [data[0] for name, data in found if name == "messages"]
    assert [(c["id"], c["content"]) for c in chunks] == [
        (f"run-{RUN}", "Half "),
        (f"run-{RUN}-2", "Whole "),
        (f"run-{RUN}-2", "answer."),
    ]
    after_resume = found[[name for name, _ in found].index("metadata", 1) + 1]
    assert after_resume == ("values", {"messages": [HUMAN]}), "the state without the half answer"
    final = [data for name, data in found if name == "values"][-1]
    assert [m["content"] for m in final["messages"]] == ["What is AI?", "Whole answer."]
