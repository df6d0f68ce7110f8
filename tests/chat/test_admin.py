"""Every ModelAdmin renders for a superuser; history is read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from chat.admin import PAGE_ROWS
from chat.models import Message, Session, Suggestion
from memory import longterm
from memory.models import MemoryItem, Note
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall

OUR_MODELS = (Session, Message, Suggestion, ToolCall, RequestMetric, Note, Run, MemoryItem)
HISTORY_MODELS = (Session, Message, Suggestion, ToolCall, RequestMetric, Run)


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
    longterm.put("alice", longterm.MEMORIES, "fact:likes", {"text": "I like tea."})
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
def test_history_cannot_be_added_edited_or_deleted(admin_client, history, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    record = model.objects.first()
    response = admin_client.get(admin_url(model, "change", record.pk))
    assert b'type="submit" value="Save"' not in response.content
    assert b"deletelink" not in response.content, "no Delete button on a read-only page"
    assert (
        admin_client.post(admin_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    )
    assert model.objects.filter(pk=record.pk).exists()


def test_a_session_page_is_read_only_and_shows_its_runs_and_conversation(admin_client, history):
    body = admin_client.get(admin_url(Session, "change", history.pk)).content.decode()
    assert "View session" in body and 'value="Save"' not in body and "<textarea" not in body
    assert "My name is Alice" in body and "Nice to meet you, Alice." in body
    run = Run.objects.get()
    assert admin_url(Run, "change", run.pk) in body
    assert '<span class="status status-ok">ok</span>' in body
    assert reverse("admin:telemetry_user", args=["alice"]) in body


def test_a_session_with_many_runs_shows_the_newest_and_links_the_rest(admin_client, history):
    Run.objects.bulk_create(
        Run(session=history, user_id="alice", status="error") for _ in range(PAGE_ROWS + 5)
    )
    body = admin_client.get(admin_url(Session, "change", history.pk)).content.decode()
    listing = admin_url(Run, "changelist") + "?session__session_id__exact=alice-s1"
    assert f'href="{listing}">All {PAGE_ROWS + 6} runs' in body
    page = admin_client.get(listing).content.decode()
    assert page.count('class="status status-error"') == PAGE_ROWS + 5


def test_every_history_row_links_its_session_and_run(admin_client, history):
    run = Run.objects.get()
    session_page = admin_url(Session, "change", history.pk)
    for model in (ToolCall, RequestMetric):
        listing = admin_client.get(admin_url(model, "changelist")).content.decode()
        assert admin_url(Run, "change", run.pk) in listing, model
        page = admin_client.get(admin_url(model, "change", model.objects.get().pk)).content
        assert session_page in page.decode() and admin_url(Run, "change", run.pk) in page.decode()
    for message in Message.objects.all():
        body = admin_client.get(admin_url(Message, "change", message.pk)).content.decode()
        assert session_page in body and admin_url(Run, "change", run.pk) in body


def test_messages_can_be_searched_by_content_and_filtered_by_role(admin_client, history):
    url = admin_url(Message, "changelist")
    body = admin_client.get(url, {"q": "My name"}).content.decode()
    assert "My name is Alice" in body and "Nice to meet you" not in body
    body = admin_client.get(url, {"role__exact": "assistant"}).content.decode()
    assert "Nice to meet you" in body and "My name is Alice" not in body


def test_sessions_are_filtered_by_activity_and_date(admin_client, history):
    url = admin_url(Session, "changelist")
    assert "alice-s1" in admin_client.get(url, {"status": "idle"}).content.decode()
    assert "alice-s1" not in admin_client.get(url, {"status": "active"}).content.decode()
    assert (
        "alice-s1"
        in admin_client.get(url, {"updated_at__gte": "2000-01-01 00:00:00+00:00"}).content.decode()
    )


def test_lists_name_columns_for_people_and_show_times_with_seconds(admin_client, history):
    for model in (Session, Message, Run, ToolCall, RequestMetric):
        body = admin_client.get(admin_url(model, "changelist")).content.decode()
        assert "Id</a>" not in body and "userId" not in body and "createdAt" not in body, model
    body = admin_client.get(admin_url(Run, "changelist")).content.decode()
    created = Run.objects.get().created_at.strftime("%Y-%m-%d %H:%M:%S")
    assert created in body


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


def test_a_run_page_tells_its_story_from_prompt_to_answer(admin_client, history):
    run = Run.objects.get()
    body = admin_client.get(admin_url(Run, "change", run.pk)).content.decode()
    assert "My name is Alice" in body and "Nice to meet you, Alice." in body
    assert admin_url(Message, "change", run.user_message_id) in body
    assert admin_url(Message, "change", run.answer_message_id) in body
    assert admin_url(Session, "change", history.pk) in body
    assert admin_url(ToolCall, "change", ToolCall.objects.get().pk) in body
    assert admin_url(RequestMetric, "change", RequestMetric.objects.get().pk) in body
    assert "TTFT 10.0 ms, total 30.0 ms" in body


def test_big_lists_are_paged_without_counting_the_whole_table(admin_client, history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(Run, "changelist"), {"status__exact": "ok"})
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("WHERE" in sql.upper() for sql in counts), counts


def test_an_unfiltered_big_table_is_counted_from_the_databases_estimate(history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from console.toolkit import EstimatedCountPaginator

    class EveryTableIsBig(EstimatedCountPaginator):
        exact_below = 0

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE messages")  # the planner's statistics, as autovacuum keeps
    with CaptureQueriesContext(connection) as queries:
        count = EveryTableIsBig(Message.objects.order_by("-created_at"), 50).count
    counted = any("COUNT(" in query["sql"].upper() for query in queries)
    assert count == Message.objects.count() == 2
    assert counted == (connection.vendor == "sqlite"), "SQLite keeps no estimate"


def test_a_memory_edited_in_the_console_is_recalled_as_edited(admin_client, history):
    memory = MemoryItem.objects.get()
    response = admin_client.post(
        admin_url(MemoryItem, "change", memory.pk), {"text": "I like green tea."}
    )
    assert response.status_code == 302
    assert longterm.recall("alice", "Do I like green tea?", k=1, room=100) == ["I like green tea."]
    assert admin_client.get(admin_url(MemoryItem, "add")).status_code == 403


@pytest.mark.parametrize("how", ["one", "chosen"])
def test_a_memory_deleted_in_the_console_is_no_longer_recalled(admin_client, history, how):
    memory = MemoryItem.objects.get()
    assert longterm.recall("alice", "Do I like tea?", k=1, room=100) == ["I like tea."]
    if how == "one":
        url, form = admin_url(MemoryItem, "delete", memory.pk), {"post": "yes"}
    else:
        url = admin_url(MemoryItem, "changelist")
        form = {"action": "delete_selected", "_selected_action": [memory.pk], "post": "yes"}
    assert admin_client.post(url, form).status_code == 302
    assert not MemoryItem.objects.exists()
    assert longterm.recall("alice", "Do I like tea?", k=1, room=100) == []


def test_the_user_page_lists_their_memories_and_links_to_edit_them(admin_client, history):
    page = admin_client.get(reverse("admin:telemetry_user", args=["alice"])).content.decode()
    assert "I like tea." in page
    assert admin_url(MemoryItem, "change", MemoryItem.objects.get().pk) in page


def test_a_run_taken_over_shows_each_attempt_and_why_it_ended(admin_client, history):
    from django.utils import timezone

    from runs.models import RunAttempt

    run = Run.objects.get()
    Run.objects.filter(pk=run.pk).update(attempt=2, owner="host-b:202:b")
    RunAttempt.objects.create(
        run=run,
        number=1,
        owner="host-a:101:a",
        started_at=timezone.now(),
        ending=RunAttempt.Ending.HANDED_OVER,
        last_event_id=57,
        resumed_by="host-b:202:b",
        resumed_at=timezone.now(),
        checkpoint_id="1f0c-checkpoint",
    )
    body = admin_client.get(admin_url(Run, "change", run.pk)).content.decode()
    assert "host-a:101:a" in body and "handed over (its server stopped)" in body
    assert "57" in body and "1f0c-checkpoint" in body
    assert "host-b:202:b" in body and "finished" in body
