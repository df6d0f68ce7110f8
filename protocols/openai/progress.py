"""The pipeline's progress as readable text: what OpenAI clients show as reasoning.

Agent steps and the Worker's database tool calls become lines of text
(`delta.reasoning_content` in chat completions, reasoning summary text in the Responses API),
never `tool_calls`: a client would try to execute those itself.
"""

from __future__ import annotations

import json

from runs.engine import EventType, RunEvent

AGENT_NAMES = {
    "planner": "Planner",
    "worker": "Worker",
    "critic": "Critic",
    "synthesizer": "Synthesizer",
}


def progress_line(event: RunEvent) -> str | None:
    """One line of progress for an agent, tool or queueing event; None for the others."""
    data = event.data
    if event.event == EventType.RUN and data.get("status") == "queued":
        return "Waiting for the session's active run to finish.\n"
    if event.event == EventType.AGENT:
        name = AGENT_NAMES.get(data.get("name", ""), str(data.get("name")))
        if data.get("status") == "started":
            return f"{name} is working.\n"
        return f"{name} finished in {float(data.get('durationMs') or 0):.0f} ms.\n"
    if event.event == EventType.TOOL_CALL_STARTED:
        args = json.dumps(data.get("args", {}), ensure_ascii=False, sort_keys=True)
        return f"Calling {data.get('tool')} {args}.\n"
    if event.event == EventType.TOOL_CALL_COMPLETED:
        outcome = "returned" if data.get("ok") else "failed"
        return f"{data.get('tool')} {outcome} in {float(data.get('latencyMs') or 0):.0f} ms.\n"
    return None
