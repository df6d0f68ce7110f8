"""`manage.py summarise`: which sessions it folds, how it counts, and that a rerun is a no-op."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agents.providers import reset_provider
from chat.models import Message, Session
from operations.summarise import parse_age
from tests.conftest import ALICE, BOB
from tests.support.fake_openai import FakeOpenAI, HTTPError


def summarise(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("summarise", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def conversation(session_id: str, user_id: str, *, days_idle: int = 0) -> Session:
    """A session of six turns whose last update was `days_idle` days ago."""
    session = Session.objects.create(session_id=session_id, user_id=user_id)
    Message.objects.create(session=session, user_id=user_id, role="user", content="My name is Ann")
    for number in range(5):
        role = "assistant" if number % 2 == 0 else "user"
        Message.objects.create(
            session=session, user_id=user_id, role=role, content=f"turn {number}"
        )
    Session.objects.filter(pk=session.pk).update(
        updated_at=timezone.now() - timedelta(days=days_idle)
    )
    return session


@pytest.fixture(autouse=True)
def short_window(settings) -> None:
    """Keep two turns in the short-term window, so older turns go to the summary."""
    settings.SHORT_TERM_K = 2


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        (" 2W ", timedelta(weeks=2)),
    ],
)
def test_an_age_reads_as_a_number_and_a_unit(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["7", "d", "1.5h", "-1d", "7 days", ""])
def test_anything_else_is_not_an_age(text):
    with pytest.raises(ValueError, match="is not an age"):
        parse_age(text)


@pytest.mark.parametrize("args", [[], ["--all", "--user", ALICE], ["--session", "a", "--all"]])
def test_it_requires_exactly_one_selector(args):
    with pytest.raises(CommandError, match="exactly one of --session, --user or --all"):
        summarise(*args)


def test_an_unparseable_age_is_refused():
    with pytest.raises(CommandError, match="'soon' is not an age"):
        summarise("--all", "--older-than", "soon")


@pytest.mark.django_db
def test_it_summarises_the_named_sessions_and_counts_them():
    conversation("s1", ALICE)
    conversation("s2", ALICE)
    conversation("s3", ALICE)

    out, err = summarise("--session", "s1", "--session", "s2")

    assert out.strip() == "Summarised 2 session(s): 2 updated, 0 unchanged, 0 failed."
    assert err == ""  # no progress bar when stderr is not a terminal
    assert "Ann" in Session.objects.get(session_id="s1").summary
    assert Session.objects.get(session_id="s3").summary == ""


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [[], ["--rebuild"]])
def test_a_second_run_changes_nothing(mode):
    conversation("s1", ALICE)
    summarise("--all", *mode)
    summary = Session.objects.get().summary

    out, _ = summarise("--all", *mode)

    closing, why = out.strip().splitlines()
    assert closing == "Summarised 1 session(s): 0 updated, 1 unchanged, 0 failed."
    assert "last 2 messages (SHORT_TERM_K)" in why
    assert Session.objects.get().summary == summary


@pytest.mark.django_db
def test_fresh_sessions_and_an_empty_selection_say_why_nothing_was_updated():
    session = Session.objects.create(session_id="short", user_id=ALICE)
    Message.objects.create(session=session, user_id=ALICE, role="user", content="hi")
    out, _ = summarise("--all")
    assert "1 unchanged" in out and "all their turns are still in that window" in out
    out, _ = summarise("--user", "nobody-at-all")
    assert out.strip().splitlines() == [
        "Summarised 0 session(s): 0 updated, 0 unchanged, 0 failed.",
        "No session matched: nothing to summarise.",
    ]


@pytest.mark.django_db
def test_user_selects_only_that_users_sessions():
    conversation("alice-1", ALICE)
    conversation("alice-2", ALICE)
    conversation("bob-1", BOB)

    out, _ = summarise("--user", ALICE)

    assert "Summarised 2 session(s): 2 updated" in out
    assert Session.objects.get(session_id="bob-1").summary == ""


@pytest.mark.django_db
def test_older_than_keeps_only_sessions_idle_for_longer():
    conversation("fresh", ALICE, days_idle=1)
    conversation("stale", ALICE, days_idle=10)

    out, _ = summarise("--all", "--older-than", "7d")

    assert "Summarised 1 session(s): 1 updated" in out
    assert Session.objects.get(session_id="stale").summary
    assert Session.objects.get(session_id="fresh").summary == ""


@pytest.mark.django_db
def test_an_unknown_session_is_reported_and_counted_as_failed():
    conversation("s1", ALICE)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 session\\(s\\) could not be summarised"):
        call_command("summarise", "--session", "s1", "--session", "nope", stdout=out, stderr=err)

    assert "Session 'nope' not found." in err.getvalue()
    assert out.getvalue().strip() == "Summarised 2 session(s): 1 updated, 0 unchanged, 1 failed."


@pytest.fixture
def failing_model(settings) -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible stand-in that answers every request with HTTP 500."""
    with FakeOpenAI(lambda request: HTTPError(500)) as fake:
        settings.LLM_PROVIDER = "openai"
        settings.OPENAI_BASE_URL = fake.base_url
        settings.OPENAI_MAX_RETRIES = 0
        yield fake
    reset_provider()


@pytest.mark.django_db
def test_a_model_failure_is_counted_and_the_run_goes_on(failing_model):
    conversation("s1", ALICE)
    conversation("s2", ALICE)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="2 session\\(s\\) could not be summarised"):
        call_command("summarise", "--all", stdout=out, stderr=err)

    assert len(failing_model.requests) == 2
    assert err.getvalue().count("failed:") == 2
    assert out.getvalue().strip() == "Summarised 2 session(s): 0 updated, 0 unchanged, 2 failed."
    assert Session.objects.filter(summary="").count() == 2
