"""What a new thread stores, and `GET /threads/{id}/runs/{rid}`'s lookup (one statement each)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from accounts.callers import SERVICE, Caller
from chat.models import Session
from edge.errors import RequestRejected
from protocols.langgraph.bodies import ThreadCreateBody
from protocols.langgraph.models import RunRecord, ThreadRecord
from protocols.langgraph.runs import owned_run
from protocols.langgraph.threads import create_thread
from runs.models import Run

pytestmark = pytest.mark.django_db
ALICE, BOB = Caller(kind="user", user_id="alice"), Caller(kind="user", user_id="bob")


@pytest.fixture
def alices_run() -> Run:
    """A run of alice's in her thread, and another thread of hers."""
    thread = Session.objects.create(session_id="alice-thread", user_id="alice")
    Session.objects.create(session_id="alice-other", user_id="alice")
    return Run.objects.create(session=thread, user_id="alice", on_disconnect="continue")


def lookup(caller: Caller, thread_id: str, run_id: str) -> tuple[Run, RunRecord | None]:
    """The lookup, synchronously."""
    return async_to_sync(owned_run)(caller, thread_id, run_id)


def test_the_owner_and_the_service_key_find_the_run_without_a_record(alices_run):
    for caller in (ALICE, SERVICE):
        run, record = lookup(caller, "alice-thread", alices_run.pk)
        assert (run.pk, run.session_id, run.status, record) == (
            alices_run.pk,
            "alice-thread",
            alices_run.status,
            None,
        )


def test_a_run_with_a_record_comes_with_it(alices_run):
    RunRecord.objects.create(run=alices_run, assistant_id="orchestrator", metadata={"a": 1})
    run, record = lookup(ALICE, "alice-thread", alices_run.pk)
    assert record is not None and record.metadata == {"a": 1}


@pytest.mark.parametrize(
    ("caller", "thread_id", "run_id", "missing"),
    [
        (BOB, "alice-thread", None, "Thread"),  # another user's thread is not found
        (ALICE, "nope", None, "Thread"),
        (ALICE, "alice-other", None, "Run"),  # the run of another thread of hers
        (ALICE, "alice-thread", "0123456789abcdef01234567", "Run"),
        (ALICE, "alice-thread", "not-a-run", "Run"),
    ],
)
def test_what_the_caller_may_not_see_is_a_404(alices_run, caller, thread_id, run_id, missing):
    with pytest.raises(RequestRejected) as rejected:
        lookup(caller, thread_id, run_id or alices_run.pk)
    assert rejected.value.status == 404 and rejected.value.detail.startswith(missing)


def create(caller: Caller, **body: object) -> tuple[Session, dict | None]:
    """POST /threads' storage step, synchronously."""
    return async_to_sync(create_thread)(caller, ThreadCreateBody(**body))


def test_a_thread_without_metadata_is_one_row_and_answered_from_it(db):
    session, thread = create(ALICE)
    assert not ThreadRecord.objects.exists(), "no metadata, no row of its own"
    assert Session.objects.get(session_id=thread["thread_id"]).user_id == "alice"
    assert thread["status"] == "idle" and thread["values"] == {"messages": []}
    assert thread["metadata"]["user_id"] == "alice" and thread["metadata"]["graph_id"]


def test_a_thread_with_metadata_keeps_it_in_its_row(db):
    _, thread = create(ALICE, metadata={"topic": "tea"})
    assert ThreadRecord.objects.get(session_id=thread["thread_id"]).metadata == {"topic": "tea"}
    assert thread["metadata"]["topic"] == "tea"


def test_an_existing_id_is_a_409_or_with_do_nothing_the_thread_found(db):
    create(ALICE, thread_id="chosen")
    with pytest.raises(RequestRejected) as rejected:
        create(ALICE, thread_id="chosen")
    assert rejected.value.status == 409
    session, thread = create(ALICE, thread_id="chosen", if_exists="do_nothing")
    assert session.session_id == "chosen" and thread is None, "read as an existing thread"
    with pytest.raises(RequestRejected):
        create(BOB, thread_id="chosen", if_exists="do_nothing")
