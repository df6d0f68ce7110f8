"""What the assistant remembers of its user, for that user to see and change: `/v1/memories`.

A user key reads and changes its own user's memories only (another user's item is a 404,
exactly as one that does not exist); the service key names the user with `userId` (or acts
for SERVICE_KEY_USER). Changes are re-embedded at once: the next run recalls the new text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from accounts.callers import Caller
from accounts.ninja_auth import caller_of
from accounts.schemas import ErrorOut
from chat.models import USER_ID_PATTERN
from edge.conversation import user_of
from memory import longterm
from memory.learning import key_of, sentence_of
from memory.models import MemoryItem

router = Router(tags=["memories"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class MemoryOut(Schema):
    """One remembered item (`score`: its similarity to `q`, when searched)."""

    id: str
    namespace: list[str]
    key: str
    text: str
    value: dict[str, Any]
    source: str
    sessionId: str = Field(alias="session_id")
    runId: str = Field(alias="run_id")
    createdAt: datetime = Field(alias="created_at")
    updatedAt: datetime = Field(alias="updated_at")
    usedAt: datetime | None = Field(alias="used_at")
    score: float | None = None

    @staticmethod
    def resolve_namespace(item: MemoryItem) -> list[str]:
        """The namespace's labels."""
        return longterm.split(item.namespace)


class MemoriesOut(Schema):
    """A page of memories: by relevance to `q`, else the newest first."""

    memories: list[MemoryOut]
    count: int


class MemoriesQuery(Schema):
    """Query parameters of the list."""

    q: str | None = Field(None, max_length=2000, description="Search by meaning (or words).")
    limit: int = Field(20, ge=1, le=longterm.SEARCH_LIMIT)
    offset: int = Field(0, ge=0, le=100_000)
    userId: str | None = Field(None, pattern=USER_ID_PATTERN, description="Service key: whose.")


class WhoQuery(Schema):
    """Whose memories (the service key names the user)."""

    userId: str | None = Field(None, pattern=USER_ID_PATTERN, description="Service key: whose.")


class MemoryIn(Schema):
    """A memory's new text (what is recalled, in the user's words)."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def owner(caller: Caller, user_id: str | None) -> str:
    """Whose memories the request is about: the key's user, or the one the service key names."""
    return user_of(caller, user_id, "userId", status=422, owner=True)


def scored(found: list[longterm.Found]) -> list[MemoryItem]:
    """The items found, each with its score."""
    for hit in found:
        hit.item.score = hit.score  # type: ignore[attr-defined]
    return [hit.item for hit in found]


@router.get("/memories", response={200: MemoriesOut, 403: ErrorOut, **ERRORS}, summary="List")
async def list_memories(request: HttpRequest, query: Query[MemoriesQuery]) -> dict[str, Any]:
    """The user's memories: those most related to `q`, or the newest first."""
    user_id = owner(caller_of(request), query.userId)
    found = await sync_to_async(longterm.search)(
        user_id, query.q, limit=query.limit, offset=query.offset
    )
    return {"memories": scored(found), "count": len(found)}


@router.post("/memories", response={201: MemoryOut, 403: ErrorOut, 413: ErrorOut, **ERRORS})
async def add_memory(
    request: HttpRequest, body: MemoryIn, query: Query[WhoQuery]
) -> Status[MemoryItem]:
    """Remember `text` for the user (saying the same thing again updates the one item)."""
    user_id = owner(caller_of(request), query.userId)
    text = sentence_of(body.text)
    item = await put(user_id, longterm.MEMORIES, key_of(text), text)
    return Status(201, item)


@router.patch(
    "/memories/{memory_id}", response={200: MemoryOut, 403: ErrorOut, 413: ErrorOut, **ERRORS}
)
async def change_memory(
    request: HttpRequest, memory_id: str, body: MemoryIn, query: Query[WhoQuery]
) -> MemoryItem:
    """Change what a memory says (its key stays: a later statement of it replaces it again)."""
    item = await mine(caller_of(request), memory_id, query.userId)
    namespace = longterm.split(item.namespace)
    return await put(item.user_id, namespace, item.key, body.text, item.value)


@router.delete("/memories/{memory_id}", response={204: None, 403: ErrorOut, **ERRORS})
async def delete_memory(request: HttpRequest, memory_id: str, query: Query[WhoQuery]) -> Status:
    """Forget one memory."""
    item = await mine(caller_of(request), memory_id, query.userId)
    await sync_to_async(longterm.delete_items)(item.user_id, MemoryItem.objects.filter(pk=item.pk))
    return Status(204, None)


class ForgottenOut(Schema):
    """How many memories were forgotten."""

    deleted: int


@router.delete("/memories", response={200: ForgottenOut, 403: ErrorOut, **ERRORS})
async def forget_all(request: HttpRequest, query: Query[WhoQuery]) -> dict[str, int]:
    """Forget everything remembered for the user (their chats stay)."""
    user_id = owner(caller_of(request), query.userId)
    return {"deleted": await sync_to_async(longterm.forget)(user_id)}


async def mine(caller: Caller, memory_id: str, user_id: str | None) -> MemoryItem:
    """The user's memory of this id; 404 for another user's, exactly as for none."""
    found = await MemoryItem.objects.filter(pk=memory_id, user_id=owner(caller, user_id)).afirst()
    if found is None:
        raise HttpError(404, f"Memory {memory_id!r} not found")
    return found


async def put(
    user_id: str,
    namespace: tuple[str, ...] | list[str],
    key: str,
    text: str,
    value: dict[str, Any] | None = None,
) -> MemoryItem:
    """Store the text (in the value's `text`), re-embedded; 413 past MEMORY_MAX_VALUE_CHARS."""
    try:
        return await sync_to_async(longterm.put)(
            user_id, namespace, key, {**(value or {}), "text": text}
        )
    except longterm.MemoryTooLarge as exc:
        raise HttpError(413, str(exc)) from None
