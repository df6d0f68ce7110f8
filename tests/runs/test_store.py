"""The run record's database steps: one active run per session, close once, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.models import Message, Session
from checkpoints.models import Checkpoint
from runs import store
from runs.models import Run
from runs.store import (
    SessionForbidden,
    admit_run,
    close_run,
    is_run_id,
    request_cancel,
    take_session,
)

pytestmark = pytest.mark.django_db


def admit(session: Session) -> tuple[Run, Run | None]:
    """Admit a run of alice's in `session`."""
    admission = async_to_sync(admit_run)(
        session.session_id, user_id="alice", on_disconnect="cancel"
    )
    return admission.run, admission.holder


def age(run: Run, seconds: float) -> None:
    """Make the run's last heartbeat `seconds` old (its owner stopped then)."""
    then = timezone.now() - timedelta(seconds=seconds)
    Run.objects.filter(pk=run.pk).update(heartbeat_at=then)


def test_the_first_run_takes_the_session_and_the_second_queues_behind_it(alice_session):
    first, holder = admit(alice_session)
    second, second_holder = admit(alice_session)
    assert (first.status, holder) == ("running", None)
    assert second.status == "queued" and second_holder.pk == first.pk
    assert Session.objects.get(pk=alice_session.pk).active_run_id == first.pk
    assert not async_to_sync(take_session)(alice_session.session_id, second)


def test_a_run_in_a_new_session_creates_the_session_already_held_by_it(db):
    admission = async_to_sync(admit_run)("fresh", user_id="alice", on_disconnect="continue")
    session = Session.objects.get(session_id="fresh")
    run = Run.objects.get(pk=admission.run.pk)
    assert (session.user_id, session.active_run_id) == ("alice", run.pk)
    assert (run.status, run.on_disconnect, admission.holder) == ("running", "continue", None)
    assert run.started_at is not None and admission.session.pk == session.pk
    second = async_to_sync(admit_run)("fresh", user_id="alice", on_disconnect="cancel")
    assert second.run.status == "queued" and second.holder.pk == run.pk


def test_another_users_session_refuses_admission_and_stores_nothing(alice_session):
    with pytest.raises(SessionForbidden, match="belongs to another user"):
        async_to_sync(admit_run)(alice_session.session_id, user_id="bob", on_disconnect="cancel")
    assert not Run.objects.exists()
    assert Session.objects.get(pk=alice_session.pk).active_run_id is None


def test_a_session_created_by_another_request_meanwhile_is_opened_instead(db, monkeypatch):
    other = Session.objects.create(session_id="raced", user_id="alice")
    looks = []
    first_look = store.session_and_use

    def not_committed_yet(session_id):
        """The first look misses the other request's session, as if not committed yet."""
        looks.append(session_id)
        return None if len(looks) == 1 else first_look(session_id)

    monkeypatch.setattr(store, "session_and_use", not_committed_yet)
    admission = async_to_sync(admit_run)("raced", user_id="alice", on_disconnect="cancel")
    monkeypatch.undo()
    assert len(looks) >= 2, "the insert failed on the unique sessionId and admission retried"
    assert admission.session.pk == other.pk and admission.run.status == "running"
    assert Session.objects.filter(session_id="raced").count() == 1


def test_closing_frees_the_session_once_and_only_for_its_holder(alice_session):
    first, _ = admit(alice_session)
    second, _ = admit(alice_session)
    third, _ = admit(alice_session)
    assert close_run(third.pk, "alice-s1", "cancelled"), "a queued run can end"
    assert Session.objects.get(pk=alice_session.pk).active_run_id == first.pk
    assert close_run(first.pk, "alice-s1", "ok")
    assert not close_run(first.pk, "alice-s1", "error"), "a run ends once"
    assert Run.objects.get(pk=first.pk).status == "ok"
    assert async_to_sync(take_session)(alice_session.session_id, second)
    assert Run.objects.get(pk=second.pk).status == "running"


def test_a_cancel_of_a_finished_run_changes_nothing(alice_session):
    run, _ = admit(alice_session)
    close_run(run.pk, "alice-s1", "ok")
    assert async_to_sync(request_cancel)(run.pk, "cancelled").cancel_requested == ""


@pytest.mark.parametrize(
    ("value", "valid"),
    [("6b06de8eb5d2f54c69bad92d", True), ("6B06DE8EB5D2F54C69BAD92D", False), ("x" * 24, False)],
)
def test_run_ids_are_24_lower_case_hex_digits(value, valid):
    assert is_run_id(value) is valid


