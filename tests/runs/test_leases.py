"""Leases on runs: renewing them, fencing a lost one, handing over, taking over once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from chat.models import Message, Session
from runs.leases import (
    Fenced,
    Lease,
    claim_runs,
    hand_over,
    renew,
    reserve_event_ids,
    take_over,
)
from runs.models import EVENT_ID_BLOCK, Run, RunAttempt
from runs.requests import RunRequest, request_json
from runs.store import OWNER, admit_run, close_run, request_cancel
from telemetry.models import RequestMetric, ToolCall

pytestmark = pytest.mark.django_db


def admit(session: Session, *, stored: bool = True) -> Run:
    """Admit a run of alice's in `session` (with its request stored, as the engine does)."""
    request = RunRequest(session.session_id, "alice", "hello")
    admission = async_to_sync(admit_run)(
        session.session_id,
        user_id="alice",
        on_disconnect="cancel",
        request=request_json(request) if stored else None,
    )
    return admission.run


def age(run: Run, seconds: float, *, owner: str = "gone:1:x") -> None:
    """Make the run's last heartbeat `seconds` old, by another (dead) process."""
    then = timezone.now() - timedelta(seconds=seconds)
    Run.objects.filter(pk=run.pk).update(heartbeat_at=then, owner=owner)


def claim(**kwargs):
    return async_to_sync(claim_runs)(exclude=(), **kwargs)


def test_a_run_past_its_lease_is_claimed_once_and_a_live_one_not(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    lost = admit(alice_session)
    alive = admit(Session.objects.create(session_id="other", user_id="alice"))
    age(lost, 3)
    sweep = claim()
    assert [c.run.pk for c in sweep.claims] == [lost.pk] and sweep.abandoned == []
    taken = Run.objects.get(pk=lost.pk)
    assert (taken.attempt, taken.owner, taken.status) == (2, OWNER, "running")
    assert taken.heartbeat_at > timezone.now() - timedelta(seconds=2)
    ended = RunAttempt.objects.get(run=lost)
    assert (ended.number, ended.owner, ended.ending) == (1, "gone:1:x", "lease_expired")
    assert ended.resumed_by == OWNER and ended.last_event_id is None
    assert sweep.claims[0].first_event_id == EVENT_ID_BLOCK + 1, "past every id it may have used"
    assert taken.event_ids_to == 2 * EVENT_ID_BLOCK
    assert claim().claims == [], "claimed once"
    assert Run.objects.get(pk=alive.pk).attempt == 1


def test_two_claims_of_what_they_saw_as_the_same_attempt_take_it_once(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session)
    age(run, 3)
    seen_by_a, seen_by_b = Run.objects.get(pk=run.pk), Run.objects.get(pk=run.pk)
    assert take_over(seen_by_a, "lease_expired") is not None
    assert take_over(seen_by_b, "lease_expired") is None
    assert Run.objects.get(pk=run.pk).attempt == 2
    assert RunAttempt.objects.filter(run=run).count() == 1


def test_a_renewal_returns_the_cancels_asked_and_the_runs_taken_over(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session)
    other = admit(Session.objects.create(session_id="other", user_id="alice"))
    Run.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=100))
    assert async_to_sync(renew)([run.pk, other.pk]) == ({}, [])
    assert Run.objects.get(pk=run.pk).heartbeat_at > timezone.now() - timedelta(seconds=5)
    async_to_sync(request_cancel)(run.pk, "cancelled")
    age(other, 3)
    claim()  # another process (this one, here) takes `other` over: its owner changes
    Run.objects.filter(pk=other.pk).update(owner="elsewhere:2:y")
    assert async_to_sync(renew)([run.pk, other.pk]) == ({run.pk: "cancelled"}, [other.pk])


def test_an_attempt_that_lost_its_lease_can_write_nothing_more(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session)
    first = Lease(run.pk, 1)
    first.check()  # held: no error
    age(run, 3)
    claim()
    with pytest.raises(Fenced):
        first.check()
    assert first.lost
    with pytest.raises(Fenced):
        async_to_sync(reserve_event_ids)(Lease(run.pk, 1), 5000)
    assert not close_run(run.pk, alice_session.session_id, "ok", attempt=1)
    assert Run.objects.get(pk=run.pk).status == "running", "its outcome is the new attempt's"
    assert Session.objects.get(pk=alice_session.pk).active_run_id == run.pk
    assert close_run(run.pk, alice_session.session_id, "ok", attempt=2)


def test_a_handed_over_run_is_claimed_at_once_and_its_ids_go_on_after_its_last(
    alice_session, settings
):
    settings.RUN_LEASE_SECONDS = 60
    run = admit(alice_session)
    assert async_to_sync(hand_over)([(Lease(run.pk, 1), 57)]) == [run.pk]
    released = Run.objects.get(pk=run.pk)
    assert released.owner == "" and released.status == "running"
    sweep = claim()
    assert [c.first_event_id for c in sweep.claims] == [58]
    ended = RunAttempt.objects.get(run=run)
    assert (ended.ending, ended.last_event_id, ended.owner) == ("handed_over", 57, OWNER)
    assert sweep.claims[0].ended.pk == ended.pk
    assert async_to_sync(hand_over)([(Lease(run.pk, 1), 60)]) == [], "not the attempt's any more"


