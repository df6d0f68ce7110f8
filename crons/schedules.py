"""Cron schedules: checking one, and the next time it names (croniter), in a time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter


class CronTimes(Protocol):
    """What a firing's time depends on (a `Cron`, stored or not)."""

    schedule: str
    timezone: str
    end_time: datetime | None


class ScheduleRefused(ValueError):
    """A schedule, time zone or end time that cannot be used; the message says why."""


def check_schedule(schedule: object) -> str:
    """The schedule if croniter reads it as five fields (minute hour day month weekday).

    Refused otherwise, a sixth field (seconds) included: a run a minute is the finest grain.
    """
    if (
        not isinstance(schedule, str)
        or len(schedule.split()) != 5
        or not croniter.is_valid(schedule)
    ):
        raise ScheduleRefused(
            f"Invalid cron schedule: {schedule!r}. Use the standard cron format (minute hour "
            "day_of_month month day_of_week), e.g. '*/5 * * * *' for every 5 minutes."
        )
    return schedule


def check_timezone(name: object) -> str:
    """An IANA time zone name ("" for UTC); refused when unknown."""
    if name is None or name == "":
        return ""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, KeyError):
        raise ScheduleRefused(
            f"Invalid timezone: {name!r}. Use IANA timezone format (e.g. 'America/New_York')."
        ) from None
    return str(name)


def next_after(schedule: str, moment: datetime, timezone: str = "") -> datetime:
    """The first time after `moment` the schedule names, read in `timezone` (UTC if none)."""
    local = moment.astimezone(ZoneInfo(timezone) if timezone else UTC)
    return croniter(schedule, local).get_next(datetime).astimezone(UTC)


def next_firing(cron: CronTimes, moment: datetime) -> datetime | None:
    """The cron's first firing after `moment`; None when that is past its end time."""
    following = next_after(cron.schedule, moment, cron.timezone)
    return None if cron.end_time is not None and following > cron.end_time else following
