"""The OpenAI routes that read or change what exists: models, and responses by id.

`GET /models`, `GET /models/{id}`; `GET /responses/{id}` (with `?stream=true&starting_after=N`:
the run's events after sequence number N, then live), `DELETE /responses/{id}`,
`POST /responses/{id}/cancel`, `GET /responses/{id}/input_items`. A response another user's
key made is a 404, exactly as one that does not exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from accounts.callers import Caller
from edge.checks import admit_caller
from edge.errors import RequestRejected, failure_of
from protocols.openai.bodies import MODEL_ID, check_model
from protocols.openai.errors import OpenAIError
from protocols.openai.rendering import OpenAIConsumer, ResponseStream, response_shape
from protocols.openai.responses import ResponseEvents, stored_response
from protocols.openai.store import ResponseRecord, delete_response, find_response
from runs import engine

logger = logging.getLogger(__name__)
MODEL_CREATED = 1_733_356_800
"""When the model `orchestrator` was first served (2024-12-05), as OpenAI's `created`."""
CANCEL_WAIT_SECONDS = 10.0
"""How long a cancel waits for the run to record its end before answering as it stands."""


def model_object() -> dict[str, Any]:
    """The pipeline as an OpenAI model."""
    return {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "orchestrator"}


class OpenAIResource(OpenAIConsumer):
    """A route: the edge's checks for its methods, then `handle`; refusals in OpenAI's shape."""

    methods: tuple[str, ...] = ("GET",)

    async def respond(self, body: bytes) -> None:
        """Check the request, then answer it."""
        try:
            caller = await self.authenticate()
            await self.handle(caller, self.scope["url_route"]["kwargs"])
        except RequestRejected as rejected:
            await self.reject(rejected)
        except Exception as exc:
            logger.exception("the OpenAI request failed")
            if not self.response_done:
                await self.reject(failure_of(exc))

    async def authenticate(self) -> Caller:
        """Method (405), header bytes and Host (400), credentials (401, 429)."""
        return await admit_caller(self.scope, *self.methods)

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """Answer the request (subclasses)."""
        raise NotImplementedError

    async def response_of(self, caller: Caller, response_id: str) -> ResponseRecord:
        """The caller's response, or 404."""
        record = await find_response(caller, response_id)
        if record is None:
            message = f"Response with id {response_id!r} not found."
            raise OpenAIError(message, status=404, param="response_id")
        self.session_id = record.run.session_id
        return record


def stored_object(record: ResponseRecord) -> dict[str, Any]:
    """The response as stored now."""
    run = record.run
    shape = response_shape(record.stored, run)
    usage = (record.input_tokens, record.output_tokens)
    return stored_response(shape, run.status, record.answer, usage, run.error)


class ModelsConsumer(OpenAIResource):
    """`GET /models` and `GET /models/{id}`."""

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """The list of one model, or the model named."""
        model_id = route.get("model_id")
        if model_id is None:
            await self.send_json(200, {"object": "list", "data": [model_object()]})
            return
        check_model(model_id)
        await self.send_json(200, model_object())


class ResponseConsumer(OpenAIResource):
    """`GET /responses/{id}` (JSON, or its events with `stream=true`) and `DELETE`."""

    methods = ("GET", "DELETE")

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """Retrieve, stream or delete the response."""
        record = await self.response_of(caller, route["response_id"])
        if self.scope["method"] == "DELETE":
            await self.delete(record)
        elif self.query().get("stream", "").lower() == "true":
            await self.stream(record)
        else:
            await self.send_run_json(200, stored_object(record), record.run.pk)

    async def delete(self, record: ResponseRecord) -> None:
        """Delete a finished response (a running one must be cancelled first)."""
        if not record.run.finished:
            message = "The response is in progress: cancel it before deleting it."
            raise OpenAIError(message, param="response_id", code="response_in_progress")
        await delete_response(record.run.pk)
        response_id = response_shape(record.stored, record.run).response_id
        deleted = {"id": response_id, "object": "response.deleted", "deleted": True}
        await self.send_json(200, deleted)

    async def stream(self, record: ResponseRecord) -> None:
        """The run's events rendered from its start, those after `starting_after` sent."""
        raw = self.query().get("starting_after", "-1")
        if not raw.lstrip("-").isdigit() or int(raw) < -1:
            message = "starting_after must be an integer sequence number (-1 for all)"
            raise OpenAIError(message, param="starting_after")
        run_id = record.run.pk
        if await engine.last_event_id(run_id) is None and record.run.finished:
            retrieve = "retrieve it without stream."
            if lost := await engine.events_lost(run_id):
                message = f"The response's events cannot be replayed: {lost}; {retrieve}"
                raise OpenAIError(message, status=410, param="stream", code="events_lost")
            message = f"The response's events are no longer retained; {retrieve}"
            raise OpenAIError(message, status=404, param="stream", code="events_expired")
        events = ResponseEvents(response_shape(record.stored, record.run))
        stream = ResponseStream(events, record.run.session_id, starting_after=int(raw))
        await self.stream_run(run_id, 0, stream)


class CancelResponseConsumer(OpenAIResource):
    """`POST /responses/{id}/cancel`: stop the run, wherever it executes; answer once it ended."""

    methods = ("POST",)

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """Cancel an active response; a finished one is answered as it is."""
        record = await self.response_of(caller, route["response_id"])
        run_id = record.run.pk
        if not record.run.finished:
            await engine.cancel(run_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(engine.until_ended(run_id), CANCEL_WAIT_SECONDS)
            record = await self.response_of(caller, route["response_id"])
        await self.send_run_json(200, stored_object(record), run_id)


class InputItemsConsumer(OpenAIResource):
    """`GET /responses/{id}/input_items`: the input it was given, as a page of items."""

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """A page of input items: `order` asc or desc (default), `after` an item id, `limit`."""
        record = await self.response_of(caller, route["response_id"])
        query = self.query()
        order = query.get("order", "desc")
        if order not in {"asc", "desc"}:
            raise OpenAIError("order must be asc or desc", param="order")
        raw_limit = query.get("limit", "20")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise OpenAIError("limit must be an integer from 1 to 100", param="limit")
        items = list(record.stored.input_items)
        if order == "desc":
            items.reverse()
        ids = [item["id"] for item in items]
        after = query.get("after")
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start : start + int(raw_limit)]
        body = {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": start + len(page) < len(items),
        }
        await self.send_run_json(200, body, record.run.pk)


class UnknownRouteConsumer(OpenAIResource):
    """Any other path under the mount: OpenAI's 404, not an HTML page."""

    methods = ("GET", "POST", "DELETE", "PUT", "PATCH")

    async def handle(self, caller: Caller, route: dict[str, str]) -> None:
        """404 naming what is served."""
        message = (
            f"Unknown route {self.scope['method']} {self.scope['path']}: this service offers "
            "/models, /chat/completions and /responses."
        )
        raise OpenAIError(message, status=404, code="unknown_url")
