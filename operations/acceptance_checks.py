"""The acceptance checks of the original project, each independent, in its own session."""

from __future__ import annotations

from operations.acceptance import AcceptanceContext, Check, CheckFailed, expect
from operations.transport import TurnOutcome

EVENT_TYPES = {"agent", "tool_call_started", "tool_call_completed", "token", "done"}
SESSION_KEYS = {"sessionId", "userId", "summary", "messageCount", "createdAt", "updatedAt"}
VITALS_KEYS = {
    "uptime_seconds",
    "total_sessions",
    "total_messages",
    "total_tool_calls",
    "avg_response_time_ms",
}
TOOL_PROMPT = "How many messages have I sent?"


def check_stream_shape(outcome: TurnOutcome) -> None:
    """Require strictly increasing event ids and tokens that add up to fullText."""
    ids = [event.id for event in outcome.events]
    expect(None not in ids, "an event came without an id")
    expect(all(a < b for a, b in zip(ids, ids[1:], strict=False)), f"ids not increasing: {ids}")
    full_text = outcome.done["fullText"] if outcome.done else None
    expect(outcome.text == full_text, "the tokens do not concatenate to fullText")


async def check_health(context: AcceptanceContext) -> None:
    """/health answers 200 without a token."""
    response = await context.client.get(f"{context.url}/health")
    expect(response.status_code == 200, f"/health answered {response.status_code}")


async def check_sse_event_types(context: AcceptanceContext) -> None:
    """Every event type appears across two prompts, each stream well formed."""
    session_id = context.session_id("events")
    seen: set[str] = set()
    for prompt in ("My name is Alice", TOOL_PROMPT):
        outcome = await context.turn(session_id, prompt)
        check_stream_shape(outcome)
        seen |= {event.event for event in outcome.events}
    missing = sorted(EVENT_TYPES - seen)
    expect(not missing, f"never emitted: {', '.join(missing)}")


async def check_done_payload(context: AcceptanceContext) -> None:
    """`done` carries exactly 3 suggestions and timings with ttft_ms and total_ms."""
    session_id = context.session_id("done")
    done = (await context.turn(session_id, "What is AI?")).done or {}
    suggestions = done.get("suggestions")
    expect(
        isinstance(suggestions, list) and len(suggestions) == 3,
        f"suggestions are not 3: {suggestions!r}",
    )
    expect(all(isinstance(text, str) and text for text in suggestions), "an empty suggestion")
    timings = done.get("timings") or {}
    for key in ("ttft_ms", "total_ms"):
        expect(isinstance(timings.get(key), int | float), f"timings lack a number {key}")
    expect(done.get("sessionId") == session_id, f"done names session {done.get('sessionId')!r}")


async def recall(context: AcceptanceContext, check: str, statement: str, question: str) -> str:
    """Tell the model something, ask about it in the next turn, return the answer."""
    session_id = context.session_id(check)
    await context.turn(session_id, statement)
    return (await context.turn(session_id, question)).done["fullText"]


async def check_memory_name(context: AcceptanceContext) -> None:
    """The name given in one turn is recalled in the next."""
    answer = await recall(context, "name", "My name is Alice", "What is my name?")
    expect("alice" in answer.lower(), f"the name was not recalled: {answer!r}")


async def check_memory_color(context: AcceptanceContext) -> None:
    """The favorite color given in one turn is recalled in the next."""
    answer = await recall(context, "color", "My favorite color is blue", "What color did I say?")
    expect("blue" in answer.lower(), f"the color was not recalled: {answer!r}")


async def check_db_tool_calling(context: AcceptanceContext) -> None:
    """A tool-using prompt streams its DB tool calls, and the metrics count them."""
    session_id = context.session_id("tools")
    outcome = await context.turn(session_id, TOOL_PROMPT)
    started = outcome.of("tool_call_started")
    completed = outcome.of("tool_call_completed")
    expect(bool(started), f"{TOOL_PROMPT!r} called no tool")
    expect(all(e.data.get("tool", "").startswith("db.") for e in started), "a non-DB tool ran")
    expect(len(completed) == len(started), "a tool call never completed")
    metrics = await context.get_json(f"/v1/metrics/{session_id}")
    logged = metrics.get("totalToolCalls")
    expect(logged == len(completed), f"{len(completed)} tool call(s) streamed, {logged} logged")


async def check_persistence(context: AcceptanceContext) -> None:
    """Messages, metrics and suggestions of two turns are stored."""
    session_id = context.session_id("persist")
    await context.turn(session_id, "My name is Alice")
    done = (await context.turn(session_id, "What is AI?")).done
    history = await context.get_json(f"/v1/sessions/{session_id}/messages?limit=10")
    messages = history.get("messages", [])
    roles = [message.get("role") for message in messages]
    expect(roles == ["user", "assistant"] * 2, f"stored roles are {roles}")
    answer = messages[-1]
    expect(answer.get("content") == done["fullText"], "the stored answer differs from fullText")
    stored = (answer.get("metadata") or {}).get("suggestions")
    expect(stored == done["suggestions"], f"stored suggestions are {stored!r}")
    metrics = await context.get_json(f"/v1/metrics/{session_id}")
    expect(metrics.get("totalRequests") == 2, f"totalRequests is {metrics.get('totalRequests')}")


async def check_session_and_vitals(context: AcceptanceContext) -> None:
    """The session endpoint and vitals answer with their documented keys."""
    session_id = context.session_id("session")
    await context.turn(session_id, "What is AI?")
    session = await context.get_json(f"/v1/sessions/{session_id}")
    expect(set(session) == SESSION_KEYS, f"session keys are {sorted(session)}")
    expect(session["messageCount"] == 2, f"messageCount is {session['messageCount']}")
    vitals = await context.get_json("/v1/vitals")
    missing = VITALS_KEYS - set(vitals)
    expect(not missing, f"vitals lack {sorted(missing)}")


async def expect_rejection(
    context: AcceptanceContext, body: dict[str, str], headers: dict[str, str], status: int
) -> None:
    """POST a chat request that must be refused with `status` and a JSON body, not a stream."""
    response = await context.client.post(
        f"{context.url}/v1/chat/stream", json=body, headers=headers
    )
    expect(response.status_code == status, f"expected {status}, got {response.status_code}")
    content_type = response.headers.get("content-type", "")
    if "text/event-stream" in content_type or "event:" in response.text:
        raise CheckFailed(f"the {status} came with events")


async def check_rejections(context: AcceptanceContext) -> None:
    """No token gets 401 and a bad body gets 422, before any event."""
    session_id = context.session_id("reject")
    body = {"sessionId": session_id, "userId": "acceptance-user", "prompt": "Hello"}
    await expect_rejection(context, body, {}, 401)
    await expect_rejection(context, {"sessionId": session_id}, context.headers, 422)


CHECKS: tuple[tuple[str, Check], ...] = (
    ("health", check_health),
    ("sse_event_types", check_sse_event_types),
    ("done_payload", check_done_payload),
    ("memory_name_recall", check_memory_name),
    ("memory_color_recall", check_memory_color),
    ("db_tool_calling_and_logging", check_db_tool_calling),
    ("persistence", check_persistence),
    ("session_and_vitals_shapes", check_session_and_vitals),
    ("auth_and_validation_rejections", check_rejections),
)
