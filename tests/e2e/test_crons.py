"""LangGraph's crons with the official SDK, against two daphne processes on one database.

The processes' schedulers read "now" from a file the tests write (CRON_CLOCK_FILE): time
moves a minute at a time, at once, for both. Each firing is an ordinary run, counted on its
thread; a firing is claimed by exactly one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from langgraph_sdk.errors import NotFoundError, UnprocessableEntityError

from harness.live_server import LiveServer, live_servers
from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user, sync_client
from tests.support.runs import api
from tests.support.waiting import until
from tests.support.webhook_receiver import WebhookReceiver

START = datetime(2030, 1, 1, 0, 0, 30, tzinfo=UTC)
ENV = {
    "CRON_POLL_SECONDS": "0.1",
    "CRON_CLAIM_SECONDS": "1",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "WEBHOOK_POLL_SECONDS": "0.2",
}


class Clock:
    """The schedulers' time: a file every process reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.set(START)

    def set(self, moment: datetime) -> None:
        """Make it `moment` for every scheduler."""
        self.path.write_text(moment.isoformat())

    def at(self, minutes: float) -> datetime:
        """START (00:00:30) plus `minutes`, and make it so."""
        moment = START + timedelta(minutes=minutes)
        self.set(moment)
        return moment


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory) -> Path:
    """Where the schedulers read the time."""
    return tmp_path_factory.mktemp("cron-clock") / "now"


@pytest.fixture(scope="module")
def pair(tmp_path_factory, template_db, clock_file) -> Iterator[list[LiveServer]]:
    """Processes A and B on one database, both scheduling."""
    clock_file.write_text(START.isoformat())
    env = {**ENV, "CRON_CLOCK_FILE": str(clock_file)}
    with live_servers(tmp_path_factory.mktemp("crons"), 2, template_db=template_db, **env) as ab:
        yield ab


@pytest.fixture
def clock(pair, clock_file) -> Clock:
    """The shared clock, at START."""
    return Clock(clock_file)


def thread_of(url: str) -> tuple[str, str]:
    """A new thread of a new user's: (thread id, user)."""
    user = new_user()
    thread = sync_client(url).threads.create(metadata={"user_id": user})["thread_id"]
    return thread, user


def finished_runs(url: str, thread: str) -> list[dict]:
    """The thread's runs once none is active (oldest first)."""
    runs = sync_client(url).runs.list(thread, limit=100)
    if any(run["status"] in ("pending", "running") for run in runs):
        return []
    return list(reversed(runs))


def test_a_cron_every_minute_fires_once_a_minute_across_two_processes(pair, clock):
    a, b = pair
    thread, _ = thread_of(a.url)
    cron = sync_client(a.url).crons.create_for_thread(
        thread, ASSISTANT, schedule="* * * * *", input=ask("What is AI?")
    )
    assert cron["next_run_date"].startswith("2030-01-01T00:01:00")
    assert (cron["thread_id"], cron["schedule"], cron["enabled"]) == (thread, "* * * * *", True)
    for minute in range(1, 6):
        clock.at(minute + 0.1)
        until(lambda m=minute: len(finished_runs(b.url, thread)) == m, what=f"minute {minute}")
    runs = finished_runs(a.url, thread)
    assert [run["status"] for run in runs] == ["success"] * 5
    assert all(run["metadata"]["cron_id"] == cron["cron_id"] for run in runs)
    (found,) = sync_client(b.url).crons.search(thread_id=thread)
    assert found["next_run_date"].startswith("2030-01-01T00:06:00")
    claimed = a.log() + b.log()
    assert claimed.count(f"cron {cron['cron_id']} fired") == 5  # one process per firing


