"""A large memory table for the memory check: seeding it, and timing recall over it in-process.

Run from the project root with the benchmark server's environment (its SQLITE_PATH or
DATABASE_URL):
- `python -m bench.common.memory_table seed USER ITEMS OTHERS PER_OTHER`: USER gets ITEMS
  memories, and OTHERS other users PER_OTHER each (1M rows over 1,000 users by default), in
  bulk through the ORM, embedded by the configured embedder, every user stamped as a write
  through memory.longterm would.
- `python -m bench.common.memory_table seed-each ITEMS USER...`: each USER gets ITEMS memories.
- `python -m bench.common.memory_table time USER RECALLS`: prints one JSON line: this
  process's CPU ms per recall for USER (p50, p95; the first, which loads the user's vectors,
  apart), and the embedder's CPU ms per item over a batch.
"""

from __future__ import annotations

import json
import os
import sys
import time

BATCH = 5000
THINGS = (
    "teal oslo sister window seat plane coffee tea cat dog garden piano guitar bike car train "
    "paris london tokyo brother cousin violin tennis chess sushi pasta winter summer mountains"
).split()
POOL = 1000
"""Distinct texts (and vectors) the other users' rows cycle through: seeding 1M rows embeds
1,000 texts, not 1M."""


def statement(n: int) -> str:
    """The n-th seeded memory: a short first-person fact."""
    first, second, third = (THINGS[(n * prime) % len(THINGS)] for prime in (7, 11, 13))
    return f"My {first} fact number {n} is about {second} and {third}."


def seed(user_id: str, items: int, others: int, per_other: int) -> None:
    """Create USER's items and the other users', with their stamps, in bulk."""
    from chat.models import new_object_id
    from llm.embeddings import to_bytes
    from memory.longterm import MEMORIES, embedder, joined
    from memory.models import MemoryItem, MemoryRevision

    name = embedder().name
    texts = [statement(n) for n in range(max(items, POOL))]
    blobs = [to_bytes(vector) for vector in embedder().embed(texts)]

    def rows(owner: str, count: int, cycle: int) -> object:
        for n in range(count):
            text, blob = texts[n % cycle], blobs[n % cycle]
            yield MemoryItem(
                user_id=owner,
                namespace=joined(MEMORIES),
                key=f"seeded:{n}",
                value={"text": text},
                text=text,
                source=MemoryItem.Source.SAID,
                embedding=blob,
                embedder=name,
            )

    MemoryItem.objects.bulk_create(rows(user_id, items, len(texts)), batch_size=BATCH)
    users = [f"{user_id}-other-{n}" for n in range(others)]
    for owner in users:
        MemoryItem.objects.bulk_create(rows(owner, per_other, POOL), batch_size=BATCH)
    MemoryRevision.objects.bulk_create(
        [MemoryRevision(user_id=owner, stamp=new_object_id()) for owner in [user_id, *users]],
        batch_size=BATCH,
    )


def timing(user_id: str, recalls: int) -> dict[str, float]:
    """CPU ms per recall of USER's memories (the first apart), and per embedded item."""
    from memory.longterm import embedder, recall

    prompts = [f"Where does my {thing} go in winter?" for thing in THINGS]
    started = time.process_time()
    recall(user_id, prompts[0], k=5, room=400)
    first = (time.process_time() - started) * 1000
    costs = []
    for n in range(recalls):
        started = time.process_time()
        recall(user_id, prompts[n % len(prompts)], k=5, room=400)
        costs.append((time.process_time() - started) * 1000)
    costs.sort()
    batch = [statement(n) for n in range(2000)]
    started = time.process_time()
    embedder().embed(batch)
    per_item = (time.process_time() - started) * 1000 / len(batch)
    return {
        "first": first,
        "p50": costs[len(costs) // 2],
        "p95": costs[min(len(costs) - 1, int(len(costs) * 0.95))],
        "embed_per_item": per_item,
    }


def main(argv: list[str]) -> None:
    """Set Django up and do what the command line says."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    django.setup()
    if argv[0] == "seed":
        seed(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif argv[0] == "seed-each":
        for user_id in argv[2:]:
            seed(user_id, int(argv[1]), 0, 0)
    else:
        print(json.dumps(timing(argv[1], int(argv[2]))))


if __name__ == "__main__":
    main(sys.argv[1:])
