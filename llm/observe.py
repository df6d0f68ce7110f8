"""Every model call, reported twice: to the run's usage meter and as an OpenTelemetry span.

Spans follow the OpenTelemetry GenAI conventions (`chat {model}`, kind CLIENT). Only the API
package is used: spans are no-ops until the process configures a tracer provider, and until
then none is made at all (`current_span`, `spans_recorded`: the API's no-op spans still cost
about 5 µs each).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from llm.usage import Usage, record_usage

tracer = trace.get_tracer("llm")


@dataclass
class CallUsage:
    """The tokens of one call, filled in by the provider as it learns them."""

    input_tokens: int = 0
    output_tokens: int = 0


def spans_recorded() -> bool:
    """Whether the process has set a tracer provider (spans made before that are no-ops)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def current_span(
    span_tracer: trace.Tracer, name: str, attributes: dict[str, str]
) -> contextlib.AbstractContextManager[trace.Span]:
    """`span_tracer.start_as_current_span(name, ...)`, or the invalid span while none is recorded.

    Callers may set attributes and status on what it yields either way.
    """
    if not spans_recorded():
        return contextlib.nullcontext(trace.INVALID_SPAN)
    return span_tracer.start_as_current_span(name, attributes=attributes)


@contextlib.contextmanager
def model_call(provider: str, model: str, role: str) -> Iterator[CallUsage]:
    """Span one call and report its usage when it ends, failed or not."""
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.request.model": model,
        "gen_ai.agent.name": role,
    }
    span = (
        tracer.start_span(f"chat {model}", kind=SpanKind.CLIENT, attributes=attributes)
        if spans_recorded()
        else trace.INVALID_SPAN
    )
    usage = CallUsage()
    try:
        yield usage
    except GeneratorExit:  # the caller stopped reading a stream: not a failure
        raise
    except BaseException as exc:
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        span.set_attribute("error.type", type(exc).__name__)
        raise
    finally:
        span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
        span.end()
        record_usage(Usage(role, provider, model, usage.input_tokens, usage.output_tokens))
