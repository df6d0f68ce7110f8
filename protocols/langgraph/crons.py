"""LangGraph's crons, as `client.crons.*` calls them, and how one fires.

`POST /runs/crons`, `POST /threads/{id}/runs/crons`, `POST /runs/crons/search` and `/count`,
`GET`, `PATCH` and `DELETE /runs/crons/{id}`.

A cron keeps the run request it was made with (`payload`, what LangGraph's server keeps);
when the scheduler (crons/scheduler.py) claims a firing, `start_firing` admits that request
as a background run: on the cron's thread, or on a new thread for a thread-less cron (whose
thread is deleted once its run ended and its webhook was dealt with, unless
`on_run_completed: keep`). Every field is checked when the cron is made, so a firing does
not fail on what could have been refused then.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.callers import Caller
from accounts.limits import RateLimited, check_request_rate
from chat.models import Session
from crons import clock
from crons.models import Cron, Firing
from crons.scheduler import FiringRefused, Protocol, register
from crons.schedules import ScheduleRefused, check_schedule, check_timezone, next_firing
from edge.conversation import checked_webhook
from edge.errors import RequestRejected
from protocols.langgraph.assistant import ASSISTANT_ID, is_assistant
from protocols.langgraph.bodies import (
    Body,
    RunBody,
    SearchBody,
    json_scalar,
    metadata_key,
    parse_body,
    prompt_of,
)
from protocols.langgraph.resources import Resource
from protocols.langgraph.runs import store_record
from protocols.langgraph.threads import iso, thread_or_404, thread_user
from runs import engine
from runs.engine import RunRequest

RUN_FIELDS = (
    "assistant_id", "input", "metadata", "config", "context", "webhook", "multitask_strategy",
    "stream_mode", "stream_subgraphs", "stream_resumable", "durability", "checkpoint_during",
)  # fmt: skip
"""What of a cron's body is the run it starts (its `payload`)."""
SORTABLE = (
    "cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time",
)  # fmt: skip
COLUMNS = {"cron_id": "id", "thread_id": "thread_id", "assistant_id": "assistant_id"}


class CronBody(RunBody):
    """`POST /runs/crons` and `POST /threads/{id}/runs/crons`: a run request and its schedule."""

    schedule: str
    timezone: str | None = None
    end_time: datetime | None = None
    enabled: bool = True
    on_run_completed: Literal["delete", "keep"] | None = None


class CronPatchBody(Body):
    """`PATCH /runs/crons/{id}`: what may change."""

    schedule: str | None = None
    timezone: str | None = None
    end_time: datetime | None = None
    enabled: bool | None = None
    on_run_completed: Literal["delete", "keep"] | None = None
    input: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    webhook: Any = None
    interrupt_before: Any = None
    interrupt_after: Any = None
    stream_mode: str | list[str] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    durability: Literal["sync", "async", "exit"] | None = None


class CronSearchBody(SearchBody):
    """`POST /runs/crons/search` and `/count`."""

    assistant_id: str | None = None
    thread_id: str | None = None
    enabled: bool | None = None


def cron_object(cron: Cron) -> dict[str, Any]:
    """The cron as LangGraph's API gives it."""
    return {
        "cron_id": cron.pk,
        "assistant_id": cron.assistant_id,
        "thread_id": cron.thread_id or None,
        "on_run_completed": cron.on_run_completed or None,
        "end_time": iso(cron.end_time),
        "schedule": cron.schedule,
        "timezone": cron.timezone or None,
        "created_at": iso(cron.created_at),
        "updated_at": iso(cron.updated_at),
        "payload": cron.payload,
        "user_id": cron.user_id,
        "next_run_date": iso(cron.next_run_date),
        "metadata": cron.metadata,
        "enabled": cron.enabled,
    }


def refused(exc: ScheduleRefused) -> RequestRejected:
    """A schedule's refusal as LangGraph's 422."""
    return RequestRejected(422, str(exc))


def checked_end(end_time: datetime | None, now: datetime) -> datetime | None:
    """The end time, aware; 422 when it is already past."""
    if end_time is None:
        return None
    if timezone.is_naive(end_time):
        end_time = timezone.make_aware(end_time, timezone.UTC)
    if end_time <= now:
        raise RequestRejected(422, f"end_time: {end_time.isoformat()} is in the past")
    return end_time


