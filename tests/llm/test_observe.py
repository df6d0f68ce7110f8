"""Every model call is metered under its role and traced as an OpenTelemetry GenAI span."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from agents.schemas import Plan, Verdict
from llm import observe
from llm.base import ProviderError
from llm.builtin.provider import BuiltinModel
from llm.openai_provider import OpenAIProvider
from llm.requests import CriticRequest, PlannerRequest, SynthesizerRequest, render
from llm.usage import Usage, metering
from tests.support.fake_openai import FakeOpenAI, HTTPError, pipeline_responder

QUESTION = SynthesizerRequest(question="What is AI?")


@pytest.fixture
def spans(monkeypatch) -> Iterator[InMemorySpanExporter]:
    """Spans of the llm tracer, collected by a local tracer provider."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(observe, "tracer", provider.get_tracer("llm"))
    # As when the process has set a tracer provider: whether another test set the global
    # one first must not decide what this one sees.
    monkeypatch.setattr(observe, "spans_recorded", lambda: True)
    yield exporter
    provider.shutdown()


async def test_the_builtin_model_reports_a_chars_over_four_estimate_for_every_call():
    model = BuiltinModel()
    with metering() as meter:
        answer = await model.complete(QUESTION)
        streamed = "".join([piece async for piece in model.stream(QUESTION)])
        await model.structured(CriticRequest(question="q"), Verdict)

    chars_in = sum(len(m["content"]) for m in render(QUESTION))
    expected = Usage("synthesizer", "builtin", "builtin", math.ceil(chars_in / 4), 0)
    assert meter.calls[0] == Usage(
        **{**expected.__dict__, "output_tokens": math.ceil(len(answer) / 4)}
    )
    assert streamed == answer and meter.calls[1] == meter.calls[0]
    assert meter.calls[2].role == "critic" and meter.calls[2].output_tokens > 0


async def test_a_model_call_is_a_client_span_with_the_genai_attributes(spans):
    with metering():
        await BuiltinModel().structured(PlannerRequest(prompt="What is AI?"), Plan)

    (span,) = spans.get_finished_spans()
    assert span.name == "chat builtin"
    assert span.kind is SpanKind.CLIENT
    attributes = dict(span.attributes)
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "builtin"
    assert attributes["gen_ai.request.model"] == "builtin"
    assert attributes["gen_ai.agent.name"] == "planner"
    assert attributes["gen_ai.usage.input_tokens"] > 0
    assert attributes["gen_ai.usage.output_tokens"] > 0


async def test_the_openai_provider_reports_the_usage_the_api_returns_streamed_or_not(spans):
    with FakeOpenAI(pipeline_responder) as fake:
        provider = OpenAIProvider(base_url=fake.base_url, model="m", max_retries=0)
        with metering() as meter:
            await provider.complete(QUESTION)
            [piece async for piece in provider.stream(QUESTION)]
            await provider.structured(CriticRequest(question="q"), Verdict)
        await provider.aclose()

    assert fake.requests[1].json["stream_options"] == {"include_usage": True}
    assert [call.role for call in meter.calls] == ["synthesizer", "synthesizer", "critic"]
    assert all(call.input_tokens > 0 and call.output_tokens > 0 for call in meter.calls)
    assert meter.calls[0] == meter.calls[1]  # the same answer, counted by the stand-in
    assert [span.name for span in spans.get_finished_spans()] == ["chat m"] * 3


async def test_a_failed_call_is_a_span_with_an_error_status_and_still_metered(spans):
    with FakeOpenAI(lambda request: HTTPError(500)) as fake:
        provider = OpenAIProvider(base_url=fake.base_url, model="m", max_retries=0)
        with metering() as meter, pytest.raises(ProviderError):
            await provider.complete(QUESTION)
        await provider.aclose()

    (span,) = spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "ProviderError"
    assert meter.calls == [Usage("synthesizer", "openai", "m", 0, 0)]


def test_the_leaf_package_imports_without_django():
    code = (
        "import sys; import llm.base, llm.requests, llm.builtin.provider, llm.openai_provider, "
        "llm.anthropic_provider, llm.router, llm.observe, llm.usage, llm.tokens; "
        "assert not [m for m in sys.modules if m.split('.')[0] in "
        "('django', 'chat', 'agents', 'memory', 'telemetry')], 'leaf imported the project'"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "."}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