def test_a_firing_missed_for_ten_minutes_runs_once(pair, clock):
    a, _ = pair
    thread, _ = thread_of(a.url)
    sync_client(a.url).crons.create_for_thread(
        thread, ASSISTANT, schedule="* * * * *", input=ask("Hello")
    )
    clock.at(10)  # 00:10:30: no process looked in between, ten due times went by
    until(lambda: len(finished_runs(a.url, thread)) == 1, what="the missed firing")
    (found,) = sync_client(a.url).crons.search(thread_id=thread)
    assert found["next_run_date"].startswith("2030-01-01T00:11:00")  # on the schedule
    clock.at(10.6)  # 00:11:06
    until(lambda: len(finished_runs(a.url, thread)) == 2, what="the next firing")


def test_a_thread_less_cron_runs_on_a_new_thread_and_tells_its_webhook(pair, clock):
    a, _ = pair
    client = sync_client(a.url)
    user = new_user()
    with WebhookReceiver() as receiver:
        dropped = client.crons.create(
            ASSISTANT,
            schedule="*/5 * * * *",
            input=ask("What is AI?"),
            metadata={"user_id": user},
            webhook=receiver.url,
        )
        kept = client.crons.create(
            ASSISTANT,
            schedule="*/5 * * * *",
            input=ask("Hello"),
            metadata={"user_id": user},
            on_run_completed="keep",
        )
        assert (dropped["thread_id"], dropped["on_run_completed"]) == (None, "delete")
        clock.at(5)
        until(lambda: receiver.received, what="the webhook")
        payload = receiver.received[0].json()
    assert payload["status"] == "success" and payload["metadata"]["cron_id"] == dropped["cron_id"]
    assert payload["values"]["messages"][-1]["type"] == "ai"
    thread = payload["thread_id"]

    def deleted() -> bool:
        try:
            client.threads.get(thread)
        except NotFoundError:
            return True
        return False

    until(deleted, what="the dropped cron's thread deleted")
    mine = client.threads.search(metadata={"cron_id": kept["cron_id"]})
    until(lambda: client.threads.search(metadata={"cron_id": kept["cron_id"]}), what="kept")
    mine = client.threads.search(metadata={"cron_id": kept["cron_id"]})
    assert len(mine) == 1  # a new thread, kept


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"schedule": "every minute"}, "Invalid cron schedule"),
        ({"schedule": "* * * * * *"}, "Invalid cron schedule"),  # seconds: too fine
        ({"timezone": "Mars/Olympus"}, "Invalid timezone"),
        ({"end_time": datetime(2029, 1, 1, tzinfo=UTC)}, "end_time"),
        ({"webhook": "http://10.1.2.3/hook"}, "webhook"),
        ({"input": {"messages": []}}, "input.messages"),
    ],
    ids=["schedule", "seconds", "timezone", "past-end", "webhook", "no-input"],
)
def test_a_cron_that_cannot_run_is_refused_naming_why_and_nothing_is_stored(
    pair, clock, fields, words
):
    a, _ = pair
    thread, _ = thread_of(a.url)
    arguments = {"schedule": "* * * * *", "input": ask("Hi")} | fields
    with pytest.raises(UnprocessableEntityError, match=words):
        sync_client(a.url).crons.create_for_thread(thread, ASSISTANT, **arguments)
    assert sync_client(a.url).crons.search(thread_id=thread) == []


def test_a_cron_on_a_thread_of_another_user_is_a_404(pair, clock):
    a, _ = pair
    thread, _ = thread_of(a.url)
    stranger = api("POST", a.url, "/v1/keys", json={"userId": new_user()}).json()["key"]
    with pytest.raises(NotFoundError):
        sync_client(a.url, stranger).crons.create_for_thread(
            thread, ASSISTANT, schedule="* * * * *", input=ask("Hi")
        )


