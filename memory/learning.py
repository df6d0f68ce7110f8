"""What users say about themselves becomes their memory: each prompt's first-person statements.

The built-in model's reading finds them, whatever the provider answering: facts ("my
favourite colour is teal", "I live in Oslo") and other first-person statements ("my sister
lives in Oslo"). A fact's key is what it is about, so a later statement of it replaces the
earlier one ("actually my favourite colour is now maroon"); likes and dislikes of one thing
share a key, so the newest stands. Another statement's key is its content words, so saying
it twice keeps one item. What the Worker saves as a note is remembered the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from llm.builtin.memory import LIST_KEYS, facts_in, normalise_key
from llm.builtin.retrieval import CORRECTION_START, content_stems, statements_in
from memory.longterm import MEMORIES, put
from memory.models import MemoryItem


@dataclass(frozen=True)
class Lesson:
    """One thing to remember: its key in the user's memories and its text."""

    key: str
    text: str


def lessons_of(prompt: str) -> list[Lesson]:
    """The statements a prompt makes about its user, one lesson per key (the last wins)."""
    lessons: dict[str, Lesson] = {}
    for statement in statements_in([prompt]):
        text = sentence_of(statement.text)
        key = fact_key(text) or said_key(text)
        if key:
            lessons[key] = Lesson(key, text)
    return list(lessons.values())


def sentence_of(clause: str) -> str:
    """A clause as a sentence to keep: corrections' markers off, capitalised, a full stop."""
    text = CORRECTION_START.sub("", clause).strip(" ,;")
    return text[:1].upper() + text[1:].rstrip(".!") + "." if text else ""


def fact_key(text: str) -> str:
    """The key of the facts a statement states ("fact:favorite color"), '' when none."""
    parts = []
    for key, value in sorted(facts_in(text).items()):
        parts.append(f"taste:{normalise_key(value)}" if key in LIST_KEYS else key)
    return "fact:" + "+".join(parts) if parts else ""


def said_key(text: str) -> str:
    """The key of any other statement: its content words, so rewording keeps one item."""
    stems = sorted(content_stems(text))
    if not stems:
        return ""
    digest = hashlib.blake2b("\x1f".join(stems).encode(), digest_size=8).hexdigest()
    return f"said:{digest}"


def key_of(text: str) -> str:
    """The key of a text written through the API: as a statement's, or of its very words."""
    digest = hashlib.blake2b(" ".join(text.lower().split()).encode(), digest_size=8)
    return said_key(text) or f"text:{digest.hexdigest()}"


def learn(user_id: str, prompt: str, *, session_id: str, run_id: str) -> int:
    """Remember what `prompt` says about its user; how many items were written."""
    lessons = lessons_of(prompt)
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
