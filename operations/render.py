"""How the operator commands show a streaming turn: a one-line trace, tokens, then a footer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from operations.client import StreamEvent
from operations.console import Console

SEPARATOR = " · "


def milliseconds(value: Any) -> str:
    """Format a millisecond figure compactly (`1.3ms`; `?` when missing)."""
    return f"{value:.1f}ms" if isinstance(value, int | float) else "?"


def tool_label(data: dict[str, Any]) -> str:
    """Describe a completed tool call: `[db.find ok 1.2ms]`."""
    status = "ok" if data.get("ok") else "failed"
    label = f"{data.get('tool', '?')} {status} {milliseconds(data.get('latencyMs'))}"
    if data.get("error"):
        label += f": {data['error']}"
    return f"[{label}]"


def timings_text(timings: dict[str, Any]) -> str:
    """Describe a turn's timings: TTFT and total first, then each agent's share."""
    ttft, total = milliseconds(timings.get("ttft_ms")), milliseconds(timings.get("total_ms"))
    head = f"ttft {ttft}, total {total}"
    agents = [
        f"{name} {milliseconds(ms)}"
        for name, ms in timings.items()
        if name not in ("ttft_ms", "total_ms") and not name.endswith("_tokens")
    ]
    return f"{head}; {', '.join(agents)}" if agents else head


def numbered(suggestions: Sequence[str]) -> str:
    """Number suggestions on one line: `1) … 2) … 3) …`."""
    return "  ".join(f"{number}) {text}" for number, text in enumerate(suggestions, 1))


def error_text(data: dict[str, Any]) -> str:
    """Describe an `error` event."""
    return f"error [{data.get('code', '?')}]: {data.get('message', '')}"


class TurnPrinter:
    """Print a turn's events as they arrive: the trace (optional), tokens, and any error.

    The trace collects finished agents with their tool calls and is shown as one line when
    the synthesizer starts, just before its tokens: `· planner 0.4ms · worker 1.3ms
    [db.find ok 1.2ms] · critic 0.1ms · synthesizer`.
    """

    def __init__(self, console: Console, *, trace: bool) -> None:
        """Print to `console`; show the agent trace when `trace` is set."""
        self.console = console
        self.segments: list[str] = []
        self.tools: list[str] = []
        self.trace_pending = trace
        self.line_open = False

    def __call__(self, event: StreamEvent) -> None:
        """Handle one event."""
        handler = getattr(self, f"on_{event.event}", None)
        if handler is not None:
            handler(event.data)

    def on_agent(self, data: dict[str, Any]) -> None:
        """Close a finished agent's segment; show the trace when the synthesizer starts."""
        name = data.get("name", "?")
        if data.get("status") == "completed":
            segment = " ".join([name, milliseconds(data.get("durationMs")), *self.tools])
            self.segments.append(segment)
            self.tools = []
        elif name == "synthesizer":
            self.show_trace(running=name)

    def on_tool_call_completed(self, data: dict[str, Any]) -> None:
        """Attach a tool call to the agent that made it."""
        self.tools.append(tool_label(data))

    def on_token(self, data: dict[str, Any]) -> None:
        """Write a token where the answer is growing."""
        self.show_trace()
        self.console.write(data.get("text", ""))
        self.line_open = True

    def on_done(self, data: dict[str, Any]) -> None:
        """End the answer's line."""
        self.show_trace()
        self.end_line()

    def on_error(self, data: dict[str, Any]) -> None:
        """Show the error on a line of its own."""
        self.show_trace()
        self.end_line()
        self.console.line(error_text(data))

    def show_trace(self, running: str | None = None) -> None:
        """Write the trace line once, if it is wanted and not yet written."""
        if not self.trace_pending:
            return
        self.trace_pending = False
        parts = [*self.segments, *([running] if running else []), *self.tools]
        self.console.line("· " + SEPARATOR.join(parts))

    def end_line(self) -> None:
        """Finish a line of tokens, if one is open."""
        if self.line_open:
            self.console.line()
            self.line_open = False
