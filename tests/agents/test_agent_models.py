"""Per-agent model settings: resolved per role, checked at start-up, recorded in the metric."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured

from agents import checks
from agents.providers import agent_choices, get_provider, parse_choice, reset_provider
from llm.anthropic_provider import AnthropicProvider
from llm.builtin.provider import BuiltinModel
from llm.openai_provider import OpenAIProvider
from telemetry.models import RequestMetric
from tests.site.test_settings import run_manage
from tests.support.engine import run_chat

NO_OVERRIDES = dict.fromkeys(("planner", "worker", "critic", "synthesizer", "summariser"), "")


@pytest.fixture(autouse=True)
def fresh_providers(settings) -> Iterator[None]:
    """Start every test from LLM_PROVIDER=builtin with no per-agent setting."""
    settings.LLM_PROVIDER = "builtin"
    settings.LLM_AGENT_MODELS = dict(NO_OVERRIDES)
    reset_provider()
    yield
    reset_provider()


@pytest.mark.parametrize(
    ("value", "choice"),
    [
        ("openai", ("openai", "")),
        ("OpenAI:gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("anthropic:claude-haiku-4-5", ("anthropic", "claude-haiku-4-5")),
        ("mock", ("builtin", "")),
        (" builtin ", ("builtin", "")),
    ],
)
def test_a_choice_is_a_provider_and_an_optional_model(value, choice):
    assert parse_choice(value) == choice


@pytest.mark.parametrize("value", ["gpt-4o", "openai-ish:x", "builtin:big", ":model"])
def test_a_bad_choice_is_refused(value):
    with pytest.raises(ValueError):
        parse_choice(value)


def test_every_role_defaults_to_llm_provider(settings):
    settings.LLM_PROVIDER = "openai"
    assert set(agent_choices().values()) == {("openai", "")}


def test_a_role_setting_overrides_llm_provider_for_that_role_only(settings):
    settings.LLM_AGENT_MODELS = {
        **NO_OVERRIDES,
        "critic": "openai:cheap",
        "synthesizer": "anthropic",
    }
    settings.OPENAI_MODEL = "default-openai"

    router = get_provider()

    assert isinstance(router.for_role("planner"), BuiltinModel)
    critic, synthesizer = router.for_role("critic"), router.for_role("synthesizer")
    assert isinstance(critic, OpenAIProvider) and critic.model == "cheap"
    assert isinstance(synthesizer, AnthropicProvider)
    assert synthesizer.model == settings.ANTHROPIC_MODEL
    assert router.models() == {
        "planner": "builtin",
        "worker": "builtin",
        "critic": "openai:cheap",
        "synthesizer": f"anthropic:{settings.ANTHROPIC_MODEL}",
        "summariser": "builtin",
    }


def test_roles_with_the_same_choice_share_one_provider(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "critic": "openai:x", "worker": "openai:x"}
    router = get_provider()
    assert router.for_role("critic") is router.for_role("worker")


def test_the_factory_names_the_variable_of_a_bad_role_setting(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "critic": "gpt-magic"}
    with pytest.raises(ImproperlyConfigured, match="LLM_CRITIC='gpt-magic'"):
        get_provider()


def test_the_check_reports_a_bad_role_setting_as_e002(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "critic": "gpt-magic", "worker": "builtin:x"}
    errors = checks.check_agent_models()
    assert [e.id for e in errors] == ["agents.E002", "agents.E002"]
    assert "LLM_WORKER" in errors[0].msg and "LLM_CRITIC" in errors[1].msg


def test_the_check_accepts_good_role_settings(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "critic": "openai:x", "planner": "mock"}
    assert checks.check_agent_models() == []


def test_anthropic_without_a_key_or_gateway_warns_w002(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "synthesizer": "anthropic"}
    settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL = "", None
    assert [w.id for w in checks.check_anthropic_credentials()] == ["agents.W002"]
    settings.ANTHROPIC_API_KEY = "sk-ant-x"
    assert checks.check_anthropic_credentials() == []


def test_openai_for_one_role_without_a_key_warns_w001(settings):
    settings.LLM_AGENT_MODELS = {**NO_OVERRIDES, "critic": "openai"}
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "", None
    assert [w.id for w in checks.check_openai_credentials()] == ["agents.W001"]


@pytest.mark.django_db(transaction=True)
async def test_the_runs_metric_records_the_model_of_each_role():
    _, events = await run_chat("models-1", get_provider())

    assert events[-1][0] == "done"
    metric = await RequestMetric.objects.aget(session_id="models-1")
    assert metric.agent_models == dict.fromkeys(NO_OVERRIDES, "builtin")


def test_start_up_fails_with_e002_on_a_bad_role_setting():
    done = run_manage("check", LLM_CRITIC="gpt-magic")
    assert done.returncode != 0
    assert "agents.E002" in done.stderr and "LLM_CRITIC='gpt-magic'" in done.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANTHROPIC_MAX_TOKENS", "0"),
        ("ANTHROPIC_TIMEOUT_SECONDS", "soon"),
        ("ANTHROPIC_MAX_RETRIES", "99"),
    ],
)
def test_a_bad_anthropic_value_names_its_variable(name, value):
    done = run_manage("check", **{name: value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and name in done.stderr
