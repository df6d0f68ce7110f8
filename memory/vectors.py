"""Each active user's memory vectors, held by this process: exact cosine without a row scan.

A recall must not read a user's every row (10,000 rows are ~20 ms on either backend; the run's
budget for recall is 5 ms). So each process keeps, per user and embedder, one matrix of that
user's vectors, loaded by a query that names the user, and trusts it while the user's
`MemoryRevision` stamp is the one it was loaded at: one indexed read per recall, then a dot
product over that user's rows only. Every write through memory.longterm stamps the user anew
in its own transaction; the writing process applies its change to its copy (when its copy was
current before the write), any other process sees a new stamp and loads the user again.

The copies are bounded (MEMORY_INDEX_MB, least recently used dropped first). Search is exact:
every one of the user's vectors is scored; nothing is approximated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction

from chat.models import new_object_id
from llm.embeddings import Vector, from_bytes
from memory.models import MemoryItem, MemoryRevision


class Held(NamedTuple):
    """What a shelf holds of one item: its vector, its text, when it was written and recalled."""

    vector: Vector
    text: str
    updated_at: datetime
    used_at: datetime | None = None
    """When last recalled, as this process knows it (a hint: another may have since)."""


@dataclass
class Shelf:
    """One user's items of one embedder, as of `stamp`: all a recall reads of them."""

    stamp: str | None
    ids: list[str]
    columns: np.ndarray
    """The vectors as columns (dimensions × items): a query's zero dimensions are skipped
    whole, and the built-in embedder's queries are mostly zeros."""
    held: list[Held]

    @cached_property
    def size(self) -> int:
        """Bytes held (about; counted once: a shelf's rows never change)."""
        return int(self.columns.nbytes) + sum(96 + len(item.text) for item in self.held)

    def scores(self, query: Vector) -> np.ndarray:
        """The cosine of `query` to each vector (all unit length): exact, over every item."""
        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        used = np.flatnonzero(query)
        if 2 * used.size > query.size:  # dense (a model's embedding): every row of columns
            return query @ self.columns
        return query[used] @ self.columns[used]

    def used(self, indexes: Iterable[int], when: datetime) -> None:
        """Note that these rows were recalled `when` (no write: a hint only)."""
        for index in indexes:
            self.held[index] = self.held[index]._replace(used_at=when)

    def changed(self, put: dict[str, Held], removed: Iterable[str]) -> Shelf:
        """A copy with `put` items set (new or replaced) and `removed` ids gone."""
        rows = dict(zip(self.ids, self.held, strict=True))
        for item_id in removed:
            rows.pop(item_id, None)
        rows.update(put)
        return shelf_of(self.stamp, rows)


def shelf_of(stamp: str | None, rows: dict[str, Held]) -> Shelf:
    """A shelf of these items."""
    if not rows:
        return Shelf(stamp, [], np.zeros((0, 0), dtype=np.float32), [])
    held = list(rows.values())
    columns = np.column_stack([item.vector for item in held]).astype(np.float32, copy=False)
    return Shelf(stamp, list(rows), np.ascontiguousarray(columns), held)


class VectorIndex:
    """The process's shelves, least recently used dropped past `budget` bytes."""

    def __init__(self, budget: int) -> None:
        """Hold at most `budget` bytes of vectors."""
        self.budget = budget
        self.shelves: OrderedDict[tuple[str, str], Shelf] = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()

    def shelf(self, user_id: str, embedder: str) -> Shelf:
        """The user's vectors of `embedder`, as the database has them now."""
        stamp = stamp_of(user_id)
        if stamp is None:  # never written (every write stamps; forgetting unstamps)
            return shelf_of(None, {})
        key = (user_id, embedder)
        with self.lock:
            kept = self.shelves.get(key)
            if kept is not None and kept.stamp == stamp:
                self.shelves.move_to_end(key)
                return kept
        mine = MemoryItem.objects.filter(user_id=user_id, embedder=embedder).order_by()
        rows = mine.values_list("id", "embedding", "text", "updated_at", "used_at")
        loaded = shelf_of(
            stamp, {pk: Held(from_bytes(bytes(blob)), *rest) for pk, blob, *rest in rows}
        )
        self.keep(key, loaded)
        return loaded

    def keep(self, key: tuple[str, str], shelf: Shelf) -> None:
        """Hold `shelf`, dropping the least recently used shelves past the budget."""
        if shelf.size > self.budget:
            return
        with self.lock:
            self.drop(key)
            self.shelves[key] = shelf
            self.held += shelf.size
            while self.held > self.budget:
                self.drop(next(iter(self.shelves)))

    def drop(self, key: tuple[str, str]) -> Shelf | None:
        """Let go of a shelf (the lock held)."""
        shelf = self.shelves.pop(key, None)
        if shelf is not None:
            self.held -= shelf.size
        return shelf

    def written(
        self,
        user_id: str,
        embedder: str,
        stamps: tuple[str | None, str],
        put: dict[str, Held],
        removed: Sequence[str],
    ) -> None:
        """This process wrote the user's memories from stamp `before` to `after`.

        A shelf that was current at `before` takes the change; any other is dropped (whatever
        another process wrote in between is read again by the next recall).
        """
        before, after = stamps
        key = (user_id, embedder)
        with self.lock:
            kept = self.drop(key)
        if kept is not None and kept.stamp == before:
            changed = kept.changed(put, removed)
            changed.stamp = after
            self.keep(key, changed)

    def forget(self, user_id: str) -> None:
        """Drop every shelf of the user."""
        with self.lock:
            for key in [key for key in self.shelves if key[0] == user_id]:
                self.drop(key)


def stamp_of(user_id: str) -> str | None:
    """The user's current stamp (None before their first write)."""
    return MemoryRevision.objects.filter(user_id=user_id).values_list("stamp", flat=True).first()


def restamp(user_id: str) -> tuple[str | None, str]:
    """Give the user a new stamp (inside the write's transaction); (the old, the new).

    The row is locked for the rest of the transaction where the backend can (PostgreSQL);
    SQLite's writes are serialised by its IMMEDIATE transactions. Stamps are new object ids,
    never reused, so a copy loaded at an older one can never pass for current.
    """
    after = new_object_id()
    mine = MemoryRevision.objects.select_for_update().filter(user_id=user_id)
    before = mine.values_list("stamp", flat=True).first()
    if before is None:
        MemoryRevision.objects.update_or_create(user_id=user_id, defaults={"stamp": after})
    else:
        mine.update(stamp=after)
    return before, after


VECTORS = VectorIndex(budget=settings.MEMORY_INDEX_MB * 1024 * 1024)
"""This process's index."""


def after_write(
    user_id: str,
    embedder: str,
    stamps: tuple[str | None, str],
    *,
    put: dict[str, Held] | None = None,
    removed: Sequence[str] = (),
) -> None:
    """Tell the index of a write once its transaction has committed."""
    transaction.on_commit(
        lambda: VECTORS.written(user_id, embedder, stamps, put or {}, removed), robust=True
    )
