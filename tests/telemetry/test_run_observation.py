"""What one run leaves behind: its span tree, one summary log line, tokens and a timeline."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import REGISTRY

from agents.schemas import Plan
from llm.base import ProviderError
from llm.builtin.provider import BuiltinModel
from llm.usage import UsageMeter
from runs.pipeline import ChatRun
from telemetry.logs import ContextFilter, JsonFormatter
from telemetry.models import RequestMetric
from tests.support.engine import admit_chat, memory_runtime, run_chat

pytestmark = pytest.mark.django_db(transaction=True)

RETRIED_RUN = ["planner", "worker", "critic", "worker", "critic", "synthesizer"]
"""The agents of a run whose critic sends the worker back once, in order."""


class ForbiddenPlanner(BuiltinModel):
    """The built-in model (which reports each call's usage) whose planner asks for `users`.

    `users` is not allow-listed, so the worker's tool call is refused and the critic sends
    the subtask back once: a run with a retry and refused tool calls.
    """

    def __init__(self) -> None:
        super().__init__(token_delay_ms=0)

    async def structured(self, request, schema):
        if schema is Plan:
            await super().structured(request, schema)  # reports the planner's usage
            step = {"tool": "db.find", "args": {"collection": "users"}}
            return Plan.model_validate(
                {"subtasks": [{"id": 1, "description": "Read users", "data_plan": [step]}]}
            )
        return await super().structured(request, schema)


async def run_once(session_id: str = "obs-1") -> tuple[ChatRun, list[tuple[str, dict]]]:
    """Run one request of alice's with the metered forbidden planner."""
    return await run_chat(session_id, ForbiddenPlanner(), prompt="Who uses this?")


async def test_a_run_with_a_retry_and_a_refused_tool_is_one_span_tree(spans):
    chat, events = await run_once()
    assert events[-1][0] == "done"
    finished = spans.get_finished_spans()
    root = next(span for span in finished if span.name == "invoke_workflow")
    assert root.parent is None
    assert root.attributes["gen_ai.operation.name"] == "invoke_workflow"
    assert root.attributes["gen_ai.conversation.id"] == "obs-1"
    assert root.attributes["app.run.id"] == chat.observer.run_id
    assert root.attributes["user.id"] == "alice"
    assert root.attributes["gen_ai.usage.input_tokens"] > 0
    agents = sorted(
        (span for span in finished if span.name.startswith("invoke_agent")),
        key=lambda span: span.start_time,
    )
    assert [span.name.split()[-1] for span in agents] == RETRIED_RUN
    assert all(span.parent.span_id == root.context.span_id for span in agents)
    assert all(span.attributes["gen_ai.provider.name"] == "builtin" for span in agents)
    tools = [span for span in finished if span.name == "execute_tool db.find"]
    workers = {span.context.span_id for span in agents if span.name == "invoke_agent worker"}
    assert len(tools) == 2 and all(tool.parent.span_id in workers for tool in tools)
    assert all(tool.status.status_code.name == "ERROR" for tool in tools)
    assert tools[0].attributes["gen_ai.tool.name"] == "db.find"
    assert {span.context.trace_id for span in finished} == {root.context.trace_id}


async def test_the_metric_keeps_the_tokens_per_agent_and_the_waterfall():
    chat, events = await run_once()
    done = events[-1][1]
    metric = await RequestMetric.objects.aget()
    # The built-in model reports every call: the metric keeps what the run's meter received.
    calls = chat.observer.meter.calls
    expected = UsageMeter(calls=list(calls)).by_role()
    assert {"planner", "worker", "critic", "synthesizer"} == set(expected)
    assert all(tokens["input_tokens"] > 0 for tokens in expected.values())
    assert [call.role for call in calls].count("critic") == 2, "the retry's review included"
    assert metric.usage == expected
    input_total = sum(role["input_tokens"] for role in expected.values())
    output_total = sum(role["output_tokens"] for role in expected.values())
    assert (metric.input_tokens, metric.output_tokens) == (input_total, output_total)
    assert done["usage"]["input_tokens"] == input_total
    assert done["usage"]["agents"] == metric.usage
    assert done["timings"]["input_tokens"] == input_total
    assert done["timings"]["output_tokens"] == output_total
    assert metric.user_id == "alice"
    kinds = [(entry["kind"], entry["name"]) for entry in metric.timeline]
    assert [name for kind, name in kinds if kind == "agent"] == RETRIED_RUN
    assert [name for kind, name in kinds if kind == "tool"] == ["db.find", "db.find"]
    assert ("mark", "first_token") in kinds
    tools = [entry for entry in metric.timeline if entry["kind"] == "tool"]
    assert not any(tool["ok"] for tool in tools)
    starts = [entry["start_ms"] for entry in metric.timeline]
    assert starts == sorted(starts)
    assert all(entry["end_ms"] <= metric.total_time_ms for entry in metric.timeline)
    synthesizer = next(e for e in metric.timeline if e["name"] == "synthesizer")
    assert synthesizer["input_tokens"] == expected["synthesizer"]["input_tokens"]
    assert synthesizer["output_tokens"] == expected["synthesizer"]["output_tokens"]


async def test_a_priced_model_gives_the_run_a_cost(settings):
    first, _ = await run_once("obs-price-1")
    settings.MODEL_PRICES = {call.model: [1.0, 2.0] for call in first.observer.meter.calls}
    chat, _ = await run_once("obs-price-2")
    metric = await RequestMetric.objects.aget(session_id="obs-price-2")
    spent = sum(u.input_tokens * 1.0 + u.output_tokens * 2.0 for u in chat.observer.meter.calls)
    assert metric.cost_usd == pytest.approx(spent / 1_000_000)


async def test_a_model_without_a_price_leaves_the_cost_unknown(settings):
    settings.MODEL_PRICES = {"another-model": [1.0, 2.0]}
    await run_once()
    assert (await RequestMetric.objects.aget()).cost_usd is None


async def test_a_run_logs_exactly_one_summary_line_with_its_ids(caplog):
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO, logger="telemetry.runs"):
        chat, _ = await run_once()
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "telemetry.runs"
    ]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "run_summary" and line["status"] == "ok"
    assert line["run_id"] == chat.observer.run_id
    assert (line["session_id"], line["user_id"]) == ("obs-1", "alice")
    assert line["tool_calls"] == 2
    assert line["input_tokens"] == chat.observer.meter.totals()["input_tokens"] >= 350
    assert set(line["agents_ms"]) == {"planner", "worker", "critic", "synthesizer"}
    assert "Who uses this?" not in json.dumps(line), "no prompt text at INFO"


