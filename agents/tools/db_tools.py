"""The Worker's DB tools: `db.find`, `db.insert` and `db.aggregate`.

Each takes the model's JSON arguments and the server-side `ToolContext`, and is an
authorisation boundary: rows are always restricted to `ctx.user_id`, only allow-listed
collections and fields are reachable, and only `db.insert` writes, to the caller's notes.
They are synchronous: `agents.tools.runner` runs each call in one thread hop.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, Max, Min, Sum

from agents.degraded import skipped
from agents.tools.base import ToolContext, ToolRefused
from agents.tools.collections import OWNER_FIELD, OWNER_REFUSAL, CollectionSpec, get_collection
from agents.tools.query import translate_fields, translate_filter, translate_limit, translate_sort
from llm.embeddings import EmbeddingError
from memory.learning import remember_note
from memory.models import Note

FIND_ARGS = frozenset({"collection", "filter", "sort", "limit", "fields"})
INSERT_ARGS = frozenset({"collection", "document"})
NOTE_FIELDS = frozenset({"content", "tags"})
AGGREGATE_ARGS = frozenset({"collection", "match", "group_by", "op", "field"})
AGGREGATES: dict[str, type[models.Aggregate]] = {
    "count": Count,
    "sum": Sum,
    "avg": Avg,
    "min": Min,
    "max": Max,
}
MAX_GROUPS = 50
MAX_NOTE_CHARS = 2000
MAX_TAGS = 10
MAX_TAG_CHARS = 40


def db_find(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    """Find the caller's documents: `{"documents": [...], "count": n}`."""
    _check_args(args, FIND_ARGS, "db.find")
    collection = get_collection(args.get("collection"))
    query = translate_filter(args.get("filter"), collection)
    order = translate_sort(args.get("sort"), collection)
    limit = translate_limit(args.get("limit"))
    names = translate_fields(args.get("fields"), collection)
    rows = _owned(collection, ctx).filter(query)
    if order:
        rows = rows.order_by(*order)
    # Only the projected columns: no model instances, no decoding of unread JSON columns.
    read = rows[:limit].values(*collection.columns(names))
    documents = [collection.to_document(row, names) for row in read]
    return {"documents": documents, "count": len(documents)}


def db_insert(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    """Save a note for the caller in the current session: `{"insertedId": id}`."""
    _check_args(args, INSERT_ARGS, "db.insert")
    if args.get("collection") != "notes":
        raise ToolRefused(f"db.insert writes only to notes, not {args.get('collection')!r}")
    content, tags = _note(args.get("document"))
    _require_user(ctx)
    note = Note.objects.create(
        user_id=ctx.user_id, session_id=ctx.session_id, content=content, tags=tags
    )
    if settings.MEMORY_ENABLED:  # notes are memories: recalled in the user's later chats
        try:
            remember_note(ctx.user_id, content, session_id=ctx.session_id)
        except EmbeddingError as exc:  # the note is saved; its recall waits for a restatement
            skipped("worker", "memory", f"note {note.pk}: {exc}")
    return {"insertedId": note.pk}


def db_aggregate(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    """Aggregate the caller's documents: `{"groups": [{"key": k, "value": v}, ...]}`."""
    _check_args(args, AGGREGATE_ARGS, "db.aggregate")
    collection = get_collection(args.get("collection"))
    query = translate_filter(args.get("match"), collection)
    function = _aggregate_function(args.get("op"), args.get("field"), collection)
    group_by = args.get("group_by")
    key = None if group_by is None else collection.field(group_by, "group").orm
    rows = _owned(collection, ctx).filter(query)
    if key is None:
        total = rows.aggregate(value=function)
        return {"groups": [{"key": None, "value": total["value"]}]}
    grouped = rows.values(key).annotate(value=function).order_by("-value", key)
    return {"groups": [{"key": row[key], "value": row["value"]} for row in grouped[:MAX_GROUPS]]}


def _check_args(args: Any, allowed: frozenset[str], tool: str) -> None:
    if not isinstance(args, dict):
        raise ToolRefused(f"{tool} takes an object of arguments")
    unknown = sorted(str(key) for key in args if key not in allowed)
    if OWNER_FIELD in unknown:
        raise ToolRefused(OWNER_REFUSAL)
    if unknown:
        raise ToolRefused(
            f"{tool} does not accept {', '.join(unknown)}; arguments: {', '.join(sorted(allowed))}"
        )


def _require_user(ctx: ToolContext) -> None:
    if not ctx.user_id:
        raise ToolRefused("no calling user: DB tools need an authenticated user")


def _owned(collection: CollectionSpec, ctx: ToolContext) -> models.QuerySet:
    _require_user(ctx)
    return collection.owned_by(ctx.user_id)


def _note(document: Any) -> tuple[str, list[str]]:
    """Validate a note document, returning its stripped content and tags."""
    if not isinstance(document, dict):
        raise ToolRefused('db.insert needs a document such as {"content": "…", "tags": []}')
    if OWNER_FIELD in document:
        raise ToolRefused(OWNER_REFUSAL)
    extra = sorted(str(key) for key in document if key not in NOTE_FIELDS)
    if extra:
        raise ToolRefused(f"a note takes only content and tags, not {', '.join(extra)}")
    content = document.get("content")
    if not isinstance(content, str) or not content.strip() or len(content) > MAX_NOTE_CHARS:
        raise ToolRefused(
            f"a note's content must be a non-empty string of at most {MAX_NOTE_CHARS} characters"
        )
    return content.strip(), _tags(document.get("tags", []))


def _tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise ToolRefused(f"tags must be a list of at most {MAX_TAGS} strings")
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG_CHARS:
            raise ToolRefused(
                f"each tag must be a non-empty string of at most {MAX_TAG_CHARS} characters"
            )
    return [tag.strip() for tag in tags]


def _aggregate_function(op: Any, name: Any, collection: CollectionSpec) -> models.Aggregate:
    if not isinstance(op, str) or op not in AGGREGATES:
        raise ToolRefused(f"op must be one of {', '.join(AGGREGATES)}, not {op!r}")
    if op == "count":
        # With a field, count only the documents where that field is set (not null).
        return Count("pk" if name is None else collection.field(name, "filter").orm)
    if name is None:
        raise ToolRefused(f"op {op} needs a numeric field")
    spec = collection.field(name, "filter")
    if spec.kind != "number":
        numeric = collection.names("filter", kind="number")
        raise ToolRefused(
            f"{collection.name}.{name} is not numeric; numeric fields: {', '.join(numeric)}"
        )
    return AGGREGATES[op](spec.orm)
