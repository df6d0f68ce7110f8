"""`GET /threads/{id}/runs/{rid}`'s lookup: the run, its thread's owner and its record at once."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from accounts.callers import SERVICE, Caller
from chat.models import Session
from edge.errors import RequestRejected
from protocols.langgraph.models import RunRecord
from protocols.langgraph.runs import owned_run
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
