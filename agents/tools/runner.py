"""Run a DB tool by name, timing it and turning every failure into a refused outcome."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from itertools import islice
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, transaction
from opentelemetry import trace

from agents.timing import ms_since
from agents.tools.base import ToolContext, ToolOutcome, ToolRefused
from agents.tools.db_tools import db_aggregate, db_find, db_insert
from agents.tools.time_bound import query_time_bound
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
SUMMARY_ITEMS = 20
"""Keys of an object or items of a list kept by `shorten`; the rest are counted."""
SUMMARY_DEPTH = 6
MAX_ARG_NODES = 200
"""Values (objects, lists, keys, scalars) a tool call's arguments may hold."""
MAX_ARG_CHARS = 8000
"""Characters of strings and keys a tool call's arguments may hold."""


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
    """Run the tool, then let `record` store the outcome (one thread, one transaction).

    A `record` that raises rolls back what the tool wrote too (a run that lost its lease).
    """
    if record is None:
        return run_tool_now(name, args, ctx)
    with transaction.atomic():
        outcome = run_tool_now(name, args, ctx)
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
        check_size(args)
        with query_time_bound():
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


def check_size(args: dict[str, Any]) -> None:
    """Refuse arguments past MAX_ARG_NODES values or MAX_ARG_CHARS characters.

    The walk stops at the first bound it passes, so its work is bounded too.
    """
    nodes, chars, pending = 0, 0, [args]
    while pending and nodes <= MAX_ARG_NODES and chars <= MAX_ARG_CHARS:
        value = pending.pop()
        nodes += 1
        if isinstance(value, dict):
            nodes += len(value)
            if nodes <= MAX_ARG_NODES:
                chars += sum(len(str(key)) for key in value)
                pending.extend(value.values())
        elif isinstance(value, list | tuple):
            if nodes + len(value) > MAX_ARG_NODES:
                nodes += len(value)  # past the bound without walking them
            else:
                pending.extend(value)
        elif isinstance(value, str):
            chars += len(value)
    if nodes > MAX_ARG_NODES or chars > MAX_ARG_CHARS:
        raise ToolRefused(
            f"arguments too large: at most {MAX_ARG_NODES} values and {MAX_ARG_CHARS} "
            "characters; ask for less"
        )


def _failed(name: str, args: dict[str, Any], reason: str, started: float) -> ToolOutcome:
    return ToolOutcome(
        name,
        shorten(args),
        ok=False,
        result={"error": reason},
        latency_ms=ms_since(started),
        error=reason,
    )


def shorten(value: Any, depth: int = 0) -> Any:
    """Return a bounded JSON-serialisable rendering of `value`, for events, rows and prompts.

    Strings are cut to 200 characters, objects and lists to their first 20 entries (an entry
    "…" counts the rest), nesting to 6 levels.
    """
    if isinstance(value, str):
        if len(value) <= SUMMARY_STRING_CHARS:
            return value
        return value[:SUMMARY_STRING_CHARS] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | list | tuple) and depth >= SUMMARY_DEPTH:
        return "…"
    if isinstance(value, dict):
        items = list(islice(value.items(), SUMMARY_ITEMS))
        shown = {shorten(str(key)): shorten(item, depth + 1) for key, item in items}
        if len(value) > SUMMARY_ITEMS:
            shown["…"] = f"{len(value) - SUMMARY_ITEMS} more"
        return shown
    if isinstance(value, list | tuple):
        shown_items = [shorten(item, depth + 1) for item in value[:SUMMARY_ITEMS]]
        if len(value) > SUMMARY_ITEMS:
            shown_items.append(f"… {len(value) - SUMMARY_ITEMS} more")
        return shown_items
    return shorten(str(value))
