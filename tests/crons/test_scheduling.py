"""Schedules, time zones, and claiming a firing: once, on the schedule, never past the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.callers import Caller
from accounts.limits import check_request_rate, reset_limits
from crons.models import Cron, Firing
from crons.scheduler import FiringRefused, claim_due, ended_to_finish
from crons.schedules import ScheduleRefused, check_schedule, check_timezone, next_after
from protocols.langgraph.crons import start_firing

T0 = datetime(2030, 3, 30, 23, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize("schedule", ["*/5 * * * *", "0 9 * * 1-5", "30 6 1 * *"])
def test_five_field_schedules_pass(schedule):
    assert check_schedule(schedule) == schedule


@pytest.mark.parametrize(
    "schedule", ["", "every minute", "61 * * * *", "* * * * * *", "@hourly", None, 5]
)
def test_anything_else_is_refused_with_the_format(schedule):
    with pytest.raises(ScheduleRefused, match="minute hour day_of_month month day_of_week"):
        check_schedule(schedule)


def test_time_zones_are_iana_names():
    assert check_timezone("Europe/Paris") == "Europe/Paris" and check_timezone(None) == ""
    with pytest.raises(ScheduleRefused, match="IANA"):
        check_timezone("Mars/Olympus")


def test_the_next_time_is_read_in_the_crons_time_zone_across_a_clock_change():
    # Paris moves its clocks forward on 2030-03-31 at 02:00: 09:00 is then 07:00 UTC, not 08:00.
    assert next_after("0 9 * * *", T0, "Europe/Paris") == datetime(2030, 3, 31, 7, tzinfo=UTC)
    assert next_after("0 9 * * *", T0) == datetime(2030, 3, 31, 9, tzinfo=UTC)


def cron(**fields) -> Cron:
    """A cron of alice's due at T0 + 30 s (every minute)."""
    return Cron.objects.create(
        user_id="alice",
        thread_id="alice-s1",
        assistant_id="orchestrator",
        schedule="* * * * *",
        next_run_date=T0 + timedelta(seconds=30),
        **fields,
    )


@pytest.mark.django_db(transaction=True)
async def test_a_due_firing_is_claimed_once_and_the_next_date_follows_the_schedule():
    made = await Cron.objects.acreate(
        user_id="alice", thread_id="t", assistant_id="a", schedule="* * * * *",
        next_run_date=T0 + timedelta(seconds=30),
    )  # fmt: skip
    late = T0 + timedelta(minutes=7)  # seven due times went by unseen
    first, second = await claim_due(late), await claim_due(late)
    assert [f.due_at for f in first] == [T0 + timedelta(seconds=30)] and second == []
    moved = await Cron.objects.aget(pk=made.pk)
    assert moved.next_run_date == datetime(2030, 3, 31, 0, 7, tzinfo=UTC)  # on the grid, once
    assert await Firing.objects.filter(cron=made).acount() == 1


@pytest.mark.django_db(transaction=True)
async def test_nothing_fires_past_the_end_time_and_disabled_crons_never_fire():
    ended = await Cron.objects.acreate(
        user_id="alice", thread_id="t", assistant_id="a", schedule="* * * * *",
        next_run_date=T0 + timedelta(seconds=30), end_time=T0 + timedelta(seconds=45),
    )  # fmt: skip
    paused = await Cron.objects.acreate(
        user_id="alice", thread_id="t2", assistant_id="a", schedule="* * * * *",
        next_run_date=T0 + timedelta(seconds=30), enabled=False,
    )  # fmt: skip
    claimed = await claim_due(T0 + timedelta(minutes=1))
    assert [f.cron_id for f in claimed] == [ended.pk]  # its last firing, before its end
    assert (await Cron.objects.aget(pk=ended.pk)).next_run_date is None
    assert await claim_due(T0 + timedelta(minutes=5)) == []
    assert not await Firing.objects.filter(cron=paused).aexists()


def test_the_admin_lists_crons_with_their_firings_and_pauses_them(admin_client, alice_session):
    made = cron()
    Firing.objects.create(
        cron=made, due_at=T0, run_id="0" * 24, thread_id="alice-s1", claimed_by="p"
    )
    assert admin.site.is_registered(Cron)
    listing = admin_client.get(reverse("admin:crons_cron_changelist"))
    assert listing.status_code == 200 and b"* * * * *" in listing.content
    page = admin_client.get(reverse("admin:crons_cron_change", args=[made.pk]))
    assert page.status_code == 200 and b"2030-03-30 23:59" in page.content
    admin_client.post(
        reverse("admin:crons_cron_changelist"), {"action": "pause", "_selected_action": [made.pk]}
    )
    made.refresh_from_db()
    assert made.enabled is False


@pytest.mark.django_db(transaction=True)
async def test_a_firing_counts_against_its_users_rate_limit(settings):
    settings.RATE_LIMIT_PER_MINUTE = 1
    reset_limits()
    made = await Cron.objects.acreate(
        user_id="busy-user", thread_id="t", assistant_id="a", schedule="* * * * *"
    )
    firing = Firing(cron=made, due_at=T0, run_id="0" * 24, thread_id="t", claimed_by="p")
    await check_request_rate(Caller(kind="user", user_id="busy-user"))  # the window's one
    with pytest.raises(FiringRefused, match="rate limit"):
        await start_firing(made, firing)
    reset_limits()


@pytest.mark.django_db(transaction=True)
async def test_only_a_thread_less_delete_crons_firings_are_finished(alice_session):
    on_thread = await Cron.objects.acreate(
        user_id="alice", thread_id="alice-s1", assistant_id="a", schedule="* * * * *"
    )
    threadless = await Cron.objects.acreate(
        user_id="alice", assistant_id="a", schedule="* * * * *", on_run_completed="delete"
    )
    for made in (on_thread, threadless):  # both left unfinished, their runs gone
        await Firing.objects.acreate(
            cron=made, due_at=T0, run_id=made.pk[:24].replace("-", "0"), thread_id="x",
            claimed_by="p", started=True,
        )  # fmt: skip
    assert [f.cron_id for f in await ended_to_finish()] == [threadless.pk]
