"""Every ModelAdmin renders for a superuser; history is read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from chat.models import Message, Session, Suggestion
from memory.models import Note
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall

OUR_MODELS = (Session, Message, Suggestion, ToolCall, RequestMetric, Note, Run)
HISTORY_MODELS = (Message, Suggestion, ToolCall, RequestMetric, Run)


@pytest.fixture
def history(alice_session):
    """One of each stored record, attached to alice's session."""
    answer = Message.objects.filter(session=alice_session, role="assistant").get()
    run = Run.objects.create(
        session=alice_session,
        user_id="alice",
        status="ok",
        user_message=Message.objects.filter(session=alice_session, role="user").get(),
        answer_message=answer,
    )
    Suggestion.objects.create(session=alice_session, message=answer, suggestions=["a", "b", "c"])
    ToolCall.objects.create(
        session=alice_session, run=run, user_id="alice", tool="db.find", args={}, latency_ms=1.5
    )
    RequestMetric.objects.create(
        session=alice_session,
        message=answer,
        ttft_ms=10,
        total_time_ms=30,
        agent_timings={"planner": 1.0, "worker": 2.0},
        run=run,
    )
    Note.objects.create(user_id="alice", session_id="alice-s1", content="likes tea")
    return alice_session


def admin_url(model, view: str, *args: object) -> str:
    """The admin URL of a model's view."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_ours_is_registered():
    for model in OUR_MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_the_changelist_renders(admin_client, history, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_the_change_page_renders(admin_client, history, model):
    record = model.objects.first()
    response = admin_client.get(admin_url(model, "change", record.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_history_cannot_be_added_or_edited(admin_client, history, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    record = model.objects.first()
    response = admin_client.get(admin_url(model, "change", record.pk))
    assert b'type="submit" value="Save"' not in response.content


def test_a_session_page_shows_its_messages_suggestions_and_metrics(admin_client, history):
    response = admin_client.get(admin_url(Session, "change", history.pk))
    body = response.content.decode()
    assert "My name is Alice" in body
    assert "Nice to meet you, Alice." in body
    assert "Suggestions" in body and "Request metrics" in body
    assert "<b>planner</b> 1.0" in body and "<b>worker</b> 2.0" in body, "readable, not raw JSON"
    metric = RequestMetric.objects.get()
    assert admin_url(RequestMetric, "change", metric.pk) in body, "links to the run's waterfall"


def test_messages_can_be_searched_by_content_and_filtered_by_role(admin_client, history):
    url = admin_url(Message, "changelist")
    body = admin_client.get(url, {"q": "My name"}).content.decode()
    assert "My name is Alice" in body and "Nice to meet you" not in body
    body = admin_client.get(url, {"role__exact": "assistant"}).content.decode()
    assert "Nice to meet you" in body and "My name is Alice" not in body


def test_sessions_list_their_message_count(admin_client, history):
    body = admin_client.get(admin_url(Session, "changelist")).content.decode()
    assert "alice-s1" in body
    assert '<td class="field-message_count">2</td>' in body


def test_the_admin_requires_login(client, history):
    response = client.get(admin_url(Session, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_ensureadmin_sets_a_password_given_later(db):
    from operations.management.commands.ensureadmin import ensure_admin

    first = ensure_admin("root", "root@example.com", "")
    assert first.created and first.generated_password
    later = ensure_admin("root", "root@example.com", "chosen-later")
    assert later.password_updated
    assert get_user_model().objects.get(username="root").check_password("chosen-later")
    assert not ensure_admin("root", "root@example.com", "chosen-later").password_updated


def test_a_run_page_links_its_session_messages_tool_calls_and_metric(admin_client, history):
    run = Run.objects.get()
    body = admin_client.get(admin_url(Run, "change", run.pk)).content.decode()
    assert admin_url(Message, "change", run.user_message_id) in body
    assert admin_url(Message, "change", run.answer_message_id) in body
    assert "?session_id=alice-s1" in body
    assert "db.find" in body and "Request metrics" in body
