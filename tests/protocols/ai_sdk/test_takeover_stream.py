"""A run taken over by another attempt, as the AI SDK's UI message stream, read by `ai`."""

from __future__ import annotations

from protocols.ai_sdk.stream import UIMessageStream
from runs.events import RunEvent
from tests.support.node import JS, run_node

RUN = "0" * 24


def test_the_redone_answer_is_a_text_part_of_its_own_after_a_resumed_part(tmp_path):
    resumed = {"attempt": 2, "reason": "lease_expired", "supersedes": 1, "checkpoint": None}
    events = [
        RunEvent(1, "run", {"runId": RUN, "sessionId": "s", "status": "running"}),
        RunEvent(2, "token", {"text": "Half "}),
        RunEvent(1001, "resumed", resumed),
        RunEvent(1002, "token", {"text": "Whole "}),
        RunEvent(1003, "token", {"text": "answer."}),
        RunEvent(1004, "done", {"fullText": "Whole answer.", "suggestions": []}),
    ]
    stream = UIMessageStream(RUN, "s")
    path = tmp_path / "stream.sse"
    path.write_bytes(b"".join(stream.render([event]) for event in events))
    message = run_node(JS / "ai_sdk_read_stream.mjs", str(path))
    texts = [(p["text"], p["state"]) for p in message["parts"] if p["type"] == "text"]
    assert texts == [("Half ", "done"), ("Whole answer.", "done")]
    said = [p["data"] for p in message["parts"] if p["type"] == "data-resumed"]
    assert said == [resumed], "the part that says the text before it is void"
