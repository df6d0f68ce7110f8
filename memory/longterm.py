"""Long-term memory: each user's items, embedded, found by meaning within that user's items.

Every function takes the user: every query names them, so one user's search never reads
another's rows (nothing is filtered after the fact). Synchronous: the run's turn reads it in
the same database trip as the rest of its context (runs/turns.py); the API wraps it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from llm.builtin.retrieval import content_stems
from llm.embeddings import Embedder, from_bytes, make_embedder, to_bytes
from llm.tokens import estimate_tokens
from memory.models import MemoryItem

MEMORIES = ("memories",)
"""The namespace of what the pipeline learns (the Store API may use others)."""
SEARCH_LIMIT = 100


class MemoryTooLarge(ValueError):
    """A value whose text is longer than MEMORY_MAX_VALUE_CHARS."""


@dataclass(frozen=True)
class Found:
    """An item a search found, with its similarity to the query (None without a query)."""

    item: MemoryItem
    score: float | None


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The embedder the settings choose, made once per process."""
    return make_embedder(
        settings.MEMORY_EMBEDDER,
        model=settings.MEMORY_EMBEDDING_MODEL,
        base_url=settings.MEMORY_EMBEDDING_BASE_URL,
        api_key=settings.OPENAI_API_KEY,
    )


def joined(namespace: Sequence[str]) -> str:
    """A namespace as stored: its labels joined by dots (labels never hold one)."""
    return ".".join(namespace)


def split(namespace: str) -> list[str]:
    """A stored namespace as its labels."""
    return namespace.split(".") if namespace else []


def text_of(value: dict[str, Any]) -> str:
    """What an item's value says, to embed and recall: its `text`, else its JSON."""
    text = value.get("text")
    if isinstance(text, str):
        return text
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def put(
    user_id: str,
    namespace: Sequence[str],
    key: str,
    value: dict[str, Any],
    *,
    source: str = MemoryItem.Source.API,
    session_id: str = "",
    run_id: str = "",
) -> MemoryItem:
    """Store `value` under (namespace, key) for the user: a new item, or the same one updated.

    Past MEMORY_MAX_ITEMS the user's oldest unused items make room (docs/memory.md).
    """
    text = text_of(value)
    if len(text) > settings.MEMORY_MAX_VALUE_CHARS:
        raise MemoryTooLarge(
            f"the value's text is {len(text)} characters; at most "
            f"{settings.MEMORY_MAX_VALUE_CHARS} are kept (MEMORY_MAX_VALUE_CHARS)"
        )
    vector = embedder().embed([text])[0]
    fields = {
        "value": value,
        "text": text,
        "source": source,
        "session_id": session_id,
        "run_id": run_id,
        "embedding": to_bytes(vector),
        "embedder": embedder().name,
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        item, created = MemoryItem.objects.update_or_create(
            user_id=user_id, namespace=joined(namespace), key=key, defaults=fields
        )
        if created:
            make_room(user_id)
    return item


def make_room(user_id: str) -> None:
    """Delete the user's oldest unused items past MEMORY_MAX_ITEMS."""
    mine = MemoryItem.objects.filter(user_id=user_id)
    over = mine.count() - settings.MEMORY_MAX_ITEMS
    if over > 0:
        oldest = mine.order_by(F("used_at").asc(nulls_first=True), "updated_at", "id")
        MemoryItem.objects.filter(pk__in=list(oldest.values_list("pk", flat=True)[:over])).delete()


def get(user_id: str, namespace: Sequence[str], key: str) -> MemoryItem | None:
    """The user's item at (namespace, key), if any."""
    return MemoryItem.objects.filter(user_id=user_id, namespace=joined(namespace), key=key).first()


def delete(user_id: str, namespace: Sequence[str], key: str) -> int:
    """Delete the user's item at (namespace, key); how many were deleted (0 or 1)."""
    mine = MemoryItem.objects.filter(user_id=user_id, namespace=joined(namespace), key=key)
    return mine.delete()[0]


def forget(user_id: str) -> int:
    """Delete everything remembered for the user; how many items."""
    return MemoryItem.objects.filter(user_id=user_id).delete()[0]


def search(
    user_id: str,
    query: str | None = None,
    *,
    prefix: Sequence[str] = (),
    equal: dict[str, Any] | None = None,
    limit: int = 10,
    offset: int = 0,
) -> list[Found]:
    """The user's items under `prefix`: by similarity to `query`, else the newest first.

    `equal` keeps the items whose value has each of these top-level fields equal to it.
    """
    mine = MemoryItem.objects.filter(user_id=user_id)
    if prefix:
        head = joined(prefix)
        mine = mine.filter(namespace=head) | mine.filter(namespace__startswith=head + ".")
    if equal:
        mine = mine.filter(**{f"value__{field}": value for field, value in equal.items()})
    if not query:
        rows = mine.order_by("-updated_at", "-id")[offset : offset + limit]
        return [Found(item, None) for item in rows]
    items = list(mine.filter(embedder=embedder().name)[: settings.MEMORY_MAX_ITEMS])
    scores = similarities(query, [item.embedding for item in items])
    ranked = sorted(zip(scores, items, strict=True), key=lambda pair: -pair[0])
    return [Found(item, round(float(score), 4)) for score, item in ranked[offset : offset + limit]]


def namespaces(user_id: str) -> list[list[str]]:
    """Every namespace the user has an item in, in order."""
    rows = MemoryItem.objects.filter(user_id=user_id).values_list("namespace", flat=True)
    return [split(namespace) for namespace in sorted(set(rows))]


def similarities(query: str, blobs: Sequence[bytes]) -> np.ndarray:
    """The cosine similarity of `query` to each stored vector (all unit length)."""
    if not blobs:
        return np.zeros(0, dtype=np.float32)
    matrix = np.vstack([from_bytes(bytes(blob)) for blob in blobs])
    return matrix @ embedder().embed([query], query=True)[0]


def recall(user_id: str, prompt: str, *, k: int, room: int) -> list[str]:
    """The texts of the user's items most related to `prompt`, at most `k` within `room` tokens.

    Related means at least the embedder's `floor`; the most related are chosen first, and
    given oldest first, so that a later statement reads as the one that stands. A prompt
    without a content word ("What do you remember about me?") recalls the newest items. Each
    recalled item is marked used (what keeps it when room must be made).
    """
    if k <= 0 or room <= 0:
        return []
    rows = list(
        MemoryItem.objects.filter(user_id=user_id, embedder=embedder().name)
        .order_by("-updated_at", "-id")
        .values_list("id", "text", "embedding")[: settings.MEMORY_MAX_ITEMS]
    )
    if content_stems(prompt):
        scores = similarities(prompt, [blob for _, _, blob in rows])  # rows: newest first
    else:  # about the user as a whole: the newest, as if all were equally related
        scores = np.linspace(1.0, 0.99, num=len(rows), dtype=np.float32)
    chosen, used = [], 0
    for index in np.argsort(-scores, kind="stable")[:k]:
        if scores[index] < embedder().floor:
            break
        item_id, text, _ = rows[index]
        used += estimate_tokens(text) + 1
        if used > room:
            break
        chosen.append((int(index), item_id, text))
    if chosen:
        ids = [item_id for _, item_id, _ in chosen]
        MemoryItem.objects.filter(pk__in=ids).update(used_at=timezone.now())
    return [text for _, _, text in sorted(chosen, reverse=True)]
