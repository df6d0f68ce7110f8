"""What users say about themselves becomes their memory: the facts each prompt states.

The facts come from the run's model (agents/remembering.py: the built-in model's reading, or
a hosted model's extraction), each a statement and what it is about. A fact's key is what it
is about, so a later statement of it replaces the earlier one ("actually my favourite colour
is now maroon"); likes and dislikes of one thing share a key, so the newest stands. A
statement about nothing named is keyed by its content words, so saying it twice keeps one
item. What the Worker saves as a note is remembered the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from llm.builtin.memory import normalise_key, sentence_of, told
from llm.builtin.retrieval import content_stems
from memory.longterm import MEMORIES, put
from memory.models import MemoryItem


@dataclass(frozen=True)
class Lesson:
    """One thing to remember: its key in the user's memories and its text."""

    key: str
    text: str


def lessons_from(facts: Iterable[tuple[str, str]]) -> list[Lesson]:
    """(about, statement) pairs as lessons, one per key (the last wins)."""
    lessons: dict[str, Lesson] = {}
    for about, statement in facts:
        text = sentence_of(statement.strip())
        label = " ".join(normalise_key(about).split()) if about.strip() else ""
        key = f"fact:{label}" if label else said_key(text)
        if key and text:
            lessons[key] = Lesson(key, text)
    return list(lessons.values())


def lessons_of(prompt: str) -> list[Lesson]:
    """The lessons of a prompt as the built-in model reads it."""
    return lessons_from((fact["about"], fact["statement"]) for fact in told(prompt))


def said_key(text: str) -> str:
    """The key of a statement about nothing named: its content words ('' when it has none)."""
    stems = sorted(content_stems(text))
    if not stems:
        return ""
    digest = hashlib.blake2b("\x1f".join(stems).encode(), digest_size=8).hexdigest()
    return f"said:{digest}"


def key_of(text: str) -> str:
    """The key of a text written through the API: as a statement's, or of its very words."""
    digest = hashlib.blake2b(" ".join(text.lower().split()).encode(), digest_size=8)
    return said_key(text) or f"text:{digest.hexdigest()}"


def learn(user_id: str, lessons: list[Lesson], *, session_id: str, run_id: str) -> int:
    """Remember the lessons of a run; how many items were written."""
    for lesson in lessons:
        put(
            user_id,
            MEMORIES,
            lesson.key,
            {"text": lesson.text},
            source=MemoryItem.Source.SAID,
            session_id=session_id,
            run_id=run_id,
        )
    return len(lessons)


def remember_note(user_id: str, content: str, *, session_id: str) -> None:
    """Remember a note the Worker saved (`db.insert`): notes and memories are one place."""
    text = sentence_of(content)
    key = said_key(text)
    if key:
        note = {"text": text}
        put(user_id, MEMORIES, key, note, source=MemoryItem.Source.NOTE, session_id=session_id)
