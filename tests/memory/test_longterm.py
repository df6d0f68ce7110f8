"""Long-term memory: one item per key, each user's own, found by similarity, room made."""

from __future__ import annotations

import pytest

from memory import longterm
from memory.models import MemoryItem

ALICE, BOB = "alice", "bob"
"""bob must never read, find or recall alice's memories."""

pytestmark = pytest.mark.django_db


def remember(user: str, key: str, text: str, namespace=longterm.MEMORIES) -> MemoryItem:
    """Put one memory."""
    return longterm.put(user, namespace, key, {"text": text})


def test_the_same_key_is_one_item_updated_in_place():
    first = remember(ALICE, "fact:favorite color", "My favourite colour is teal.")
    again = remember(ALICE, "fact:favorite color", "My favourite colour is maroon.")
    assert again.pk == first.pk and again.created_at == first.created_at
    assert again.updated_at >= first.updated_at
    assert [item.text for item in MemoryItem.objects.all()] == ["My favourite colour is maroon."]


def test_a_value_without_text_is_searched_as_its_json():
    item = longterm.put(ALICE, ("prefs",), "seat", {"seat": "window"})
    assert item.text == '{"seat": "window"}'
    assert longterm.get(ALICE, ("prefs",), "seat").pk == item.pk


def test_a_value_past_the_limit_is_refused_and_nothing_is_lost(settings):
    settings.MEMORY_MAX_VALUE_CHARS = 100
    remember(ALICE, "k", "My sister lives in Oslo.")
    with pytest.raises(longterm.MemoryTooLarge, match="MEMORY_MAX_VALUE_CHARS"):
        remember(ALICE, "k", "x" * 101)
    assert longterm.get(ALICE, longterm.MEMORIES, "k").text == "My sister lives in Oslo."


def test_past_the_cap_the_oldest_unused_items_make_room(settings):
    settings.MEMORY_MAX_ITEMS = 3
    for n in range(3):
        remember(ALICE, f"k{n}", f"My pet number {n} is a cat.")
    MemoryItem.objects.filter(key="k0").update(used_at="2026-01-01T00:00:00Z")
    remember(ALICE, "k3", "My car is red.")
    assert sorted(MemoryItem.objects.values_list("key", flat=True)) == ["k0", "k2", "k3"]
    remember(BOB, "k0", "My car is blue.")  # bob's items do not count against alice's cap
    assert MemoryItem.objects.filter(user_id=ALICE).count() == 3


def test_search_reads_only_the_users_own_items():
    remember(ALICE, "a", "My sister lives in Oslo.")
    remember(BOB, "b", "My sister lives in Bergen.")
    found = longterm.search(ALICE, "Where does my sister live?")
    assert [hit.item.text for hit in found] == ["My sister lives in Oslo."]
    assert found[0].score is not None and found[0].score > 0
    assert [hit.item.key for hit in longterm.search(BOB)] == ["b"]


def test_search_by_namespace_prefix_takes_the_namespace_and_what_is_under_it():
    remember(ALICE, "a", "one", namespace=("prefs",))
    remember(ALICE, "b", "two", namespace=("prefs", "travel"))
    remember(ALICE, "c", "three", namespace=("prefsx",))
    found = longterm.search(ALICE, prefix=("prefs",))
    assert sorted(hit.item.key for hit in found) == ["a", "b"]


def test_recall_gives_related_memories_oldest_first_and_marks_them_used():
    remember(ALICE, "a", "My sister lives in Oslo.")
    remember(ALICE, "b", "My favourite colour is teal.")
    remember(ALICE, "c", "My sister moved to Bergen in May.")
    recalled = longterm.recall(ALICE, "Where does my sister live?", k=5, room=500)
    assert recalled == ["My sister lives in Oslo.", "My sister moved to Bergen in May."]
    used = MemoryItem.objects.filter(used_at__isnull=False)
    assert sorted(used.values_list("key", flat=True)) == ["a", "c"]
    assert longterm.recall(BOB, "Where does my sister live?", k=5, room=500) == []


def test_recall_keeps_to_its_count_and_its_room():
    for n in range(4):
        remember(ALICE, f"k{n}", f"My sister number {n} lives in town {n}.")
    assert len(longterm.recall(ALICE, "Where does my sister live?", k=2, room=500)) == 2
    assert longterm.recall(ALICE, "Where does my sister live?", k=5, room=3) == []


def test_a_question_about_the_user_as_a_whole_recalls_the_newest():
    remember(ALICE, "a", "My sister lives in Oslo.")
    remember(ALICE, "b", "My favourite colour is teal.")
    recalled = longterm.recall(ALICE, "What do you remember about me?", k=1, room=500)
    assert recalled == ["My favourite colour is teal."]


def test_forgetting_a_user_deletes_their_items_only():
    remember(ALICE, "a", "My sister lives in Oslo.")
    remember(BOB, "a", "My sister lives in Bergen.")
    assert longterm.forget(ALICE) == 1
    assert list(MemoryItem.objects.values_list("user_id", flat=True)) == [BOB]
