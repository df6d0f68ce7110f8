"""What a prompt teaches about its user: one lesson per thing, a restatement replaces."""

from __future__ import annotations

import pytest

from memory import longterm
from memory.learning import learn, lessons_of, remember_note
from memory.models import MemoryItem


def test_a_fact_is_keyed_by_what_it_is_about():
    (lesson,) = lessons_of("My favourite colour is teal.")
    assert (lesson.key, lesson.text) == ("fact:favorite color", "My favourite colour is teal.")
    (correction,) = lessons_of("Actually, my favourite colour is maroon")
    assert correction.key == lesson.key
    assert correction.text == "My favourite colour is maroon."


def test_a_request_to_remember_is_the_statement_it_carries():
    (lesson,) = lessons_of("Remember that my sister lives in Oslo.")
    assert lesson.text == "My sister lives in Oslo."
    assert lesson.key.startswith("said:")
    assert lessons_of("Please remember: my sister lives in Oslo!")[0].key == lesson.key


def test_liking_and_disliking_one_thing_share_a_key():
    like, dislike = lessons_of("I like olives. I hate olives.")[0], lessons_of("I hate olives")[0]
    assert like.key == dislike.key == "fact:taste:olives"


@pytest.mark.parametrize(
    "prompt",
    ["What is my favourite colour?", "I have a question about Python.", "Tell me about Oslo."],
)
def test_questions_and_requests_teach_nothing(prompt):
    assert lessons_of(prompt) == []


@pytest.mark.django_db
def test_saying_a_thing_twice_keeps_one_item_and_a_correction_replaces_it():
    learn(
        "alice", "My favourite colour is teal. My sister lives in Oslo.", session_id="s1", run_id=""
    )
    learn("alice", "My sister lives in Oslo.", session_id="s2", run_id="")
    learn("alice", "Actually my favourite colour is now maroon.", session_id="s3", run_id="")
    texts = sorted(MemoryItem.objects.values_list("text", flat=True))
    assert texts == ["My favourite colour is now maroon.", "My sister lives in Oslo."]
    sister = MemoryItem.objects.get(text="My sister lives in Oslo.")
    assert (sister.source, sister.session_id) == ("said", "s2")


@pytest.mark.django_db
def test_a_note_is_the_same_memory_as_the_statement_it_saves():
    learn("alice", "Remember that my sister lives in Oslo.", session_id="s1", run_id="")
    remember_note("alice", "my sister lives in Oslo", session_id="s1")
    (item,) = MemoryItem.objects.all()
    assert (item.source, item.namespace) == ("note", "memories")
    assert longterm.recall("alice", "Where does my sister live?", k=3, room=300) == [
        "My sister lives in Oslo."
    ]
