"""Long-term memory: each user's items, embedded, found by meaning within that user's items.

Every function takes the user: every query names them, so one user's search never reads
another's rows (nothing is filtered after the fact). Similarity is exact cosine over the
user's vectors, which memory/vectors.py holds per process; every write here stamps the user
anew in its transaction (write only through these functions). Synchronous: the run's turn
reads it in the same database trip as the rest of its context (runs/turns.py); the API wraps
it.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from llm.builtin.retrieval import content_stems
from llm.embeddings import Embedder, make_embedder, to_bytes
from llm.tokens import estimate_tokens
from memory.models import MemoryItem, MemoryRevision
from memory.vectors import VECTORS, Held, Shelf, after_write, restamp

MEMORIES = ("memories",)
"""The namespace of what the pipeline learns (the Store API may use others)."""
SEARCH_LIMIT = 100
USED_GRAIN = timedelta(minutes=10)
"""How precisely an item's last recall is kept."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        stamps = restamp(user_id)
        item, created = MemoryItem.objects.update_or_create(
            user_id=user_id,
            namespace=joined(namespace),
            key=key,
            defaults=fields,
            create_defaults=fields | {"created_at": fields["updated_at"]},
        )
        removed = make_room(user_id) if created else []
        held = {item.pk: Held(vector, text, item.updated_at)}
        after_write(user_id, embedder().name, stamps, put=held, removed=removed)
    return item


def make_room(user_id: str) -> list[str]:
    """Delete the user's oldest unused items past MEMORY_MAX_ITEMS; their ids."""
    mine = MemoryItem.objects.filter(user_id=user_id)
    over = mine.count() - settings.MEMORY_MAX_ITEMS
    if over <= 0:
        return []
    oldest = mine.order_by(F("used_at").asc(nulls_first=True), "updated_at", "id")
    removed = list(oldest.values_list("pk", flat=True)[:over])
    MemoryItem.objects.filter(pk__in=removed).delete()
    return removed


def get(user_id: str, namespace: Sequence[str], key: str) -> MemoryItem | None:
    """The user's item at (namespace, key), if any."""
    return MemoryItem.objects.filter(user_id=user_id, namespace=joined(namespace), key=key).first()


def delete(user_id: str, namespace: Sequence[str], key: str) -> int:
    """Delete the user's item at (namespace, key); how many were deleted (0 or 1)."""
    mine = MemoryItem.objects.filter(user_id=user_id, namespace=joined(namespace), key=key)
    return delete_items(user_id, mine)


def delete_items(user_id: str, items: QuerySet[MemoryItem]) -> int:
    """Delete these items of the user's (a query naming the user); how many were deleted."""
    with transaction.atomic():
        removed = list(items.filter(user_id=user_id).values_list("pk", flat=True))
        if not removed:
            return 0
        stamps = restamp(user_id)
        MemoryItem.objects.filter(user_id=user_id, pk__in=removed).delete()
        after_write(user_id, embedder().name, stamps, removed=removed)
    return len(removed)


def forget(user_id: str) -> int:
    """Delete everything remembered for the user; how many items."""
    with transaction.atomic():
        forgotten = MemoryItem.objects.filter(user_id=user_id).delete()[0]
        MemoryRevision.objects.filter(user_id=user_id).delete()
        transaction.on_commit(lambda: VECTORS.forget(user_id), robust=True)
    return forgotten


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
    ranked = nearest(user_id, query)
    if prefix or equal:
        allowed = set(mine.values_list("pk", flat=True))
        ranked = [(pk, score) for pk, score in ranked if pk in allowed]
    page = ranked[offset : offset + limit]
    items = mine.order_by().in_bulk([pk for pk, _ in page])  # by primary key, not by user
    return [Found(items[pk], round(score, 4)) for pk, score in page if pk in items]


def namespaces(user_id: str) -> list[list[str]]:
    """Every namespace the user has an item in, in order."""
    rows = MemoryItem.objects.filter(user_id=user_id).values_list("namespace", flat=True)
    return [split(namespace) for namespace in sorted(set(rows))]


def nearest(user_id: str, query: str) -> list[tuple[str, float]]:
    """The ids of the user's items by similarity to `query`, most similar first."""
    shelf = VECTORS.shelf(user_id, embedder().name)
    return [(shelf.ids[index], score) for index, score in ranking(shelf, query)]


def ranking(shelf: Shelf, query: str, k: int | None = None) -> list[tuple[int, float]]:
    """The shelf's rows by similarity to `query`, most similar first (the top `k`)."""
    scores = shelf.scores(embedder().embed([query], query=True)[0])
    if k is not None and k < len(scores):
        top = np.argpartition(-scores, k)[:k]
        order = top[np.argsort(-scores[top], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    return [(int(index), float(scores[index])) for index in order]


def recall(user_id: str, prompt: str, *, k: int, room: int) -> list[str]:
    """The texts of the user's items most related to `prompt`, at most `k` within `room` tokens.

    Related means at least the embedder's `floor`; the most related are chosen first, and
    given oldest first, so that a later statement reads as the one that stands. A prompt
    without a content word ("What do you remember about me?") recalls the newest items.
    """
    if k <= 0 or room <= 0:
        return []
    shelf = VECTORS.shelf(user_id, embedder().name)
    if content_stems(prompt):
        ranked = [index for index, score in ranking(shelf, prompt, k) if score >= embedder().floor]
    else:  # about the user as a whole: the newest, as if all were equally related
        when = {index: (held.updated_at, shelf.ids[index]) for index, held in enumerate(shelf.held)}
        ranked = heapq.nlargest(k, when, key=when.__getitem__)
    chosen, used = [], 0
    for index in ranked:
        used += estimate_tokens(shelf.held[index].text) + 1
        if used > room:
            break
        chosen.append(index)
    mark_used(shelf, chosen)
    oldest_first = sorted(
        chosen, key=lambda index: (shelf.held[index].updated_at, shelf.ids[index])
    )
    return [shelf.held[index].text for index in oldest_first]


def mark_used(shelf: Shelf, indexes: list[int]) -> None:
    """Record that these items were recalled (what keeps them when room must be made).

    An item recalled within USED_GRAIN is not written again: the order in which room is made
    needs no finer time, and a user's usual memories are recalled run after run.
    """
    now = timezone.now()
    stale = [i for i in indexes if (shelf.held[i].used_at or EPOCH) < now - USED_GRAIN]
    if stale:
        recalled = [shelf.ids[index] for index in stale]
        MemoryItem.objects.filter(pk__in=recalled).order_by().update(used_at=now)
        shelf.used(stale, now)
