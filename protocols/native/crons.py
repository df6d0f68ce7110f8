"""The caller's crons, whatever protocol made them: list, pause or resume, delete (`/v1/crons`).

Crons are made through LangGraph's API (`client.crons.create…`, docs/crons.md); here their
owners (or the service key) see them all, stop one from firing and start it again, or delete
it. Another user's cron is a 404, as one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from accounts.ninja_auth import caller_of
from accounts.schemas import ErrorOut
from crons import clock
from crons.models import Cron
from crons.schedules import next_firing

router = Router(tags=["crons"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CronId = Annotated[str, Path(max_length=36, description="The cron's id.")]


class CronOut(Schema):
    """A cron: when it fires, what it runs, where."""

    cronId: str = Field(alias="pk")
    userId: str = Field(alias="user_id")
    protocol: str
    threadId: str | None = Field(alias="thread_id")
    schedule: str
    timezone: str | None
    enabled: bool
    endTime: datetime | None = Field(alias="end_time")
    nextRunDate: datetime | None = Field(alias="next_run_date")
    onRunCompleted: str | None = Field(alias="on_run_completed")
    payload: dict[str, Any]
    metadata: dict[str, Any]
    createdAt: datetime = Field(alias="created_at")
    updatedAt: datetime = Field(alias="updated_at")

    @staticmethod
    def resolve_threadId(cron: Cron) -> str | None:  # noqa: N802 - the field's name
        """None for a cron that runs on a new thread each time."""
        return cron.thread_id or None

    @staticmethod
    def resolve_timezone(cron: Cron) -> str | None:
        """None for UTC."""
        return cron.timezone or None

    @staticmethod
    def resolve_onRunCompleted(cron: Cron) -> str | None:  # noqa: N802 - the field's name
        """What becomes of a thread-less cron's thread (None for a thread's cron)."""
        return cron.on_run_completed or None


class CronsOut(Schema):
    """The caller's crons, newest first."""

    crons: list[CronOut]
    count: int


class CronPatch(Schema):
    """What may change here: whether the cron fires."""

    enabled: bool


@router.get("/crons", response={200: CronsOut, **ERRORS}, summary="The caller's crons")
async def list_crons(request: HttpRequest) -> dict[str, Any]:
    """Every cron of the caller's (the service key: every user's), newest first (1,000 at most)."""
    crons = Cron.objects.filter(**caller_of(request).owner_filter()).order_by("-created_at")
    found = [cron async for cron in crons[:1000]]
    return {"crons": found, "count": len(found)}


async def owned(request: HttpRequest, cron_id: str) -> Cron:
    """The caller's cron, or 404."""
    cron = await Cron.objects.filter(pk=cron_id, **caller_of(request).owner_filter()).afirst()
    if cron is None:
        raise HttpError(404, f"Cron {cron_id!r} not found")
    return cron


@router.patch(
    "/crons/{cron_id}", response={200: CronOut, **ERRORS}, summary="Pause or resume a cron"
)
async def patch_cron(request: HttpRequest, cron_id: CronId, body: CronPatch) -> Cron:
    """`{"enabled": false}` stops its firings; `true` resumes them from the next due time."""
    cron = await owned(request, cron_id)
    cron.enabled = body.enabled
    if body.enabled:
        cron.next_run_date = next_firing(cron, clock.now())
    cron.updated_at = timezone.now()
    await cron.asave(update_fields=["enabled", "next_run_date", "updated_at"])
    return cron


@router.delete("/crons/{cron_id}", response={204: None, **ERRORS}, summary="Delete a cron")
async def delete_cron(request: HttpRequest, cron_id: CronId) -> Status:
    """Delete the cron (its past runs stay)."""
    cron = await owned(request, cron_id)
    await Cron.objects.filter(pk=cron.pk).adelete()
    return Status(204, None)
