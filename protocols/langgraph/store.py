"""LangGraph's Store API, `/langgraph/store`: the user's long-term memory as namespaced items.

`PUT`, `GET` and `DELETE /store/items`, `POST /store/items/search` and `POST /store/namespaces`,
as `langgraph-sdk`'s `client.store` sends them and LangGraph's server answers (a missing item
is `null`, not a 404). The store and the pipeline's memories are the
same data (memory/longterm.py; the pipeline's are in the namespace `["memories"]`). A user
key's namespaces are its user's alone, whatever their names: another user's item is not
found. The service key acts for the user of the `user_id` query parameter (the SDK's
`params=`), else for SERVICE_KEY_USER.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from asgiref.sync import sync_to_async
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from accounts.callers import Caller
from chat.models import USER_ID_PATTERN
from edge.conversation import user_of
from edge.errors import RequestRejected
from memory import longterm
from memory.models import MemoryItem
from protocols.langgraph.bodies import parse_body
from protocols.langgraph.resources import Resource


def label(value: str) -> str:
    """A namespace label: not empty, no dot (LangGraph joins labels with dots)."""
    if not value or "." in value:
        raise ValueError(f"Namespace label {value!r} must be a non-empty string without periods")
    return value


Label = Annotated[str, StringConstraints(max_length=128), AfterValidator(label)]
Namespace = Annotated[list[Label], Field(max_length=16)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=256)]
FIELD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StoreBody(BaseModel):
    """A store request body: unknown fields are refused, naming them."""

    model_config = ConfigDict(extra="forbid")


class PutBody(StoreBody):
    """`PUT /store/items`."""

    namespace: Namespace
    """Not empty: a 400, as LangGraph's server answers (StoreResource.put)."""

    @field_validator("namespace")
    @classmethod
    def not_langgraphs(cls, namespace: list[str]) -> list[str]:
        """Refuse the root label LangGraph keeps for itself."""
        if namespace[:1] == ["langgraph"]:
            raise ValueError("the root label 'langgraph' is reserved")
        return namespace

    key: Key
    value: dict[str, Any]
    index: Literal[False] | list[str] | None = None
    """Which fields to embed; every item's text is embedded here (its `text`, else its JSON)."""
    ttl: None = None


class ItemBody(StoreBody):
    """`DELETE /store/items`."""

    namespace: Namespace
    key: Key


class SearchBody(StoreBody):
    """`POST /store/items/search`."""

    namespace_prefix: Namespace = Field(default_factory=list)
    filter: dict[str, Any] | None = None
    limit: int = Field(10, ge=1, le=longterm.SEARCH_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)
    query: str | None = Field(None, max_length=2000)
    refresh_ttl: bool | None = None


class NamespacesBody(StoreBody):
    """`POST /store/namespaces`."""

    prefix: Namespace | None = None
    suffix: Namespace | None = None
    max_depth: int | None = Field(None, ge=1, le=16)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


def item_object(item: MemoryItem) -> dict[str, Any]:
    """An item as the SDK reads it."""
    return {
        "namespace": longterm.split(item.namespace),
        "key": item.key,
        "value": item.value,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def search_item(hit: longterm.Found) -> dict[str, Any]:
    """A search's item: its `score` (null without a query, as LangGraph's server gives it)."""
    return item_object(hit.item) | {"score": hit.score}


def equal_fields(filters: dict[str, Any] | None) -> dict[str, Any]:
    """A search's `filter`: top-level value fields equal to JSON scalars; 422 otherwise."""
    for name, value in (filters or {}).items():
        if not FIELD.match(name):
            raise RequestRejected(422, f"filter: {name!r} is not a field name (letters, digits)")
        if isinstance(value, (dict, list)):
            raise RequestRejected(422, f"filter.{name}: match a string, number or boolean")
    return dict(filters or {})


def matching(namespaces: list[list[str]], body: NamespacesBody) -> list[list[str]]:
    """The namespaces with the body's prefix and suffix, cut at `max_depth`, each once."""
    prefix, suffix = body.prefix or [], body.suffix or []
    kept: dict[tuple[str, ...], None] = {}
    for namespace in namespaces:
        if namespace[: len(prefix)] != prefix:
            continue
        if suffix and namespace[len(namespace) - len(suffix) :] != suffix:
            continue
        kept[tuple(namespace[: body.max_depth] if body.max_depth else namespace)] = None
    return [list(namespace) for namespace in kept][body.offset : body.offset + body.limit]


class StoreResource(Resource):
    """`/store/items` (`PUT`, `GET`, `DELETE`), `/store/items/search`, `/store/namespaces`."""

    methods = ("GET", "PUT", "DELETE")
    action = "items"

    async def handle(self, caller: Caller, route: dict[str, str], body: bytes) -> None:
        """Answer for the user whose store it is."""
        user_id = self.owner(caller)
        if self.action == "search":
            await self.search(user_id, parse_body(SearchBody, body, required=False))
        elif self.action == "namespaces":
            found = await sync_to_async(longterm.namespaces)(user_id)
            listed = matching(found, parse_body(NamespacesBody, body, required=False))
            await self.send_json(200, {"namespaces": listed})
        elif self.scope["method"] == "PUT":
            await self.put(user_id, parse_body(PutBody, body))
        elif self.scope["method"] == "DELETE":
            request = parse_body(ItemBody, body)
            await sync_to_async(longterm.delete)(user_id, request.namespace, request.key)
            await self.no_content()
        else:
            await self.get(user_id)

    def owner(self, caller: Caller) -> str:
        """The key's user, or the one the service key names (`user_id`, SERVICE_KEY_USER)."""
        named = self.query().get("user_id")
        if named is not None and not re.fullmatch(USER_ID_PATTERN, named):
            raise RequestRejected(422, "user_id must be 1-128 of A-Z a-z 0-9 _ . : @ -")
        return user_of(caller, named, "user_id", status=422, owner=True)

    async def put(self, user_id: str, request: PutBody) -> None:
        """Store the item (a new one, or the same key's replaced): 204."""
        if not request.namespace:
            raise RequestRejected(400, "Namespace cannot be empty.")
        try:
            await sync_to_async(longterm.put)(
                user_id, request.namespace, request.key, request.value
            )
        except longterm.MemoryTooLarge as exc:
            raise RequestRejected(413, str(exc)) from None
        await self.no_content()

    async def get(self, user_id: str) -> None:
        """`?namespace=a.b&key=k`: the item, or `null` (LangGraph's answer for none)."""
        query = self.query()
        namespace, key = query.get("namespace", "").split("."), query.get("key", "")
        for value in namespace:
            if not value:
                raise RequestRejected(422, f"Namespace label {value!r} must be non-empty")
        if not key:
            raise RequestRejected(400, "Key is required")
        item = await sync_to_async(longterm.get)(user_id, namespace, key)
        await self.send_json(200, item_object(item) if item is not None else None)

    async def search(self, user_id: str, request: SearchBody) -> None:
        """The items under the prefix that match the filter: by similarity, or newest first."""
        found = await sync_to_async(longterm.search)(
            user_id,
            request.query,
            prefix=request.namespace_prefix,
            equal=equal_fields(request.filter),
            limit=request.limit,
            offset=request.offset,
        )
        await self.send_json(200, {"items": [search_item(hit) for hit in found]})
