"""OpenTelemetry traces, set up only when an exporter is configured.

Without `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_TRACES_EXPORTER` nothing is installed and the
API's no-op tracer makes every span free. Spans follow the GenAI semantic conventions:
`invoke_workflow` per run (here), `invoke_agent {name}` and `execute_tool {tool}` (in agents),
`chat {model}` (in the providers).
"""

from __future__ import annotations

import logging
import os

from opentelemetry import trace

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("telemetry")
_configured = False


def configure_tracing(*, exporter: str, endpoint: str) -> bool:
    """Install the SDK's tracer provider with a batch processor; return whether it did."""
    global _configured
    if _configured:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter == "console":
        span_exporter = ConsoleSpanExporter()
    elif exporter in {"", "otlp"}:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter()
    else:
        logger.warning(
            "OTEL_TRACES_EXPORTER=%s is not supported (otlp, console): no traces", exporter
        )
        return False
    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or "ai-orchestration"}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    logger.info("tracing on", extra={"exporter": exporter or "otlp", "endpoint": endpoint})
    return True


def workflow_span(*, run_id: str, session_id: str, user_id: str, provider: str) -> trace.Span:
    """Start (not enter) the span of one run."""
    return tracer.start_span(
        "invoke_workflow",
        kind=trace.SpanKind.INTERNAL,
        attributes={
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.provider.name": provider,
            "gen_ai.conversation.id": session_id,
            "app.run.id": run_id,
            "app.session.id": session_id,
            "user.id": user_id,
        },
    )