def test_a_run_out_of_attempts_is_recorded_error_with_the_reason(alice_session, settings):
    settings.RUN_LEASE_SECONDS, settings.RUN_MAX_ATTEMPTS = 2, 2
    run = admit(alice_session)
    ToolCall.objects.create(session=alice_session, run=run, user_id="alice", tool="db.find")
    for _ in range(2):
        age(run, 3)
        sweep = claim()
    assert sweep.claims == [] and [a[1] for a in sweep.abandoned] == ["resumption_failed"]
    run.refresh_from_db()
    assert run.status == "error" and "after 2 attempts" in run.error
    metric = RequestMetric.objects.get(run=run)
    assert (metric.status, metric.tool_call_count, metric.user_id) == ("error", 1, "alice")


def test_a_run_cancelled_while_its_owner_was_gone_is_recorded_cancelled(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session)
    async_to_sync(request_cancel)(run.pk, "cancelled")
    age(run, 3)
    sweep = claim()
    assert sweep.claims == [] and [a[1] for a in sweep.abandoned] == ["cancelled"]
    assert Run.objects.get(pk=run.pk).status == "cancelled"
    assert Session.objects.get(pk=alice_session.pk).active_run_id is None


def test_a_run_stored_before_runs_resumed_is_interrupted_with_its_prompt(alice_session, settings):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session, stored=False)
    prompt = Message.objects.create(
        session=alice_session, user_id="alice", role="user", content="cut off"
    )
    age(run, 3)
    assert [a[1] for a in claim().abandoned] == ["interrupted"]
    run.refresh_from_db()
    assert (run.status, run.user_message_id) == ("interrupted", prompt.pk)


def test_nothing_is_claimed_while_the_database_failed_within_a_lease(
    alice_session, settings, monkeypatch
):
    settings.RUN_LEASE_SECONDS = 2
    run = admit(alice_session)
    age(run, 3)
    monkeypatch.setattr("runs.leases.database_failed_within", lambda seconds: True)
    assert claim().claims == []
    assert Run.objects.get(pk=run.pk).attempt == 1


def events(*kinds: str) -> list:
    """Run events 1, 2, … of the given kinds (`start:<agent>` for an agent starting)."""
    from runs.events import RunEvent

    made = []
    for n, kind in enumerate(kinds, start=1):
        name, _, agent = kind.partition(":")
        if name == "start":
            made.append(RunEvent(n, "agent", {"name": agent, "status": "started"}))
        elif name == "end":
            made.append(RunEvent(n, "agent", {"name": agent, "status": "completed"}))
        else:
            made.append(RunEvent(n, name, {}))
    return made


def test_what_an_attempt_supersedes_is_what_it_redoes():
    from runs.events import RunEvent
    from runs.recovery import superseded_after

    run = events(
        "run", "context", "start:planner", "end:planner", "start:worker", "tool_call_started"
    )
    assert superseded_after(run, 0, started=True) == 1, "again from the start: all but `run`"
    assert superseded_after(run, 1, started=True) == 4, "from the worker's start"
    assert superseded_after(run, 2, started=True) == 6, "nothing streamed past the checkpoint"
    assert superseded_after([], 1, started=True) == 1, "events gone with their process"
    assert superseded_after(run[:1], 0, started=False) == 1, "a queued run redoes nothing"
    assert superseded_after(run[3:], 1, started=True) == 1, "the start unknown: all of it"
    # A second take-over counts what the first one left standing, not what it voided.
    again = [
        *run,
        RunEvent(1001, "resumed", {"supersedes": 4}),
        *[RunEvent(1001 + n, e.event, e.data) for n, e in enumerate(run[4:], start=1)],
    ]
    assert superseded_after(again, 1, started=True) == 4
    assert superseded_after(again, 2, started=True) == 1003


def test_prometheus_counts_resumptions_by_why_and_leases_lost(alice_session, settings):
    from prometheus_client import REGISTRY

    def count(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    settings.RUN_LEASE_SECONDS = 2
    before = (
        count("chat_run_resumptions_total", reason="lease_expired"),
        count("chat_run_resumptions_total", reason="handed_over"),
        count("chat_run_leases_lost_total"),
    )
    crashed = admit(alice_session)
    handed = admit(Session.objects.create(session_id="other", user_id="alice"))
    age(crashed, 3)
    async_to_sync(hand_over)([(Lease(handed.pk, 1), 3)])
    assert len(claim().claims) == 2
    with pytest.raises(Fenced):
        Lease(crashed.pk, 1).check()
    after = (
        count("chat_run_resumptions_total", reason="lease_expired"),
        count("chat_run_resumptions_total", reason="handed_over"),
        count("chat_run_leases_lost_total"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
