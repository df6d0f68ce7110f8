"""The Worker: executes each subtask's data plan with the DB tools and writes up findings."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents.approvals import (
    DECISION,
    Decision,
    Edit,
    Reject,
    decisions_for,
    rejected_because,
    review_request,
    writes_of,
)
from agents.events import EventType, agent_node, emit
from agents.schemas import Subtask, ToolRequest
from agents.state import Finding, RunContext, State
from agents.tools.base import ToolOutcome
from agents.tools.runner import run_tool, shorten
from llm.requests import WorkerRequest

TOOL_RESULT_CHARS = 4000


async def call_tool(
    request: ToolRequest, context: RunContext, decision: Decision | None = None
) -> ToolOutcome:
    """Run one planned tool call as a person decided, streaming its start and completion."""
    if isinstance(decision, Edit):
        request = ToolRequest(tool=request.tool, args=decision.edited_action.args)
    emit(EventType.TOOL_CALL_STARTED, tool=request.tool, args=shorten(request.args))
    if isinstance(decision, Reject):
        outcome = ToolOutcome(request.tool, request.args, ok=False)
        outcome.error = rejected_because(decision)
        if context.record_tool_call is not None:
            await sync_to_async(context.record_tool_call)(outcome)
    else:
        outcome = await run_tool(
            request.tool, request.args, context.tools, record=context.record_tool_call
        )
    context.outcomes.append(outcome)
    completed: dict[str, Any] = {"ok": outcome.ok, "latencyMs": outcome.latency_ms}
    if outcome.error:
        completed["error"] = outcome.error
    emit(EventType.TOOL_CALL_COMPLETED, tool=request.tool, **completed)
    return outcome


def outcome_for_model(outcome: ToolOutcome) -> dict[str, Any]:
    """Shape a tool outcome for the worker's prompt, long strings shortened."""
    shaped: dict[str, Any] = {"tool": outcome.tool, "args": outcome.args, "ok": outcome.ok}
    if outcome.ok:
        shaped["result"] = outcome.result
    else:
        shaped["error"] = outcome.error
    return shorten(shaped)


def bounded_results(outcomes: list[ToolOutcome]) -> list[dict[str, Any]]:
    """Shape the tool results so that their JSON fits TOOL_RESULT_CHARS.

    Past the bound, the last documents of the longest result are dropped (its `count` still
    says how many matched), so the model always gets valid JSON, never a cut-off string.
    """
    shaped = [outcome_for_model(outcome) for outcome in outcomes]
    text = json.dumps(shaped)
    while len(text) > TOOL_RESULT_CHARS:
        lists = [s["result"]["documents"] for s in shaped if s.get("result", {}).get("documents")]
        if not lists:
            break
        max(lists, key=len).pop()
        text = json.dumps(shaped)
    return shaped


def worker_request(
    subtask: Subtask, outcomes: list[ToolOutcome], issues: list[str], state: State
) -> WorkerRequest:
    """One subtask, its tool results (and the critic's issues on a retry), in context."""
    return WorkerRequest(
        history=state["history"],
        subtask_id=subtask.id,
        description=subtask.description,
        results=bounded_results(outcomes),
        issues=issues,
    )


async def work_on(
    subtask: Subtask,
    state: State,
    context: RunContext,
    attempt: int,
    reviews: dict[str, Decision],
) -> Finding:
    """Execute one subtask's data plan (its writes as decided) and write its finding."""
    outcomes = [
        await call_tool(request, context, reviews.get(f"{subtask.id}:{index}"))
        for index, request in enumerate(subtask.data_plan)
    ]
    issues = state["verdict"].issues if attempt > 1 else []
    request = worker_request(subtask, outcomes, issues, state)
    text = await context.provider.complete(request)
    return Finding(
        subtask_id=subtask.id,
        description=subtask.description,
        text=text.strip(),
        tool_errors=[f"{o.tool}: {o.error}" for o in outcomes if not o.ok],
        attempt=attempt,
    )


def subtasks_to_do(state: State) -> list[Subtask]:
    """Return all subtasks on the first pass; on a retry, those the critic sent back."""
    subtasks = state["plan"].subtasks
    if not state.get("retries"):
        return subtasks
    wanted = set(state["verdict"].retry_subtasks)
    return [s for s in subtasks if s.id in wanted] or subtasks


@agent_node("worker")
async def worker(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Execute the plan, or redo what the critic sent back."""
    attempt = 1 + state.get("retries", 0)
    subtasks = subtasks_to_do(state)
    reviews = reviewed(subtasks, state, runtime.context)
    findings = {
        subtask.id: await work_on(subtask, state, runtime.context, attempt, reviews)
        for subtask in subtasks
    }
    return {"findings": findings, "reviews": {k: d.model_dump() for k, d in reviews.items()}}


def reviewed(subtasks: list[Subtask], state: State, context: RunContext) -> dict[str, Decision]:
    """The person's decision on each write of the pass (agents/approvals.py).

    Asks (pausing the run) before any tool call runs, about the writes not decided before
    (a retried subtask's were); none with approval of writes off.
    """
    if not context.approve_writes:
        return {}
    known = {key: DECISION.validate_python(d) for key, d in (state.get("reviews") or {}).items()}
    writes = writes_of(subtasks)
    asked = [(key, request) for key, request in writes if key not in known]
    if asked:
        answer = interrupt(review_request(asked))
        known |= dict(zip([key for key, _ in asked], decisions_for(answer, asked), strict=True))
    return known
