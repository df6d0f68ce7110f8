"""One observer per chat run: metrics, the run's span, its log ids, usage and waterfall.

The run hands it each event it streams; the observer keeps a compact timeline from them
(no database write of its own), feeds the Prometheus metrics, and at the end logs exactly
one summary line. Per token it only increments an integer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from opentelemetry import trace

from agents.events import EventType
from chat.models import new_object_id
from llm.usage import UsageMeter, metering
from telemetry import prometheus as metrics
from telemetry.logs import log_context
from telemetry.tracing import workflow_span

logger = logging.getLogger("telemetry.runs")


class RunObserver:
    """Watch one run from its first event to its end."""

    def __init__(self, *, session_id: str, user_id: str, provider: str, received_at: float) -> None:
        """Observe a run of `user_id` in `session_id`; `received_at` is a perf_counter reading."""
        self.run_id = new_object_id()
        self.session_id, self.user_id, self.provider = session_id, user_id, provider
        self.received_at = received_at
        self.meter = UsageMeter()
        self.timeline: list[dict[str, Any]] = []
        self.open_agent: dict[str, Any] | None = None
        self.last_agent_end = 0.0
        self.open_tools: list[dict[str, Any]] = []
        self.tokens = 0
        self.ttft_ms: float | None = None
        self.status: str | None = None
        self.error_code = ""

    def now_ms(self) -> float:
        """Milliseconds since the request arrived."""
        return round((time.perf_counter() - self.received_at) * 1000, 3)

    @contextlib.contextmanager
    def observing(self) -> Iterator[RunObserver]:
        """Wrap the whole run: span, log ids, usage meter, streams-in-flight gauge, summary."""
        span = workflow_span(
            run_id=self.run_id,
            session_id=self.session_id,
            user_id=self.user_id,
            provider=self.provider,
        )
        metrics.STREAMS_IN_FLIGHT.inc()
        ids = {"run_id": self.run_id, "session_id": self.session_id, "user_id": self.user_id}
        with log_context(**ids):
            try:
                with metering() as self.meter, trace.use_span(span):
                    yield self
            except asyncio.CancelledError:
                self.status = self.status or "cancelled"
                raise
            except BaseException:
                self.status = self.status or "error"
                raise
            finally:
                metrics.STREAMS_IN_FLIGHT.dec()
                self.finish(span)

    def on_event(self, event: EventType | str, data: dict[str, Any]) -> None:
        """Take note of one streamed event."""
        if event == EventType.TOKEN:
            self.tokens += 1
            if self.ttft_ms is None:
                self.ttft_ms = self.now_ms()
                metrics.TTFT.observe(self.ttft_ms / 1000)
                self.timeline.append(mark("first_token", self.ttft_ms))
        elif event == EventType.AGENT:
            self.on_agent(data)
        elif event == EventType.TOOL_CALL_STARTED:
            start = self.now_ms()
            self.open_tools.append(
                {"kind": "tool", "name": str(data.get("tool")), "start_ms": start}
            )
        elif event == EventType.TOOL_CALL_COMPLETED:
            self.on_tool_completed(data)
        elif event == EventType.DONE:
            self.status = "ok"
        elif event == EventType.INTERRUPTED:
            self.status = "waiting"
        elif event == EventType.ERROR:
            self.error_code = str(data.get("code", ""))
            self.status = STATUS_OF_ERROR.get(self.error_code, "error")

    def on_agent(self, data: dict[str, Any]) -> None:
        """Open an agent's bar when it starts; close it (with its tokens) when it completes."""
        name = str(data.get("name"))
        if data.get("status") == "started":
            start = self.now_ms()
            self.open_agent = {"kind": "agent", "name": name, "start_ms": start}
            return
        entry, self.open_agent = self.open_agent or {"name": name}, None
        duration = float(data.get("durationMs") or 0.0)
        end = self.now_ms()
        tokens = {
            "input_tokens": int(data.get("inputTokens") or 0),
            "output_tokens": int(data.get("outputTokens") or 0),
        }
        # Agents run one after another: a start read back from a late-seen event (a burst of
        # events read at once) never goes before the previous agent's end.
        start = round(max(self.last_agent_end, end - duration), 3)
        self.last_agent_end = end
        self.timeline.append(
            entry | {"kind": "agent", "start_ms": start, "end_ms": end} | {"ok": True, **tokens}
        )
        metrics.AGENT_DURATION.labels(name).observe(duration / 1000)

    def on_tool_completed(self, data: dict[str, Any]) -> None:
        """Close the oldest open call of this tool."""
        tool, ok = str(data.get("tool")), bool(data.get("ok"))
        latency = float(data.get("latencyMs") or 0.0)
        match = next((t for t in self.open_tools if t["name"] == tool), None)
        if match is not None:
            self.open_tools.remove(match)
        end = self.now_ms()
        start = round(max(0.0, end - latency), 3)
        self.timeline.append(
            {"kind": "tool", "name": tool, "start_ms": start, "end_ms": end, "ok": ok}
        )
        metrics.TOOL_DURATION.labels(tool, "true" if ok else "false").observe(latency / 1000)

    def close_open(self) -> None:
        """End the bars of an agent or tool call still running (the run failed inside them)."""
        end = self.now_ms()
        unfinished = [self.open_agent] if self.open_agent else []
        for entry in [*unfinished, *self.open_tools]:
            self.timeline.append(entry | {"end_ms": end, "ok": False})
        self.open_agent, self.open_tools = None, []

    def usage(self) -> dict[str, Any]:
        """Return the run's tokens in total and per agent, and its cost when priced."""
        return {**self.meter.totals(), "agents": self.meter.by_role(), "cost_usd": self.cost_usd()}

    def cost_usd(self) -> float | None:
        """Price the run's model calls from MODEL_PRICES (None when a model has no price)."""
        prices = settings.MODEL_PRICES
        if not prices or not self.meter.calls:
            return None
        if any(call.model not in prices for call in self.meter.calls):
            return None
        total = 0.0
        for call in self.meter.calls:
            input_price, output_price = prices[call.model]
            total += call.input_tokens * input_price + call.output_tokens * output_price
        return round(total / 1_000_000, 8)

    def metric_fields(self) -> dict[str, Any]:
        """Return what the run's stored metric keeps of the observation."""
        self.close_open()
        usage = self.usage()
        return {
            "user_id": self.user_id,
            "input_tokens": usage["input_tokens"],
            "output_tokens": usage["output_tokens"],
            "usage": usage["agents"],
            "cost_usd": usage["cost_usd"],
            "timeline": sorted(self.timeline, key=lambda entry: entry["start_ms"]),
        }

    def finish(self, span: trace.Span) -> None:
        """Count the run, end its span and log its one summary line."""
        status, total_ms = self.status or "error", self.now_ms()
        totals = self.meter.totals()
        metrics.RUNS.labels(status).inc()
        metrics.RUN_DURATION.labels(status).observe(total_ms / 1000)
        metrics.TOKENS_STREAMED.observe(self.tokens)
        for role, tokens in self.meter.by_role().items():
            metrics.MODEL_TOKENS.labels(role, "input").inc(tokens["input_tokens"])
            metrics.MODEL_TOKENS.labels(role, "output").inc(tokens["output_tokens"])
        if self.error_code == "provider_error":
            metrics.PROVIDER_ERRORS.inc()
        end_span(span, status, self.error_code, totals)
        logger.info("run %s %s", self.run_id, status, extra=self.summary(status, total_ms))

    def summary(self, status: str, total_ms: float) -> dict[str, Any]:
        """The fields of the run's summary log line (no prompt text)."""
        agents: dict[str, float] = {}
        for entry in self.timeline:
            if entry["kind"] == "agent":
                ms = entry["end_ms"] - entry["start_ms"]
                agents[entry["name"]] = round(agents.get(entry["name"], 0.0) + ms, 1)
        return {
            "event": "run_summary",
            "status": status,
            "error_code": self.error_code or None,
            "ttft_ms": self.ttft_ms,
            "total_ms": total_ms,
            "agents_ms": agents,
            "tool_calls": sum(1 for entry in self.timeline if entry["kind"] == "tool"),
            "tokens_streamed": self.tokens,
            **self.meter.totals(),
        }


STATUS_OF_ERROR = {
    "cancelled": "cancelled",
    "interrupted": "interrupted",
    "server_shutdown": "interrupted",
}
"""The run status an `error` event's code stands for, as the run's metric records it."""


def end_span(span: trace.Span, status: str, error_code: str, totals: dict[str, int]) -> None:
    """Set the run's outcome and usage on its span and end it."""
    if span.is_recording():
        span.set_attribute("app.run.status", status)
        span.set_attribute("gen_ai.usage.input_tokens", totals["input_tokens"])
        span.set_attribute("gen_ai.usage.output_tokens", totals["output_tokens"])
        if status != "ok":
            span.set_attribute("error.type", error_code or status)
            span.set_status(trace.StatusCode.ERROR, error_code or status)
    span.end()


def mark(name: str, at_ms: float) -> dict[str, Any]:
    """A point on the timeline (the first token)."""
    return {"kind": "mark", "name": name, "start_ms": at_ms, "end_ms": at_ms, "ok": True}