class CronsResource(Resource):
    """`POST /runs/crons` (a new thread per firing) and `POST /threads/{id}/runs/crons`."""

    methods = ("POST",)

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Check everything the firings will need, then store the cron."""
        request = parse_body(CronBody, body)
        if not is_assistant(request.assistant_id):
            raise RequestRejected(404, f"Assistant '{request.assistant_id}' not found")
        prompt_of(request)  # 422 now rather than at every firing
        now = clock.now()
        try:
            schedule = check_schedule(request.schedule)
            zone = check_timezone(request.timezone)
        except ScheduleRefused as exc:
            raise refused(exc) from None
        end_time = checked_end(request.end_time, now)
        webhook = await checked_webhook(request.webhook, "webhook")
        thread_id = route.get("thread_id")
        if thread_id is not None:
            user_id = (await thread_or_404(caller, thread_id)).user_id
        else:
            user_id = thread_user(caller, request.metadata)
        payload = request.model_dump(include=set(RUN_FIELDS), exclude_none=True)
        payload["assistant_id"] = ASSISTANT_ID
        payload |= {"webhook": webhook} if webhook else {}
        cron = Cron(
            user_id=user_id,
            thread_id=thread_id or "",
            assistant_id=ASSISTANT_ID,
            schedule=schedule,
            timezone=zone,
            payload=payload,
            metadata=request.metadata or {},
            enabled=request.enabled,
            end_time=end_time,
            on_run_completed="" if thread_id else request.on_run_completed or "delete",
        )
        cron.next_run_date = next_firing(cron, now)
        await store_cron(cron)
        await self.send_json(200, cron_object(cron))


@sync_to_async
def store_cron(cron: Cron) -> None:
    """Store a new cron; 409 past CRON_MAX_PER_USER."""
    with transaction.atomic():
        if Cron.objects.filter(user_id=cron.user_id).count() >= settings.CRON_MAX_PER_USER:
            limit = settings.CRON_MAX_PER_USER
            raise RequestRejected(409, f"The user has {limit} crons already (CRON_MAX_PER_USER)")
        cron.save(force_insert=True)


class CronSearchResource(Resource):
    """`POST /runs/crons/search` and `POST /runs/crons/count`: the caller's crons."""

    methods = ("POST",)
    count = False

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """A page of crons, or how many."""
        request = parse_body(CronSearchBody, body, required=False)
        if request.sort_by is not None and request.sort_by not in SORTABLE:
            raise RequestRejected(422, f"sort_by must be one of {', '.join(SORTABLE)}")
        found = await search_crons(caller, request, count=self.count)
        await self.send_json(200, found)


@sync_to_async
def search_crons(caller: Caller, request: CronSearchBody, *, count: bool) -> Any:
    """The caller's crons matching the search: a page of them, or their number."""
    crons = Cron.objects.filter(**caller.owner_filter(), protocol="langgraph")
    if request.assistant_id is not None:
        crons = crons.filter(
            assistant_id=ASSISTANT_ID if is_assistant(request.assistant_id) else ""
        )
    if request.thread_id is not None:
        crons = crons.filter(thread_id=request.thread_id)
    if request.enabled is not None:
        crons = crons.filter(enabled=request.enabled)
    for key, value in (request.metadata or {}).items():
        crons = crons.filter(**{f"metadata__{metadata_key(key)}": json_scalar(key, value)})
    if count:
        return crons.count()
    column = COLUMNS.get(request.sort_by or "created_at", request.sort_by or "created_at")
    order = "" if request.sort_order == "asc" else "-"
    page = crons.order_by(f"{order}{column}")[request.offset : request.offset + request.limit]
    objects = [cron_object(cron) for cron in page]
    if request.select:
        objects = [{k: v for k, v in o.items() if k in request.select} for o in objects]
    return objects