def test_update_search_count_and_delete_as_the_sdk_calls_them(pair, clock):
    a, b = pair
    client = sync_client(a.url)
    thread, _ = thread_of(a.url)
    cron = client.crons.create_for_thread(
        thread, ASSISTANT, schedule="0 9 * * *", input=ask("Hi"), timezone="Europe/Paris"
    )
    assert cron["timezone"] == "Europe/Paris"
    assert cron["next_run_date"].startswith("2030-01-01T08:00:00")  # 9:00 in Paris, in UTC
    updated = client.crons.update(cron["cron_id"], schedule="30 * * * *", enabled=False)
    assert (updated["schedule"], updated["enabled"]) == ("30 * * * *", False)
    assert client.crons.count(thread_id=thread) == 1
    assert [c["cron_id"] for c in client.crons.search(thread_id=thread, enabled=False)] == [
        cron["cron_id"]
    ]
    with pytest.raises(UnprocessableEntityError, match="metadata key"):
        client.crons.search(metadata={"purpose__regex": "(a+)+$"})  # never an ORM lookup
    client.crons.delete(cron["cron_id"])
    assert sync_client(b.url).crons.search(thread_id=thread) == []


def test_the_native_api_lists_pauses_resumes_and_deletes_a_users_crons(pair, clock):
    a, b = pair
    thread, user = thread_of(a.url)
    witness, _ = thread_of(a.url)  # a cron left enabled: when it fired, the paused one could
    for on in (thread, witness):
        sync_client(a.url).crons.create_for_thread(
            on, ASSISTANT, schedule="* * * * *", input=ask("Hi")
        )
    (cron,) = sync_client(a.url).crons.search(thread_id=thread)
    key = api("POST", a.url, "/v1/keys", json={"userId": user}).json()["key"]
    mine = httpx.get(f"{b.url}/v1/crons", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert [c["cronId"] for c in mine.json()["crons"]] == [cron["cron_id"]]
    assert mine.json()["crons"][0]["threadId"] == thread
    paused = api("PATCH", b.url, f"/v1/crons/{cron['cron_id']}", json={"enabled": False})
    assert paused.status_code == 200 and paused.json()["enabled"] is False
    clock.at(3)
    until(lambda: len(finished_runs(a.url, witness)) == 1, what="the witness firing")
    assert sync_client(a.url).runs.list(thread) == []  # paused: not fired
    resumed = api("PATCH", a.url, f"/v1/crons/{cron['cron_id']}", json={"enabled": True})
    assert resumed.json()["nextRunDate"].startswith("2030-01-01T00:04:00")  # not the missed ones
    assert api("DELETE", a.url, f"/v1/crons/{cron['cron_id']}").status_code == 204
    assert api("DELETE", a.url, f"/v1/crons/{cron['cron_id']}").status_code == 404
    clock.at(3.6)  # 00:04:06
    until(lambda: len(finished_runs(a.url, witness)) == 2, what="the witness firing again")
    assert sync_client(a.url).runs.list(thread) == []  # deleted before it was due


def test_a_process_killed_at_the_due_time_neither_loses_nor_doubles_the_firing(
    tmp_path, template_db
):
    clock = Clock(tmp_path / "now")
    leases = {"RUN_HEARTBEAT_SECONDS": "0.2", "RUN_LEASE_SECONDS": "1"}
    env = {**ENV, **leases, "CRON_CLOCK_FILE": str(clock.path)}
    with live_servers(tmp_path, 2, template_db=template_db, **env) as (a, b):
        threads = [thread_of(a.url)[0] for _ in range(3)]
        for thread in threads:
            sync_client(a.url).crons.create_for_thread(
                thread, ASSISTANT, schedule="* * * * *", input=ask("What is AI?")
            )
        clock.at(1)
        a.process.kill()  # SIGKILL at the due time: before, during or after its claims
        a.process.wait()
        client = sync_client(b.url)
        for thread in threads:  # whatever A had done, each firing has its run
            until(lambda t=thread: len(client.runs.list(t)) == 1, timeout=60, what="minute 1")
        clock.at(1.6)  # 00:02:06
        for thread in threads:  # and the next one is the second, not the third
            until(lambda t=thread: len(finished_runs(b.url, t)) == 2, timeout=60, what="minute 2")
            minutes = [run["metadata"]["cron_id"] for run in client.runs.list(thread)]
            assert len(minutes) == 2 and len(set(minutes)) == 1
