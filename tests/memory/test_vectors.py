"""Each process's copy of its users' vectors: current after every write, whoever wrote."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone

from memory import longterm, vectors
from memory.models import MemoryItem, MemoryRevision
from memory.vectors import Held, Shelf, VectorIndex, restamp, shelf_of

ALICE = "alice-vectors"
NAME = "hashed-words-256"

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(monkeypatch) -> VectorIndex:
    """A fresh index of this process's, as the server's."""
    fresh = VectorIndex(budget=1 << 20)
    monkeypatch.setattr(vectors, "VECTORS", fresh)
    monkeypatch.setattr(longterm, "VECTORS", fresh)
    return fresh


def remember(key: str, text: str, django_capture_on_commit_callbacks) -> MemoryItem:
    """Put one of alice's memories, its transaction committed (as outside a test)."""
    with django_capture_on_commit_callbacks(execute=True):
        return longterm.put(ALICE, longterm.MEMORIES, key, {"text": text})


def texts(index: VectorIndex, query: str) -> list[str]:
    """Alice's memories by similarity to `query` (through the index)."""
    return [hit.item.text for hit in longterm.search(ALICE, query)]


def test_a_user_never_written_costs_one_query_and_holds_nothing(
    index, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        assert index.shelf(ALICE, NAME).ids == []
    assert index.shelves == {}


def test_a_current_copy_is_read_with_one_query(
    index, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    index.shelves.clear()
    loaded = index.shelf(ALICE, NAME)
    with django_assert_num_queries(1):  # the stamp, not the rows
        assert index.shelf(ALICE, NAME) is loaded


def test_this_processs_writes_change_its_copy_without_reading_it_again(
    index, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    first = remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    index.shelf(ALICE, NAME)
    second = remember("car", "My car is red.", django_capture_on_commit_callbacks)
    with django_assert_num_queries(1):
        assert sorted(index.shelf(ALICE, NAME).ids) == sorted([first.pk, second.pk])
    with django_capture_on_commit_callbacks(execute=True):
        longterm.delete(ALICE, longterm.MEMORIES, "sister")
    with django_assert_num_queries(1):
        assert index.shelf(ALICE, NAME).ids == [second.pk]


def test_another_processs_write_is_seen_at_the_next_read(
    index, django_capture_on_commit_callbacks
) -> None:
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    assert texts(index, "Where does my sister live?") == ["My sister lives in Oslo."]
    # Another process's write: its rows and stamp change; this process hears nothing of it.
    item = MemoryItem.objects.get(user_id=ALICE, key="sister")
    item.text = "My sister lives in Bergen."
    item.embedding = longterm.to_bytes(longterm.embedder().embed([item.text])[0])
    item.save()
    restamp(ALICE)
    found = longterm.search(ALICE, "Where does my sister live in Bergen?")
    assert [(hit.item.text, hit.score) for hit in found] == [("My sister lives in Bergen.", 1.0)]


def test_a_write_that_is_rolled_back_leaves_the_copy_as_it_was(
    index, django_capture_on_commit_callbacks
) -> None:
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    held = index.shelf(ALICE, NAME)
    with pytest.raises(longterm.MemoryTooLarge):  # refused before anything is written
        remember("car", "x" * 100_000, django_capture_on_commit_callbacks)
    assert index.shelf(ALICE, NAME) is held


def test_forgetting_drops_the_copy_and_the_stamp(index, django_capture_on_commit_callbacks):
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    index.shelf(ALICE, NAME)
    with django_capture_on_commit_callbacks(execute=True):
        assert longterm.forget(ALICE) == 1
    assert index.shelves == {} and not MemoryRevision.objects.filter(user_id=ALICE).exists()
    assert texts(index, "Where does my sister live?") == []


def held(user: str) -> Shelf:
    """A shelf of one item."""
    return shelf_of(
        "stamp", {f"{user}1": Held(np.ones(256, dtype=np.float32), "x", timezone.now())}
    )


def test_past_its_budget_the_least_recently_used_copies_go() -> None:
    index = VectorIndex(budget=3 * held("a").size + held("a").size // 2)
    for user in ("a", "b", "c"):
        index.keep((user, NAME), held(user))
    index.shelves.move_to_end(("a", NAME))  # a read lately: b is the least recently used
    index.keep(("d", NAME), held("d"))
    assert list(index.shelves) == [("c", NAME), ("a", NAME), ("d", NAME)]
    assert index.held == sum(shelf.size for shelf in index.shelves.values())


def test_a_copy_larger_than_the_budget_is_used_but_not_held() -> None:
    index = VectorIndex(budget=held("a").size - 1)
    index.keep(("a", NAME), held("a"))
    assert index.shelves == {} and index.held == 0


def test_recall_ranks_over_the_whole_copy_and_names_the_user(
    index, django_capture_on_commit_callbacks
) -> None:
    for n in range(40):
        remember(f"k{n}", f"My pet number {n} is a cat.", django_capture_on_commit_callbacks)
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        longterm.put("bob-vectors", longterm.MEMORIES, "sister", {"text": "My sister: Oslo."})
    assert longterm.recall(ALICE, "Where does my sister live?", k=1, room=100) == [
        "My sister lives in Oslo."
    ]


def test_an_item_recalled_again_soon_is_not_written_again(
    index, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    remember("sister", "My sister lives in Oslo.", django_capture_on_commit_callbacks)
    question = "Where does my sister live?"
    with django_assert_num_queries(3):  # the stamp, the user's items, the recall's mark
        assert longterm.recall(ALICE, question, k=1, room=100) == ["My sister lives in Oslo."]
    marked = MemoryItem.objects.get(user_id=ALICE).used_at
    with django_assert_num_queries(1):  # the stamp
        assert longterm.recall(ALICE, question, k=1, room=100) == ["My sister lives in Oslo."]
    assert MemoryItem.objects.get(user_id=ALICE).used_at == marked is not None


@pytest.mark.parametrize("dense", [False, True])
def test_scores_are_the_exact_cosines_for_sparse_and_dense_queries(dense: bool) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(50, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    now = timezone.now()
    shelf = shelf_of("s", {str(n): Held(vector, "", now) for n, vector in enumerate(vectors)})
    query = rng.normal(size=64).astype(np.float32)
    if not dense:
        query[8:] = 0
    query /= np.linalg.norm(query)
    assert np.allclose(shelf.scores(query), vectors @ query, atol=1e-6)


def test_with_the_local_model_recall_finds_a_memory_that_shares_no_word(
    index, settings, django_capture_on_commit_callbacks
) -> None:
    settings.MEMORY_EMBEDDER = "e5-small"
    longterm.embedder.cache_clear()
    try:
        for key, text in [("seat", "I prefer window seats."), ("home", "My sister lives in Oslo.")]:
            remember(key, text, django_capture_on_commit_callbacks)
        question = "Where do I like to sit on a plane?"
        assert longterm.recall(ALICE, question, k=1, room=100) == ["I prefer window seats."]
        assert index.shelves[(ALICE, longterm.embedder().name)].columns.shape == (384, 2)
    finally:
        longterm.embedder.cache_clear()
