"""Run a DB tool by name, timing it and turning every failure into a refused outcome."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from opentelemetry import trace

from agents.timing import ms_since
from agents.tools.base import ToolContext, ToolOutcome, ToolRefused
from agents.tools.db_tools import db_aggregate, db_find, db_insert
from llm.observe import current_span

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("agents.tools")

ToolFunction = Callable[[dict[str, Any], ToolContext], dict[str, Any]]
Recorder = Callable[[ToolOutcome], None]
"""Stores a completed call (synchronously, in the call's own thread hop)."""

TOOLS: dict[str, ToolFunction] = {
    "db.find": db_find,
    "db.insert": db_insert,
    "db.aggregate": db_aggregate,
}
DATABASE_ERROR = "database error: the query could not be run"
INTERNAL_ERROR = "internal error: the tool failed"
SUMMARY_STRING_CHARS = 200


async def run_tool(
    name: str, args: dict[str, Any], ctx: ToolContext, *, record: Recorder | None = None
) -> ToolOutcome:
    """Run tool `name` for `ctx`'s user; never raise, refusals and failures become ok=False.

    The call and `record` (which stores the outcome, so that it is stored before it is
    announced) share one thread hop. A failure of `record` is not the tool's: it is raised.
    """
    attributes = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name}
    with current_span(tracer, f"execute_tool {name}", attributes) as span:
        outcome = await sync_to_async(run_and_record)(name, args, ctx, record)
        if not outcome.ok:
            span.set_attribute("error.type", "tool_refused")
            span.set_status(trace.StatusCode.ERROR, outcome.error)
        return outcome


def run_and_record(
    name: str, args: dict[str, Any], ctx: ToolContext, record: Recorder | None
) -> ToolOutcome:
    """Run the tool, then let `record` store the outcome (both synchronous, one thread)."""
    outcome = run_tool_now(name, args, ctx)
    if record is not None:
        record(outcome)
    return outcome


def run_tool_now(name: str, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
    """Run tool `name` synchronously; refusals and failures become ok=False outcomes."""
    started = time.perf_counter()
    if not isinstance(args, dict):
        args = {"args": args}
    tool = TOOLS.get(name)
    try:
        if tool is None:
            raise ToolRefused(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
        result = tool(args, ctx)
    except ToolRefused as refusal:
        return _failed(name, args, str(refusal), started)
    except DatabaseError:
        logger.exception("DB tool %s failed in the database (user %s)", name, ctx.user_id)
        return _failed(name, args, DATABASE_ERROR, started)
    except Exception:
        # A bug in a tool must not take the whole chat request down with it.
        logger.exception("DB tool %s failed (user %s)", name, ctx.user_id)
        return _failed(name, args, INTERNAL_ERROR, started)
    return ToolOutcome(name, args, ok=True, result=result, latency_ms=ms_since(started))


def _failed(name: str, args: dict[str, Any], reason: str, started: float) -> ToolOutcome:
    return ToolOutcome(
        name,
        args,
        ok=False,
        result={"error": reason},
        latency_ms=ms_since(started),
        error=reason,
    )


def shorten(value: Any) -> Any:
    """Return a JSON-serialisable copy of `value` with long strings cut to 200 characters."""
    if isinstance(value, str):
        if len(value) <= SUMMARY_STRING_CHARS:
            return value
        return value[:SUMMARY_STRING_CHARS] + "…"
    if isinstance(value, dict):
        return {str(key): shorten(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shorten(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return shorten(str(value))
