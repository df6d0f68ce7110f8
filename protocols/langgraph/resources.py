"""The LangGraph routes that answer with JSON: info, assistants, threads, runs.

Each is a `Resource`: the edge's checks for its methods (a body, when there is one, must be
JSON within MAX_BODY_BYTES), then `handle`; refusals are LangGraph's `{"detail": …}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from accounts.callers import Caller
from edge.checks import RequestEdge, check_request
from edge.errors import RequestRejected, failure_of
from edge.streams import RunEventsConsumer
from protocols.langgraph.assistant import GRAPH_ID, assistant_object, is_assistant
from protocols.langgraph.bodies import (
    AssistantSearchBody,
    CheckpointBody,
    HistoryBody,
    StateEditBody,
    ThreadCreateBody,
    ThreadPatchBody,
    ThreadSearchBody,
    checkpoint_id_of,
    json_scalar,
    parse_body,
)
from protocols.langgraph.consumers import wait_for_state
from protocols.langgraph.runs import (
    delete_run,
    owned_run,
    roll_back_later,
    run_object,
    thread_runs,
)
from protocols.langgraph.states import edit_state, thread_history, thread_state
from protocols.langgraph.threads import (
    create_thread,
    delete_thread,
    patch_thread,
    search_threads,
    thread_object,
    thread_or_404,
)
from runs import engine
from runs.models import Run

logger = logging.getLogger(__name__)
VERSION = "0.1.0"
CANCEL_WAIT_SECONDS = 10.0
"""How long `cancel?wait=1` waits for the run to record its end."""


class Resource(RunEventsConsumer):
    """A JSON route: checks, the body within bounds, then `handle`."""

    methods: tuple[str, ...] = ("GET",)
    public = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no edge."""
        super().__init__(*args, **kwargs)
        self.edge: RequestEdge | None = None

    async def http_request(self, message: dict[str, Any]) -> None:
        """Check the request before its body is held, then collect it (bounded)."""
        if self.task is not None:
            return
        if self.public:
            await super().http_request(message)
            return
        self.edge = self.edge or RequestEdge(self.scope, self.methods, body_optional=True)
        outcome = await self.edge.receive(message)
        if isinstance(outcome, RequestRejected):
            self.task = asyncio.create_task(self.reject(outcome))
        elif outcome is not None:
            self.task = asyncio.create_task(self.respond(outcome))

    async def respond(self, body: bytes) -> None:
        """Answer the request; refusals and failures as LangGraph's errors."""
        try:
            if self.public:
                check_request(self.scope, *self.methods)
            caller = self.edge.caller if self.edge is not None else None
            await self.handle(caller, self.scope["url_route"]["kwargs"], body)  # type: ignore[arg-type]
        except RequestRejected as rejected:
            await self.reject(rejected)
        except Exception as exc:
            logger.exception("the LangGraph request failed")
            if not self.response_done:
                await self.reject(failure_of(exc))

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Answer (subclasses)."""
        raise NotImplementedError

    async def no_content(self) -> None:
        """204, as LangGraph answers a delete."""
        await self.send_headers(status=204, headers=[])
        await self.send_body(b"")
        self.response_done = True

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        """An integer query parameter within bounds; 422 otherwise."""
        raw = self.query().get(name, "")
        if raw == "":
            return default
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise RequestRejected(422, f"{name} must be an integer from {low} to {high}")
        return int(raw)


class InfoResource(Resource):
    """`GET /info`: what this server is (public, as LangGraph's)."""

    public = True

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Version and features."""
        flags = {"assistants": True, "crons": True, "langsmith": False, "store": True}
        await self.send_json(
            200, {"version": VERSION, "langgraph_py_version": None, "flags": flags}
        )


class AssistantsResource(Resource):
    """`POST /assistants/search` and `GET /assistants/{id}`."""

    methods = ("GET", "POST")

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """The one assistant, searched or fetched."""
        assistant_id = route.get("assistant_id")
        if assistant_id is None:
            if self.scope["method"] != "POST":
                raise RequestRejected(405, "Method not allowed: use POST", {"Allow": "POST"})
            search = parse_body(AssistantSearchBody, body, required=False)
            matches = (search.graph_id in (None, GRAPH_ID)) and (search.name in (None, GRAPH_ID))
            found = [assistant_object()] if matches and search.offset == 0 else []
            await self.send_json(200, found[: search.limit])
            return
        if not is_assistant(assistant_id):
            raise RequestRejected(404, f"Assistant {assistant_id} not found")
        await self.send_json(200, assistant_object())


class ThreadsResource(Resource):
    """`POST /threads` and `POST /threads/search`."""

    methods = ("POST",)
    search = False

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Create a thread, or search the caller's."""
        if self.search:
            found = await search_threads(caller, parse_body(ThreadSearchBody, body, required=False))
            await self.send_json(200, found)
            return
        session, thread = await create_thread(
            caller, parse_body(ThreadCreateBody, body, required=False)
        )
        await self.send_json(200, thread or await thread_object(session))


class ThreadResource(Resource):
    """`GET`, `PATCH` and `DELETE /threads/{id}`."""

    methods = ("GET", "PATCH", "DELETE")

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Read, update or delete the caller's thread."""
        session = await thread_or_404(caller, route["thread_id"])
        method = self.scope["method"]
        if method == "DELETE":
            if session.active_run_id:
                raise RequestRejected(409, "The thread has an active run: cancel it first")
            await delete_thread(session)
            await self.no_content()
            return
        if method == "PATCH":
            await patch_thread(session, parse_body(ThreadPatchBody, body).metadata)
            session = await thread_or_404(caller, route["thread_id"])
        await self.send_json(200, await thread_object(session))


class StateResource(Resource):
    """A thread's states: read, edited, at a checkpoint, its history.

    `GET` and `POST /threads/{id}/state`, `GET /threads/{id}/state/{checkpoint_id}`,
    `POST /threads/{id}/state/checkpoint`, `GET` and `POST /threads/{id}/history`.
    """

    methods = ("GET", "POST")
    history = False
    by_body = False
    """`POST …/state/checkpoint`: the checkpoint is named in the body."""

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """The thread's state (at a checkpoint), an edit of it, or its history."""
        session = await thread_or_404(caller, route["thread_id"])
        if self.history:
            await self.send_json(200, await self.states(session, body))
        elif self.by_body:
            named = parse_body(CheckpointBody, body).checkpoint
            state = await thread_state(session, checkpoint_id_of(named, "checkpoint"))
            await self.send_json(200, state)
        elif self.scope["method"] == "POST":
            await self.send_json(200, await edit_state(session, parse_body(StateEditBody, body)))
        else:
            await self.send_json(200, await thread_state(session, route.get("checkpoint_id", "")))

    async def states(self, session: Any, body: bytes) -> list[dict[str, Any]]:
        """The history's page: `limit`, `before`, `metadata` (a POST's body, a GET's query)."""
        if self.scope["method"] != "POST":
            limit = self.query_int("limit", 10, 1, 1000)
            before = self.query().get("before", "")
            return await thread_history(session, limit=limit, before=before)
        query = parse_body(HistoryBody, body, required=False)
        filters = {key: json_scalar(key, value) for key, value in (query.metadata or {}).items()}
        return await thread_history(
            session,
            limit=query.limit,
            before=query.before_checkpoint(),
            metadata=filters,
            checkpoint_id=checkpoint_id_of(query.checkpoint, "checkpoint"),
        )


class RunsResource(Resource):
    """`GET /threads/{id}/runs`: the thread's runs, newest first."""

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """A page of runs (`limit`, `offset`, `status`)."""
        session = await thread_or_404(caller, route["thread_id"])
        limit = self.query_int("limit", 10, 1, 1000)
        offset = self.query_int("offset", 0, 0, 10_000_000)
        await self.send_json(
            200, await thread_runs(session, limit, offset, self.query().get("status"))
        )


class RunResource(Resource):
    """`GET` and `DELETE /threads/{id}/runs/{rid}`, `GET …/join`, `POST …/cancel`."""

    methods = ("GET", "DELETE")
    action = "get"

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Read, delete, join or cancel the thread's run."""
        run, record = await owned_run(caller, route["thread_id"], route["run_id"])
        if self.action == "join":
            await self.send_json(200, await wait_for_state(run.pk))
        elif self.action == "cancel":
            await self.send_json(200, run_object(await self.cancel(run), record))
        elif self.scope["method"] == "DELETE":
            await delete_run(run)
            await self.no_content()
        else:
            await self.send_json(200, run_object(run, record))

    async def cancel(self, run: Run) -> Run:
        """Stop the run (`action=interrupt|rollback`), waiting for its end when `wait=1`."""
        query = self.query()
        action = query.get("action", "interrupt")
        if action not in {"interrupt", "rollback"}:
            raise RequestRejected(422, "action must be interrupt or rollback")
        if run.finished:
            return run
        await engine.cancel(run.pk, Run.Status.INTERRUPTED)
        if action == "rollback":
            roll_back_later([run.pk])
        if query.get("wait", "0").lower() in {"1", "true"}:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(engine.until_ended(run.pk), CANCEL_WAIT_SECONDS)
        return await engine.find_run(run.pk) or run


class UnknownRoute(Resource):
    """Any other path under the mount: LangGraph's 404 (after the usual checks)."""

    methods = ("GET", "POST", "PATCH", "PUT", "DELETE")

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """404 naming what is served."""
        path = self.scope["path"]
        raise RequestRejected(404, f"Not found: {self.scope['method']} {path} is not served")
