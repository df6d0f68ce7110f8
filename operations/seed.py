"""The seed conversation (context-aware verification) and the demo data set."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from chat.models import Session
from operations.client import chat_body
from operations.console import Console
from operations.render import TurnPrinter, numbered, timings_text
from operations.transport import ChatTarget, TurnOutcome, run_turn

SEED_TURNS = ("My name is Alice", "What is my name?", "Summarize our conversation")
RECALL_TURN = 2
RECALL_WORD = "Alice"


class SeedFailed(Exception):
    """A seeded turn ended in an error, or the conversation's memory did not hold."""


@dataclass(frozen=True)
class DemoSession:
    """One demo conversation: its session, its user and the prompts played in order."""

    session_id: str
    user_id: str
    prompts: tuple[str, ...]


# Chosen so that every tool (find, insert, aggregate) and both memory answers appear.
DEMO_SESSIONS = (
    DemoSession(
        "demo-alice-1",
        "demo-alice",
        ("My name is Alice", "What is my name?", "How many messages have I sent?"),
    ),
    DemoSession(
        "demo-alice-2",
        "demo-alice",
        ("Remember that I like tea", "What is machine learning?", "Summarize our conversation"),
    ),
    DemoSession(
        "demo-bob-1",
        "demo-bob",
        ("My favorite color is blue", "What color did I say?", "Remember that I like chess"),
    ),
    DemoSession("demo-carol-1", "demo-carol", ("What is AI?", "Explain quantum computing")),
    DemoSession(
        "demo-carol-2",
        "demo-carol",
        ("What is Django?", "How many messages have I sent?", "Summarize our conversation"),
    ),
)


def fresh_session_id(prefix: str) -> str:
    """Return a new, unique session id such as `seed-1a2b3c4d`."""
    return f"{prefix}-{secrets.token_hex(4)}"


def footer(done: dict[str, Any]) -> str:
    """Describe a finished turn in one line: timings, then the numbered suggestions."""
    return f"  [{timings_text(done.get('timings') or {})}] {numbered(done['suggestions'])}"


def finished(outcome: TurnOutcome, label: str) -> dict[str, Any]:
    """Return the turn's `done` payload, or raise SeedFailed when it has none."""
    if outcome.error is not None:
        error = outcome.error
        raise SeedFailed(f"{label} ended in error {error.get('code')}: {error.get('message')}")
    if outcome.done is None:
        raise SeedFailed(f"{label}'s stream ended without a done event.")
    return outcome.done


async def seed_conversation(
    target: ChatTarget, session_id: str, user_id: str, console: Console
) -> list[TurnOutcome]:
    """Play the three seed turns, printing each as it streams; check the name is recalled.

    Raises:
        SeedFailed: when a turn ends in an error or turn 2 does not recall the name.
        StreamRejected: when the request is refused; ServerUnreachable over HTTP.
    """
    console.line(f"Seeding session {session_id} as {user_id} ({target.describe()})")
    outcomes = []
    for number, prompt in enumerate(SEED_TURNS, 1):
        console.line(f"\n[{number}/{len(SEED_TURNS)}] > {prompt}")
        outcome = await run_turn(
            target, chat_body(session_id, user_id, prompt), TurnPrinter(console, trace=False)
        )
        done = finished(outcome, f"Turn {number}")
        console.line(footer(done))
        if number == RECALL_TURN and RECALL_WORD not in str(done["fullText"]):
            raise SeedFailed(
                f"Turn {number} did not recall the name {RECALL_WORD!r}: {done['fullText']!r}"
            )
        outcomes.append(outcome)
    console.line(f"\nRecall OK: turn {RECALL_TURN} answered with {RECALL_WORD!r}.")
    return outcomes


async def play_demo(demo: DemoSession) -> int:
    """Run a demo session's prompts through the pipeline in-process; return its tool calls."""
    target = ChatTarget()
    tool_calls = 0
    for number, prompt in enumerate(demo.prompts, 1):
        outcome = await run_turn(target, chat_body(demo.session_id, demo.user_id, prompt))
        finished(outcome, f"{demo.session_id} turn {number}")
        tool_calls += len(outcome.of("tool_call_completed"))
    return tool_calls


async def load_demo(console: Console) -> tuple[int, int]:
    """Create the demo sessions that do not exist yet; return (created, skipped)."""
    created = skipped = 0
    for demo in DEMO_SESSIONS:
        if await Session.objects.filter(session_id=demo.session_id).aexists():
            console.line(f"skipped {demo.session_id}: it already exists")
            skipped += 1
            continue
        tool_calls = await play_demo(demo)
        console.line(
            f"created {demo.session_id} for {demo.user_id}: "
            f"{len(demo.prompts)} turns, {tool_calls} tool call(s)"
        )
        created += 1
    console.line(f"Demo data: {created} session(s) created, {skipped} skipped.")
    return created, skipped