def test_a_run_that_starts_at_once_opens_its_turn_in_the_admission(alice_session):
    admission = async_to_sync(admit_run)(
        alice_session.session_id, user_id="alice", on_disconnect="cancel", prompt="And now?"
    )
    run = Run.objects.get(pk=admission.run.pk)
    prompt = Message.objects.get(pk=admission.turn.user_message_id)
    assert (prompt.role, prompt.content, prompt.user_id) == ("user", "And now?", "alice")
    assert (run.status, run.user_message_id) == ("running", prompt.pk)
    history = [turn["content"] for turn in admission.turn.packed.history]
    assert "Nice to meet you, Alice." in history, "the stored turns are in context"
    assert admission.turn.packed.messages[-1] == {"role": "user", "content": "And now?"}


def test_a_new_sessions_first_turn_is_packed_without_reading_messages(db):
    with CaptureQueriesContext(connection) as queries:
        admission = async_to_sync(admit_run)(
            "fresh", user_id="alice", on_disconnect="cancel", prompt="Hello"
        )
    assert not [q for q in queries if 'FROM "messages"' in q["sql"]]
    run = Run.objects.get(pk=admission.run.pk)
    assert run.user_message_id == admission.turn.user_message_id
    assert Message.objects.get(pk=run.user_message_id).content == "Hello"
    assert admission.turn.packed.history == [admission.turn.packed.messages[0]], "meta only"
    assert admission.turn.packed.whole_session


def test_a_queued_run_stores_no_prompt_until_it_starts(alice_session):
    admit(alice_session)
    before = Message.objects.count()
    queued = async_to_sync(admit_run)(
        alice_session.session_id, user_id="alice", on_disconnect="cancel", prompt="Later"
    )
    assert queued.run.status == "queued" and queued.turn is None
    assert Message.objects.count() == before
    assert Run.objects.get(pk=queued.run.pk).user_message_id is None


def test_a_failed_admission_stores_neither_the_run_nor_the_prompt(alice_session):
    def broken_packing(execute, sql, params, many, context):
        if 'FROM "messages"' in sql:
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken_packing), pytest.raises(OperationalError):
        async_to_sync(admit_run)(
            alice_session.session_id, user_id="alice", on_disconnect="cancel", prompt="Lost?"
        )
    assert not Run.objects.exists()
    assert not Message.objects.filter(content="Lost?").exists()
    assert Session.objects.get(pk=alice_session.pk).active_run_id is None


def admission_of(session_id: str, prompt: str = "Hello?") -> store.Admission:
    """Admit alice's run with a prompt in the session."""
    return async_to_sync(admit_run)(
        session_id, user_id="alice", on_disconnect="cancel", prompt=prompt
    )


def test_a_session_never_used_is_fresh_and_its_window_is_not_read(db):
    Session.objects.create(session_id="unused", user_id="alice")  # as POST /threads does
    with CaptureQueriesContext(connection) as queries:
        admission = admission_of("unused")
    assert admission.fresh_session and admission.turn.packed is not None
    assert admission.run.status == "running" and admission.holder is None
    run = Run.objects.get(pk=admission.run.pk)
    assert run.status == "running" and run.user_message_id == admission.turn.user_message_id
    assert Message.objects.get(pk=run.user_message_id).content == "Hello?"
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert not any('FROM "messages"' in sql for sql in reads), reads
    assert not any('UPDATE "runs"' in q["sql"] for q in queries), "inserted running"


def test_a_session_with_a_message_or_a_checkpoint_is_not_fresh(alice_session):
    assert not admission_of(alice_session.session_id).fresh_session, "it has messages"
    edited = Session.objects.create(session_id="edited", user_id="alice")
    Checkpoint.objects.create(
        thread_id=edited.session_id, checkpoint_id="1", kind="msgpack", data=b"", metadata=b""
    )
    assert not admission_of("edited").fresh_session, "a state edit left a checkpoint"


def test_a_run_that_loses_the_free_session_to_another_queues(alice_session, monkeypatch):
    holder = admission_of(alice_session.session_id).run
    Session.objects.filter(pk=alice_session.pk).update(active_run_id=None)
    first_look = store.session_and_use

    def taken_meanwhile(session_id):
        """The session reads free; another run takes it before the update."""
        found = first_look(session_id)
        Session.objects.filter(session_id=session_id).update(active_run_id=holder.pk)
        return found

    monkeypatch.setattr(store, "session_and_use", taken_meanwhile)
    admission = admission_of(alice_session.session_id, "Me too?")
    run = Run.objects.get(pk=admission.run.pk)
    assert (run.status, run.started_at, run.user_message_id) == ("queued", None, None)
    assert admission.holder.pk == holder.pk and admission.turn is None
    assert not Message.objects.filter(content="Me too?").exists(), "its turn opens later"
