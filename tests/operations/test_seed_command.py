"""`manage.py seed`: the context-aware verification and the demo data, through the pipeline."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from agents.providers import reset_provider
from chat.models import Message, Session, Suggestion
from harness.live_server import free_port
from operations.seed import DEMO_SESSIONS
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall
from tests.conftest import BOB
from tests.support.fake_openai import FakeOpenAI, pipeline_responder

pipeline_db = pytest.mark.django_db(transaction=True)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def forgetful_model(settings) -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible stand-in that answers every prompt without reading the history."""
    with FakeOpenAI(pipeline_responder) as fake:
        settings.LLM_PROVIDER = "openai"
        settings.OPENAI_BASE_URL = fake.base_url
        settings.OPENAI_API_KEY = "sk-test-forgetful"
        settings.OPENAI_MAX_RETRIES = 0
        settings.OPENAI_TIMEOUT_SECONDS = 5.0
        yield fake
    reset_provider()


@pipeline_db
def test_seed_prints_three_turns_in_process_and_recalls_alice():
    output = seed("--session", "seed-test", "--user", "seed-user")

    assert "[1/3] > My name is Alice" in output
    assert "[2/3] > What is my name?" in output
    assert "[3/3] > Summarize our conversation" in output
    assert "Your name is Alice." in output
    assert output.count("ttft ") == 3
    assert output.count("1) ") == 3
    assert "Recall OK" in output
    assert Message.objects.filter(session_id="seed-test").count() == 6


@pipeline_db
def test_seed_defaults_to_a_fresh_session_of_the_seed_user():
    seed()

    session = Session.objects.get()
    assert session.session_id.startswith("seed-")
    assert session.user_id == "seed-user"


@pipeline_db
def test_seed_fails_when_the_model_does_not_recall_the_name(forgetful_model):
    with pytest.raises(CommandError, match="did not recall the name 'Alice'"):
        seed("--session", "seed-forgetful")

    asked = [request.json["messages"][-1]["content"] for request in forgetful_model.requests]
    assert any("What is my name?" in content for content in asked)
    assert not Message.objects.filter(content="Summarize our conversation").exists()


@pipeline_db
def test_seed_fails_when_the_session_belongs_to_another_user():
    Session.objects.create(session_id="bobs-session", user_id=BOB)

    with pytest.raises(CommandError, match="rejected.*403.*belongs to another user"):
        seed("--session", "bobs-session", "--user", "seed-user")

    assert not Message.objects.exists()


def test_seed_fails_when_the_server_cannot_be_reached():
    closed = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(CommandError, match=f"Cannot reach {closed}"):
        seed("--url", closed)


@pipeline_db
def test_demo_loads_sessions_with_messages_tool_calls_suggestions_and_metrics():
    output = seed("--demo")

    assert f"{len(DEMO_SESSIONS)} session(s) created, 0 skipped" in output
    for demo in DEMO_SESSIONS:
        session = Session.objects.get(session_id=demo.session_id)
        assert session.user_id == demo.user_id
        assert session.messages.count() == 2 * len(demo.prompts)
        assert RequestMetric.objects.filter(session=session).count() == len(demo.prompts)
        assert Suggestion.objects.filter(session=session).count() == len(demo.prompts)
    assert ToolCall.objects.filter(tool="db.insert").exists()
    assert ToolCall.objects.filter(tool="db.aggregate").exists()
    assert len({demo.user_id for demo in DEMO_SESSIONS}) == 3


@pipeline_db
def test_every_demo_chat_is_a_run_counted_alike_by_the_runs_api_admin_and_dashboard(
    client, settings
):
    from console.dashboard import dashboard

    seed("--demo")
    demo = DEMO_SESSIONS[0]
    headers = {"Authorization": f"Bearer {settings.DEV_AUTH_TOKEN}"}
    listed = client.get(f"/v1/sessions/{demo.session_id}/runs", headers=headers).json()
    assert listed["count"] == len(demo.prompts)
    assert {run["status"] for run in listed["runs"]} == {"ok"}
    prompts = sum(len(d.prompts) for d in DEMO_SESSIONS)
    assert Run.objects.count() == prompts == RequestMetric.objects.exclude(run=None).count()
    assert dashboard("30d")["runs"] == Run.objects.count()


@pipeline_db
def test_demo_skips_the_sessions_that_already_exist():
    seed("--demo")
    counts = (Session.objects.count(), Message.objects.count(), ToolCall.objects.count())

    output = seed("--demo")

    assert f"0 session(s) created, {len(DEMO_SESSIONS)} skipped" in output
    assert f"skipped {DEMO_SESSIONS[0].session_id}: it already exists" in output
    assert (Session.objects.count(), Message.objects.count(), ToolCall.objects.count()) == counts


def test_demo_refuses_to_run_against_a_server():
    with pytest.raises(CommandError, match="--demo runs the pipeline in-process"):
        seed("--demo", "--url", "http://127.0.0.1:8000")