class FailingModel(BuiltinModel):
    """The built-in model whose answer stream fails with a provider error part-way."""

    async def stream(self, messages):
        yield "Half an "
        raise ProviderError("the model went away")


def sample(name: str, **labels: str) -> float:
    """A metric's current value in this process (0 when never observed)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_provider_error_is_counted_traced_and_summarised(spans, caplog):
    errors, failed = sample("chat_provider_errors_total"), sample("chat_runs_total", status="error")
    with caplog.at_level(logging.INFO, logger="telemetry.runs"):
        _, events = await run_chat("obs-fail", FailingModel(token_delay_ms=0))
    assert events[-1][0] == "error"
    assert sample("chat_provider_errors_total") == errors + 1
    assert sample("chat_runs_total", status="error") == failed + 1
    assert sample("chat_streams_in_flight") == 0
    root = next(s for s in spans.get_finished_spans() if s.name == "invoke_workflow")
    assert root.status.status_code.name == "ERROR"
    assert root.attributes["error.type"] == "provider_error"
    summaries = [r for r in caplog.records if r.name == "telemetry.runs"]
    assert len(summaries) == 1 and summaries[0].status == "error"
    metric = await RequestMetric.objects.aget(session_id="obs-fail")
    synthesizer = next(e for e in metric.timeline if e["name"] == "synthesizer")
    assert synthesizer["ok"] is False, "the agent that failed is closed as unfinished"


@pytest.mark.parametrize("status", ["cancelled", "interrupted"])
async def test_a_stopped_run_is_counted_with_its_recorded_status_and_leaves_no_stream(status):
    before = sample("chat_runs_total", status=status)
    runtime = memory_runtime()
    executor = await admit_chat(runtime, f"obs-{status}", BuiltinModel(token_delay_ms=50))
    async for event in runtime.buffer.read(executor.run.pk, 0, idle=0.05):
        if event is not None and event.event == "token":
            break
    assert sample("chat_streams_in_flight") == 1
    await runtime.cancel(executor.run.pk, status)
    await executor.task
    assert sample("chat_runs_total", status=status) == before + 1
    assert sample("chat_streams_in_flight") == 0
    metric = await RequestMetric.objects.aget(session_id=f"obs-{status}")
    assert metric.status == status and metric.user_id == "alice"
