"""Per-agent models: each request goes to the provider configured for its role."""

from __future__ import annotations

import pytest

from agents.schemas import Verdict
from llm.builtin.provider import BuiltinModel
from llm.openai_provider import OpenAIProvider
from llm.requests import CriticRequest, SynthesizerRequest
from llm.router import ModelRouter
from llm.usage import metering
from tests.support.fake_openai import FakeOpenAI, pipeline_responder


async def test_each_role_is_answered_by_its_own_provider():
    builtin = BuiltinModel()
    with FakeOpenAI(pipeline_responder) as fake:
        cheap = OpenAIProvider(base_url=fake.base_url, model="cheap", max_retries=0)
        router = ModelRouter(
            {
                "planner": builtin,
                "worker": builtin,
                "critic": cheap,
                "synthesizer": builtin,
                "summariser": builtin,
            }
        )
        with metering() as meter:
            await router.structured(CriticRequest(question="q"), Verdict)
            await router.complete(SynthesizerRequest(question="What is AI?"))
        await router.aclose()

    assert [r.json["model"] for r in fake.requests] == ["cheap"]
    assert [(c.role, c.provider) for c in meter.calls] == [
        ("critic", "openai"),
        ("synthesizer", "builtin"),
    ]
    assert router.models()["critic"] == "openai:cheap"
    assert router.models()["planner"] == "builtin"


def test_a_router_needs_a_provider_for_every_role():
    with pytest.raises(ValueError, match="no provider for worker"):
        ModelRouter({"planner": BuiltinModel()})
