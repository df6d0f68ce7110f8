"""How the built-in model answers questions about the user from the facts it was told."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from llm.builtin.memory import LIST_KEYS, facts_in, normalise_key, singular
from llm.builtin.retrieval import Statement, second_person

_KEY = r"(?P<key>[a-z' ]+?)"
_Q_END = r"\s*[?.!]*$"


@dataclass(frozen=True)
class Query:
    """What a question asks about the user: a fact key, and how to say it is unknown."""

    key: str
    missing: str
    """The honest answer when the fact was never stated."""
    subject: str = ""
    """For yes/no questions ("Do I like ramen?"), the thing asked about."""


# Questions about one fixed fact: (pattern, fact key, the honest answer when never stated).
FIXED_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (r"\b(?:who am i|what am i called|what(?:'s| is| was) my name)\b", "name", "your name yet"),
    (r"\bhow old am i\b|\bmy age\b", "age", "how old you are"),
    (r"\bwhere am i from\b|\bwhere do i come from\b", "origin", "where you are from"),
    (r"\bwhere do i live\b|\bwhere(?:'s| is) my home\b", "home", "where you live"),
    (r"\bwhere do i work\b|\bwho do i work for\b", "work", "where you work"),
    (
        r"\bwhat do i do(?: for a living| for work)?\b|\bwhat(?:'s| is) my job\b",
        "job",
        "what you do",
    ),
    (r"\bwhat do i study\b|\bwhat am i studying\b", "study", "what you study"),
    (r"\bwhere was i born\b", "born", "where you were born"),
    (r"\bwhen was i born\b|\bmy birthday\b", "born", "when you were born"),
    (
        r"\bwhat (?:do|did) i (?:say i )?(?:hate|dislike|not like)\b|\bwhat don't i like\b",
        "dislikes",
        "what you dislike",
    ),
)
_FIXED_PATTERNS = tuple(
    (re.compile(pattern, re.I), key, unknown) for pattern, key, unknown in FIXED_QUESTIONS
)
"""FIXED_QUESTIONS compiled once (re.search with a pattern string looks it up every call)."""
_THING = r"(?P<thing>[^?]+?)" + _Q_END


def _have(match: re.Match[str]) -> Query:
    thing = match.group("thing")
    if match.group(0).lower().startswith("how many"):
        return Query(
            f"have {singular(thing)}", f"You haven't told me how many {thing.lower()} you have."
        )
    key = f"have {singular(thing.split()[-1])}"
    return Query(key, f"You haven't told me whether you have {thing}.")


def _likes(match: re.Match[str]) -> Query:
    thing = match.group("thing")
    return Query("likes", f"You haven't told me whether you like {thing}.", thing)


def _liked_kind(match: re.Match[str]) -> Query:
    key = normalise_key(match.group("key"))
    return Query(key, f"You haven't told me which {key} you like.")


def _everything_liked(_match: re.Match[str]) -> Query:
    return Query("likes", "You haven't told me what you like.")


def _my(match: re.Match[str]) -> Query:
    key = normalise_key(match.group("key"))
    return Query(key, f"You haven't told me your {key} yet.")


# Questions whose fact depends on their words, tried after the fixed ones, in order.
SHAPED_QUESTIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Query]], ...] = tuple(
    (re.compile(pattern, re.I), build)
    for pattern, build in (
        (r"\bhow many (?P<thing>[a-z]+) do i (?:have|own)\b", _have),
        (r"\bdo i (?:have|own) " + _THING, _have),
        (r"\bdo i (?:like|love|enjoy) " + _THING, _likes),
        (
            r"\bwhat (?P<key>[a-z]+) (?:do|did) i (?:say i )?(?:like|love|enjoy|prefer)\b",
            _liked_kind,
        ),
        (r"\bwhat (?:do|did) i (?:say i )?(?:like|love|enjoy|prefer)\b", _everything_liked),
        (r"\bwhat(?:'s| is| was| are| were) my " + _KEY + _Q_END, _my),
        (r"\bwhat (?P<key>[a-z]+) did i (?:say|tell you|mention|give|pick)", _my),
        (r"\b(?:remember|recall|know) my " + _KEY + _Q_END, _my),
    )
)
ABOUT_ME = re.compile(
    r"\bwhat do you (?:know|remember) about me\b|\btell me (?:what you know )?about myself\b", re.I
)


def query_of(question: str) -> Query | None:
    """Return what a question asks about the user, if it asks about a fact."""
    question = question.strip()
    for pattern, key, unknown in _FIXED_PATTERNS:
        if pattern.search(question):
            return Query(key, f"You haven't told me {unknown}.")
    for shaped, build in SHAPED_QUESTIONS:
        if match := shaped.search(question):
            return build(match)
    return None


def recall_key(question: str) -> str | None:
    """Return the fact a question asks about ("What is my name?" → "name"), if it asks one."""
    query = query_of(question)
    return query.key if query else None


def asks_about_me(question: str) -> bool:
    """Whether the question asks for everything the assistant knows about the user."""
    return bool(ABOUT_ME.search(question))


def look_up(facts: dict[str, str], key: str) -> tuple[str, str] | None:
    """Find the fact for `key`, also by a word of it ("color" finds "favorite color")."""
    if key in facts:
        return key, facts[key]
    if key == "job" and "work" in facts:
        return "work", facts["work"]
    if key.startswith("have "):
        return None
    words = set(key.split()) - {"favorite"}
    for fact_key, value in reversed(facts.items()):
        if words & set(fact_key.split()) and not fact_key.startswith("have "):
            return fact_key, value
    return None


def joined(items: str) -> str:
    """Join a stored list ("ramen, sushi, tea") as English ("ramen, sushi and tea")."""
    parts = items.split(", ")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def phrase(key: str, value: str) -> str:
    """Word one fact in the second person: "your name is Alice", "you live in Paris"."""
    if key == "name":
        return f"your name is {value}"
    if key == "age":
        return f"you are {value} years old" if value.isdigit() else f"you are {value}"
    templates = {
        "origin": "you are from {}",
        "job": "you are {}",
        "home": "you live in {}",
        "work": "you work {}",
        "study": "you study {}",
        "born": "you were born {}",
        "likes": "you like {}",
        "dislikes": "you don't like {}",
    }
    if key in templates:
        return templates[key].format(joined(value) if key in LIST_KEYS else value)
    if key.startswith("have "):
        return f"you have {value}"
    verb = "are" if key.endswith("s") and not key.endswith("ss") else "is"
    return f"your {key} {verb} {value}"


def sentence(text: str) -> str:
    """Capitalise and end with a full stop."""
    return text[0].upper() + text[1:] + "."


def answer_query(query: Query, facts: dict[str, str]) -> str:
    """Answer a question about the user from the facts, or say honestly it was never stated."""
    if query.subject:
        return yes_no_like(query, facts)
    found = look_up(facts, query.key)
    if found:
        return sentence(phrase(*found))
    if query.key == "likes":
        favorites = [(k, v) for k, v in facts.items() if k.startswith("favorite ")]
        if favorites:
            return sentence("; ".join(phrase(k, v) for k, v in favorites))
    return query.missing


def yes_no_like(query: Query, facts: dict[str, str]) -> str:
    """Answer "Do I like X?" from the likes and dislikes."""
    thing = query.subject.lower()
    if any(thing in item.lower() for item in facts.get("likes", "").split(", ") if item):
        return f"Yes, you told me you like {query.subject}."
    if any(thing in item.lower() for item in facts.get("dislikes", "").split(", ") if item):
        return f"No, you told me you don't like {query.subject}."
    return query.missing


MAX_ABOUT_STATEMENTS = 8
"""The newest statements beyond the facts that "What do you know about me?" lists."""


def about_me(facts: dict[str, str], said: Sequence[Statement] = ()) -> str:
    """List what the user has said about themselves: the facts, then other statements."""
    parts = [phrase(key, value) for key, value in facts.items()]
    others = [s.text for s in said if not facts_in(s.text)][-MAX_ABOUT_STATEMENTS:]
    for text in dict.fromkeys(others):
        sentence = second_person(text).rstrip(".")
        parts.append(sentence[:1].lower() + sentence[1:])
    if not parts:
        return "You haven't told me anything about yourself yet."
    return "Here is what you told me: " + "; ".join(parts) + "."


def acknowledgement(stated: dict[str, str]) -> str:
    """Acknowledge facts the user just stated."""
    if "name" in stated:
        return f"Nice to meet you, {stated['name']}! I'll remember that."
    return "Got it: " + "; ".join(phrase(k, v) for k, v in stated.items()) + "."
