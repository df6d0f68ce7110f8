"""Every model call, reported twice: to the run's usage meter and as an OpenTelemetry span.

Spans follow the OpenTelemetry GenAI conventions (`chat {model}`, kind CLIENT). Only the API
package is used: spans are no-ops until the process configures a tracer provider.
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


@contextlib.contextmanager
def model_call(provider: str, model: str, role: str) -> Iterator[CallUsage]:
    """Span one call and report its usage when it ends, failed or not."""
    span = tracer.start_span(
        f"chat {model}",
        kind=SpanKind.CLIENT,
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            "gen_ai.agent.name": role,
        },
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
