"""`manage.py chat`: a terminal client reading prompts from a pipe."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chat.models import Message, Session
from harness.live_server import free_port
from runs.models import Run
from tests.conftest import BOB

pipeline_db = pytest.mark.django_db(transaction=True)


def chat(stdin: str, *args: str) -> str:
    out = io.StringIO()
    call_command("chat", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


@pipeline_db
def test_it_streams_an_answer_with_its_trace_and_sends_a_suggestion_by_number():
    output = chat("My name is Alice\n1\n/quit\nnever sent\n", "--session", "cli-test")

    assert "you> My name is Alice\n" in output
    assert "· planner " in output
    assert " · synthesizer\n" in output
    assert "Nice to meet you, Alice!" in output
    assert "1) What do you know about me?  2) " in output
    assert "→ What do you know about me?" in output
    assert "your name is Alice" in output
    prompts = Message.objects.filter(session_id="cli-test", role="user")
    assert list(prompts.values_list("content", flat=True)) == [
        "My name is Alice",
        "What do you know about me?",
    ]
    runs = Run.objects.filter(session_id="cli-test").order_by("created_at")
    assert [(run.status, run.user_message_id) for run in runs] == [
        ("ok", prompt.pk) for prompt in prompts.order_by("created_at")
    ], "an in-process chat is a run like any other: its row, its lock, its records"


@pipeline_db
def test_the_trace_shows_each_tool_call_with_its_agent():
    output = chat("How many messages have I sent?\n")

    assert "· worker " in output
    assert "[db.aggregate ok " in output


@pipeline_db
def test_it_defaults_to_a_fresh_session_of_the_cli_user_and_ends_at_end_of_input():
    output = chat("What is AI?")

    session = Session.objects.get()
    assert session.session_id.startswith("cli-")
    assert session.user_id == "cli-user"
    assert output.endswith("you> \n")


@pipeline_db
def test_a_rejection_is_printed_and_the_loop_goes_on():
    Session.objects.create(session_id="bobs-session", user_id=BOB)

    output = chat("hello\nhello again\n", "--session", "bobs-session")

    assert output.count("rejected: HTTP 403: Session 'bobs-session' belongs to another user") == 2
    assert not Message.objects.exists()


def test_an_unreachable_server_is_printed_and_the_loop_goes_on():
    closed = f"http://127.0.0.1:{free_port()}"

    output = chat("hello\n/quit\n", "--url", closed)

    assert f"unreachable: Cannot reach {closed}" in output
    assert output.endswith("you> /quit\n")


def test_a_number_without_a_suggestion_is_explained():
    output = chat("4\n")

    assert "No suggestion 4; there are 0." in output


def test_in_a_real_terminal_no_log_line_lands_between_the_users_lines(tmp_path, template_db):
    """stdin, stdout and stderr on a pseudo-terminal, as a person runs it."""
    import os
    import pty
    import subprocess
    import sys

    from harness.live_server import ROOT, copy_database, server_env
    from tests.support.waiting import until

    db = tmp_path / "db.sqlite3"
    copy_database(template_db, db)
    log = tmp_path / "chat.log"
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "chat", "--session", "tty-test", "--log-file", str(log)],
        cwd=ROOT,
        env=server_env(db, LOG_FORMAT="json", LOG_LEVEL="INFO"),
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    os.set_blocking(leader, False)
    screen = b""

    def read_until(text: bytes) -> bool:
        nonlocal screen
        try:
            screen += os.read(leader, 65536)
        except BlockingIOError:
            pass  # nothing more yet
        except OSError:
            return True  # the terminal closed: the command ended
        return text in screen

    try:
        until(lambda: read_until(b"you>"), timeout=60, what="the first prompt")
        os.write(leader, b"My name is Alice\n")
        until(lambda: read_until(b"synthesizer"), timeout=60, what="the answer's trace")
        until(lambda: read_until(b"you>") and screen.count(b"you>") >= 2, timeout=60, what="prompt")
        os.write(leader, b"/quit\n")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert b"run_summary" not in screen and b'"level"' not in screen
    assert '"run_summary"' in log.read_text()


@pipeline_db
def test_with_approve_writes_it_asks_before_a_write_and_does_as_told():
    output = chat(
        "Remember that I like green tea\ny\nRemember that I dislike rain\nn\n", "--approve-writes"
    )

    assert "the worker asks to run db.insert on notes: 'I like green tea'. Approve? [y/n] y" in (
        output
    )
    assert 'I\'ll remember that: "I like green tea".' in output
    assert "I did not save that note: rejected by the person reviewing it" in output
    runs = Run.objects.order_by("created_at").values_list("status", flat=True)
    assert list(runs) == ["waiting", "ok", "waiting", "ok"]


@pipeline_db
def test_paused_after_the_planner_it_goes_on_when_told_or_leaves_the_run_paused():
    output = chat("How many sessions?\ny\nWhat is AI?\nn\n", "--pause-after", "planner")

    assert "paused before worker: go on? [y/n] y" in output
    assert "left paused: a resume (docs/checkpoints.md) goes on later" in output
    runs = Run.objects.order_by("created_at").values_list("status", flat=True)
    assert list(runs) == ["waiting", "ok", "waiting"]
