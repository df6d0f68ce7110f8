"""What the built-in model remembers: facts users state about themselves, and summaries.

Everything here reads text the model was given (turns, the summary, tool results); nothing is
stored on the side, so the model only knows what the packed context tells it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FACTS_LINE = "Facts the user stated:"
TOPICS_LINE = "Topics discussed:"
MAX_TOPICS = 8

_VALUE = r"(?P<value>[^.,;!?\n]+)"
FACT_PATTERNS = (
    re.compile(r"\bmy (?P<key>[a-z']+(?: [a-z']+)?) (?:is|are|was) " + _VALUE, re.I),
    re.compile(r"\b(?:call me|i am called|i'm called) (?P<value>[\w'-]+(?: [A-Z][\w'-]*)*)", re.I),
    re.compile(r"\bi (?:really )?(?:like|love|enjoy|prefer) " + _VALUE, re.I),
    re.compile(r"\bi live in " + _VALUE, re.I),
)
KEY_FOR_PATTERN = {1: "name", 2: "likes", 3: "home"}
RECALL_PATTERNS = (
    re.compile(r"\bwhat(?:'s| is| was) my (?P<key>[a-z' ]+?)\s*\??$", re.I),
    re.compile(r"\bwhat (?P<key>[a-z]+) did i (?:say|tell you|mention|give|pick)", re.I),
    re.compile(r"\b(?:remember|recall|know) my (?P<key>[a-z' ]+?)\s*\??$", re.I),
    re.compile(r"\bwho am i\b(?P<key>)", re.I),
)
ABOUT_ME = re.compile(r"\bwhat do you (?:know|remember) about me\b", re.I)
SPELLINGS = {"favourite": "favorite", "fav": "favorite", "colour": "color"}


def normalise_key(key: str) -> str:
    """Lower-case a fact key and use one spelling (favourite → favorite, colour → color)."""
    words = [SPELLINGS.get(word, word) for word in key.lower().split()]
    return " ".join(words)


def clean_value(value: str) -> str:
    """Trim a fact's value at a conjunction or trailing filler."""
    value = re.split(r"\s+(?:and|but|so|because)\s+", value.strip(), maxsplit=1)[0]
    return value.strip(" '\"")


def facts_in(text: str) -> dict[str, str]:
    """Return the facts a user states about themselves in `text` ("my name is Alice")."""
    facts: dict[str, str] = {}
    for sentence in re.split(r"(?<=[.!?;\n])\s*", text):
        if sentence.rstrip().endswith("?"):
            continue
        for number, pattern in enumerate(FACT_PATTERNS):
            for match in pattern.finditer(sentence):
                key = KEY_FOR_PATTERN.get(number) or normalise_key(match.group("key"))
                value = clean_value(match.group("value"))
                if value:
                    facts[key] = (
                        f"{facts[key]}, {value}" if key == "likes" and key in facts else value
                    )
    return facts


def facts_in_summary(summary: str) -> dict[str, str]:
    """Read back the facts line that `summarise` writes."""
    for line in summary.splitlines():
        if line.startswith(FACTS_LINE):
            pairs = (item.partition(" = ") for item in line[len(FACTS_LINE) :].split(";"))
            return {key.strip(): value.strip(" .") for key, _, value in pairs if value.strip()}
    return {}


def known_facts(summary: str, user_texts: Iterable[str]) -> dict[str, str]:
    """Collect facts from the summary, then from the user's turns (later statements win)."""
    facts = facts_in_summary(summary)
    for text in user_texts:
        facts.update(facts_in(text))
    return facts


def recall_key(question: str) -> str | None:
    """Return the fact a question asks about ("What is my name?" → "name"), if it asks one."""
    for pattern in RECALL_PATTERNS:
        match = pattern.search(question.strip())
        if match:
            return normalise_key(match.group("key")) or "name"
    return None


def asks_about_me(question: str) -> bool:
    """Whether the question asks for everything the assistant knows about the user."""
    return bool(ABOUT_ME.search(question))


def look_up(facts: dict[str, str], key: str) -> tuple[str, str] | None:
    """Find the fact for `key`, also by a word of it ("color" finds "favorite color")."""
    if key in facts:
        return key, facts[key]
    words = set(key.split())
    for fact_key, value in facts.items():
        if words & set(fact_key.split()):
            return fact_key, value
    return None


def topic_of(turn: str) -> str | None:
    """Return a user turn as a topic when it asks something, trimmed to 80 characters."""
    text = " ".join(turn.split())
    if text.endswith("?") or re.match(
        r"(?i)(what|how|why|who|when|where|explain|tell|describe)\b", text
    ):
        return text[:80]
    return None


def summarise(current: str, turns: list[tuple[str, str]]) -> str:
    """Fold (role, content) turns into the current summary: facts kept, latest topics listed."""
    facts = known_facts(current, (content for role, content in turns if role == "user"))
    topics = [t.strip() for t in current_topics(current)]
    topics += [topic for role, content in turns if role == "user" and (topic := topic_of(content))]
    lines = []
    if facts:
        lines.append(FACTS_LINE + " " + "; ".join(f"{k} = {v}" for k, v in facts.items()) + ".")
    if topics:
        lines.append(TOPICS_LINE + " " + " | ".join(topics[-MAX_TOPICS:]))
    if not lines:
        lines.append(f"The user and the assistant exchanged {len(turns)} more messages.")
    return "\n".join(lines)


def current_topics(summary: str) -> list[str]:
    """Read back the topics line that `summarise` writes."""
    for line in summary.splitlines():
        if line.startswith(TOPICS_LINE):
            return [topic for topic in line[len(TOPICS_LINE) :].split(" | ") if topic.strip()]
    return []
