"""What a chat costs before any code of ours runs: LangGraph's own loop and the ORM's writes.

Run from the project root: `.venv/bin/python -m bench.studies.fixed_costs` (`make bench-fixed`).
It measures, in this process, pinned to one core when it can be:

- **LangGraph's loop**: the pipeline's topology (planner → worker → critic ⇄ worker →
  synthesizer) compiled with nodes that do nothing, streamed as the run streams it
  (`stream_mode=["updates"]`, a context object): CPU per graph run;
- **the chat's database work**: on a migrated temporary SQLite file, exactly the records a
  chat in a new session writes and reads through the project's own functions, with no thread
  hop and no pipeline: admission with its turn (`runs.store.admit_run`), the two tool
  calls the built-in model plans for the benchmark's prompt with their records
  (`agents.tools.runner.run_and_record`) and the outcome (`runs.records.store_answer`):
  CPU per chat and SQL statements per chat.

`--json` prints the two figures as one JSON line (`bench/peers` reads it). `--floor MS` (the
bare SSE floor's CPU per request printed by `make bench`) adds both as shares of issue #11's
budget of 4 × floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

from bench.common.inprocess import django_on_a_temporary_database
from bench.gate.stream_bench import DEFAULT_PROMPT

ROOT = Path(__file__).resolve().parents[2]

GRAPH_RUNS = 2000
CHATS = 400
WARMUP = 50


class NoOpState(TypedDict, total=False):
    """The fields the pipeline's nodes write, none of them computed."""

    prompt: str
    plan: str
    findings: str
    verdict: str
    answer: str


@dataclass(frozen=True)
class NoOpContext:
    """A run context, as the pipeline passes one."""

    run: str


async def nothing(state: NoOpState) -> dict[str, Any]:
    """A node that does no work."""
    return {}


def to_synthesizer(state: NoOpState) -> Literal["worker", "synthesizer"]:
    """The critic's router, always accepting."""
    return "synthesizer"


def no_op_graph() -> Any:
    """The pipeline's topology with nodes that do nothing, compiled."""
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(NoOpState, context_schema=NoOpContext)
    for name in ("planner", "worker", "critic", "synthesizer"):
        graph.add_node(name, nothing)
    graph.add_edge(START, "planner")
    graph.add_edge("planner", "worker")
    graph.add_edge("worker", "critic")
    graph.add_conditional_edges("critic", to_synthesizer, ["worker", "synthesizer"])
    graph.add_edge("synthesizer", END)
    return graph.compile()


async def graph_cpu_us(runs: int) -> float:
    """CPU µs per run of the no-op graph, streamed as the pipeline streams it."""
    graph, context = no_op_graph(), NoOpContext("bench")

    async def once() -> None:
        async for _ in graph.astream({"prompt": "hi"}, context=context, stream_mode=["updates"]):
            pass

    for _ in range(WARMUP):
        await once()
    started = time.thread_time()
    for _ in range(runs):
        await once()
    return (time.thread_time() - started) * 1e6 / runs


def one_chats_records(number: int, prompt: str) -> None:
    """Write and read what one chat in a new session does, through the project's functions."""
    from agents.tools.base import ToolContext
    from agents.tools.runner import run_and_record
    from llm.builtin.skills import plan
    from runs.records import RunResults, store_answer
    from runs.store import admit_run

    session_id, user_id = f"fixed-{number}", "fixed-user"
    admission = admit_run.func(session_id, user_id=user_id, on_disconnect="cancel", prompt=prompt)
    tools = ToolContext(user_id=user_id, session_id=session_id)
    record = RunResults(admission.session, tools, [], time.perf_counter(), run_id=admission.run.pk)
    record.user_message_id = admission.turn.user_message_id
    for subtask in plan(prompt, session_id)["subtasks"]:
        for call in subtask["data_plan"]:
            outcome = run_and_record(call["tool"], call["args"], tools, record.store_tool_call)
            record.outcomes.append(outcome)
    suggestions = ["One?", "Two?", "Three?"]
    store_answer.func(record, "An answer of a few words.", suggestions, facts=[])


def records_cpu_ms(chats: int, prompt: str) -> tuple[float, list[str]]:
    """CPU ms per chat of its database work, and its SQL statements (one chat's, apart)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(WARMUP):
        one_chats_records(number, prompt)
    with CaptureQueriesContext(connection) as queries:
        one_chats_records(WARMUP, prompt)
    started = time.thread_time()
    for number in range(WARMUP + 1, WARMUP + 1 + chats):
        one_chats_records(number, prompt)
    return (time.thread_time() - started) * 1000 / chats, [q["sql"] for q in queries]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, help="the bare floor's CPU ms per request")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--sql", action="store_true", help="print one chat's SQL statements")
    parser.add_argument("--chats", type=int, default=CHATS, help="chats measured")
    parser.add_argument("--graph-runs", type=int, default=GRAPH_RUNS, help="graph runs measured")
    parser.add_argument("--json", action="store_true", help="print one JSON line of the figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Set Django up on a temporary database, measure both, print them."""
    args = parse_args(argv)
    with django_on_a_temporary_database("fixed-costs-", pin=not args.no_pin):
        graph_us = asyncio.run(graph_cpu_us(args.graph_runs))
        records_ms, statements = records_cpu_ms(args.chats, args.prompt)
    if args.json:
        print(json.dumps({"graph_ms": graph_us / 1000, "records_ms": records_ms}))
        return
    print(f"LangGraph's loop, 4 nodes doing nothing: {graph_us / 1000:.2f} ms CPU per run")
    print(f"a new session's chat, its database work alone: {records_ms:.2f} ms CPU per chat")
    print(f"  ({len(statements)} SQL statements with BEGIN and COMMIT; no thread hop, no pipeline)")
    if args.sql:
        print("\n".join(f"  {sql[:110]}" for sql in statements))
    if args.floor:
        budget = 4 * args.floor
        both = graph_us / 1000 + records_ms
        print(f"issue #11's budget, 4 × floor {args.floor:.2f} ms: {budget:.2f} ms per chat")
        print(f"  both together: {both:.2f} ms, {100 * both / budget:.0f} % of it")


if __name__ == "__main__":
    main()
