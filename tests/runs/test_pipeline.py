"""A chat run's outcome records, whatever the provider does (the provider is injected)."""

from __future__ import annotations

import pytest

from chat.models import Message, Suggestion
from llm.base import ProviderError
from llm.builtin.provider import BuiltinModel
from telemetry.models import RequestMetric
from tests.support.engine import run_chat

pytestmark = pytest.mark.django_db(transaction=True)


class BrokenModel(BuiltinModel):
    """The built-in model, except that its answer stream fails part-way."""

    def __init__(self, error: Exception) -> None:
        super().__init__(token_delay_ms=0)
        self.error = error

    async def stream(self, messages):
        yield "Half an "
        raise self.error


async def run(session_id: str, provider) -> list[tuple[str, dict]]:
    """Run one request in a new session of alice's through the engine; return its events."""
    _, events = await run_chat(session_id, provider)
    return events


async def test_a_successful_run_stores_the_answer_its_suggestions_and_metric():
    events = await run("r1", BuiltinModel(token_delay_ms=0))
    kind, done = events[-1]
    assert kind == "done"
    answer = await Message.objects.aget(pk=done["messageId"])
    assert answer.content == done["fullText"]
    assert (await Suggestion.objects.aget(message=answer)).suggestions == done["suggestions"]
    metric = await RequestMetric.objects.aget(session_id="r1")
    assert (metric.status, metric.total_time_ms) == ("ok", done["timings"]["total_ms"])


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ProviderError("model unavailable"), "provider_error"),
        (RuntimeError("bug"), "internal_error"),
    ],
    ids=["provider-error", "unexpected-error"],
)
async def test_a_failure_mid_run_ends_with_an_error_event_and_keeps_the_prompt(error, code):
    events = await run(f"r-{code}", BrokenModel(error))
    kind, data = events[-1]
    assert (kind, data["code"]) == ("error", code)
    if code == "internal_error":
        assert "bug" not in data["message"], "internal details stay in the log"
    roles = [m.role async for m in Message.objects.filter(session_id=f"r-{code}")]
    assert roles == ["user"], "no half-written answer is stored"
    metric = await RequestMetric.objects.aget(session_id=f"r-{code}")
    assert metric.status == "error"