class CronResource(Resource):
    """`GET`, `PATCH` and `DELETE /runs/crons/{id}`."""

    methods = ("GET", "PATCH", "DELETE")

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Read, change or delete the caller's cron."""
        cron = await Cron.objects.filter(pk=route["cron_id"], **caller.owner_filter()).afirst()
        if cron is None:
            raise RequestRejected(404, f"Cron with ID '{route['cron_id']}' not found")
        method = self.scope["method"]
        if method == "DELETE":
            await Cron.objects.filter(pk=cron.pk).adelete()
            await self.no_content()
            return
        if method == "PATCH":
            await self.patch(cron, parse_body(CronPatchBody, body))
        await self.send_json(200, cron_object(cron))

    async def patch(self, cron: Cron, request: CronPatchBody) -> None:
        """Apply the changes asked for, checked as at creation; the next date follows."""
        if not request.model_fields_set:
            raise RequestRejected(400, "Request body cannot be empty")
        now = clock.now()
        try:
            cron.schedule = check_schedule(request.schedule or cron.schedule)
            if "timezone" in request.model_fields_set:
                cron.timezone = check_timezone(request.timezone)
        except ScheduleRefused as exc:
            raise refused(exc) from None
        if "end_time" in request.model_fields_set:
            cron.end_time = checked_end(request.end_time, now)
        if request.enabled is not None:
            cron.enabled = request.enabled
        if request.on_run_completed is not None and not cron.thread_id:
            cron.on_run_completed = request.on_run_completed
        if request.metadata is not None:
            cron.metadata = request.metadata
        await self.patch_payload(cron, request)
        cron.next_run_date = next_firing(cron, now)
        cron.updated_at = timezone.now()
        await cron.asave()

    async def patch_payload(self, cron: Cron, request: CronPatchBody) -> None:
        """The run request's fields the patch changes, checked as a run's would be."""
        changes = request.model_dump(include=set(RUN_FIELDS), exclude_unset=True)
        if "webhook" in changes:
            changes["webhook"] = await checked_webhook(request.webhook, "webhook")
        payload = {k: v for k, v in (cron.payload | changes).items() if v not in (None, "")}
        prompt_of(parse_body(RunBody, json.dumps(payload, default=str).encode()))
        cron.payload = payload


async def start_firing(cron: Cron, firing: Firing) -> None:
    """Admit the firing's run: the cron's request, on its thread or a new one.

    A firing counts against its user's requests per window, as a request would: past the
    limit it is refused (recorded on the cron's firing), not queued.
    """
    try:
        await check_request_rate(Caller(kind="user", user_id=cron.user_id))
    except RateLimited as limited:
        raise FiringRefused(f"the user's rate limit: {limited.detail}") from None
    run = RunBody.model_validate(cron.payload)
    prompt = prompt_of(run)
    new_thread = None
    if cron.thread_id:
        session = await Session.objects.filter(session_id=cron.thread_id).afirst()
        if session is None:
            raise FiringRefused(f"thread {cron.thread_id} no longer exists")
    else:
        new_thread = {"cron_id": cron.pk}
    strategy = run.multitask_strategy or "enqueue"
    request = RunRequest(
        session_id=firing.thread_id,
        user_id=cron.user_id,
        prompt=prompt,
        on_disconnect="continue",
        multitask_strategy="interrupt" if strategy == "rollback" else strategy,
        webhook=run.webhook or "",
        run_id=firing.run_id,
    )
    try:
        executor = await engine.admit(request, received_at=time.perf_counter())
    except engine.SessionForbidden as forbidden:
        raise FiringRefused(str(forbidden)) from None
    except engine.RunConflict as conflict:
        raise FiringRefused(f"the thread is busy (multitask_strategy reject): {conflict}") from None
    await store_record(
        executor.run,
        new_thread,
        assistant_id=ASSISTANT_ID,
        metadata=cron.metadata | (run.metadata or {}) | {"cron_id": cron.pk},
        stream_modes=run.modes(),
        multitask_strategy=run.multitask_strategy or "enqueue",
        prompt=prompt,
    )


async def finish_firing(cron: Cron, firing: Firing) -> None:
    """A thread-less cron's firing is over: delete its thread, unless `keep`.

    Never a thread the cron was made on (its own, the user's), whatever the firing says.
    """
    if cron.thread_id or cron.on_run_completed != "delete":
        return
    session = await Session.objects.filter(session_id=firing.thread_id).afirst()
    if session is not None:
        await sync_to_async(engine.delete_session)(session)


def register_crons() -> None:
    """Let LangGraph's crons fire (called when the app is ready)."""
    register("langgraph", Protocol(start=start_firing, finish=finish_firing))
