"""A run's waterfall keeps its agents in order even when their events are read late."""

from __future__ import annotations

import time

from telemetry.observer import RunObserver


def agent(name: str, status: str, duration_ms: float = 0.0) -> tuple[str, dict]:
    data = {"name": name, "status": status}
    if status == "completed":
        data |= {"durationMs": duration_ms, "inputTokens": 1, "outputTokens": 1}
    return "agent", data


def test_an_agent_read_late_never_starts_before_the_previous_one_ended():
    observer = RunObserver(
        session_id="s", user_id="alice", provider="builtin", received_at=time.perf_counter()
    )
    # The critic's events are seen first; the synthesizer's arrive in one burst whose
    # reported duration reaches back past the critic's end (the stream read them late).
    for event, data in (
        agent("critic", "started"),
        agent("critic", "completed", 0.001),
        agent("synthesizer", "started"),
        agent("synthesizer", "completed", 60_000.0),
    ):
        observer.on_event(event, data)
    timeline = observer.metric_fields()["timeline"]
    assert [entry["name"] for entry in timeline] == ["critic", "synthesizer"]
    critic, synthesizer = timeline
    assert synthesizer["start_ms"] >= critic["end_ms"]
    assert synthesizer["end_ms"] >= synthesizer["start_ms"]
