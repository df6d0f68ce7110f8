"""What a prompt teaches about its user: one lesson per thing, a restatement replaces."""

from __future__ import annotations

import pytest

from memory import longterm
from memory.learning import learn, lessons_from, lessons_of, remember_note
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


def test_a_hosted_models_labels_are_keys_and_its_statements_sentences():
    lessons = lessons_from([("Sister  Home", "my sister lives in Oslo"), ("", "I love jazz!")])
    assert lessons[0].key == "fact:sister home" and lessons[0].text == "My sister lives in Oslo."
    assert lessons[1].key.startswith("said:") and lessons[1].text == "I love jazz."
    assert lessons_from([("x", "  ")]) == []


def tell(prompt: str, session: str) -> None:
    """Remember what `prompt` says, as the built-in model reads it."""
    learn("alice", lessons_of(prompt), session_id=session, run_id="")


@pytest.mark.django_db
def test_saying_a_thing_twice_keeps_one_item_and_a_correction_replaces_it():
    tell("My favourite colour is teal. My sister lives in Oslo.", "s1")
    tell("My sister lives in Oslo.", "s2")
    tell("Actually my favourite colour is now maroon.", "s3")
    texts = sorted(MemoryItem.objects.values_list("text", flat=True))
    assert texts == ["My favourite colour is now maroon.", "My sister lives in Oslo."]
    sister = MemoryItem.objects.get(text="My sister lives in Oslo.")
    assert (sister.source, sister.session_id) == ("said", "s2")


@pytest.mark.django_db
def test_a_note_is_the_same_memory_as_the_statement_it_saves():
    tell("Remember that my sister lives in Oslo.", "s1")
    remember_note("alice", "my sister lives in Oslo", session_id="s1")
    (item,) = MemoryItem.objects.all()
    assert (item.source, item.namespace) == ("note", "memories")
    assert longterm.recall("alice", "Where does my sister live?", k=3, room=300) == [
        "My sister lives in Oslo."
    ]
