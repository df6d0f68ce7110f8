"""What the built-in model remembers: facts users state about themselves, and summaries.

Everything here reads text the model was given (turns, the summary, tool results); nothing is
stored on the side, so the model only knows what the packed context tells it. Facts are
(key, value) pairs: `name`, `age`, `origin`, `job`, `home`, `work`, `study`, `born`, `likes`,
`dislikes`, `have <thing>`, or the X of "my X is Y" ("favorite color").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from llm.builtin.retrieval import CORRECTION_START, Statement, kept_statements, statements_in
from llm.builtin.spelling import SPELLINGS

FACTS_LINE = "Facts the user stated:"
STATEMENTS_LINE = "The user said:"
TOPICS_LINE = "Topics discussed:"
MAX_TOPICS = 8
LIST_KEYS = ("likes", "dislikes")
NAMED_FACTS = frozenset(
    {"name", "age", "origin", "job", "home", "work", "study", "born", "likes", "dislikes"}
)
"""The facts with a name of their own; any other key is the X of "my X is Y"."""

_END = r"(?P<value>[^.;!?\n]+)"
_ADVERB = r"(?:really|also|absolutely|just|do|truly|totally|kind of) "
_NAME = r"(?P<value>[A-Z][\w'-]*(?: [A-Z][\w'-]*)?)"
CORRECTION_PREFIX = re.compile(
    r"^\s*(?:(?:actually|no|oh|sorry|wait|correction|i mean|rather|in fact|to be honest)"
    r"[\s,:!-]+)+",
    re.I,
)
NOT_X_BUT = re.compile(
    r"\b(?P<head>my [a-z' ]+?) (?:is not|isn't|was not|wasn't) [^,;.]+?,? "
    r"(?:(?:it|they|he|she)(?:'s| is| are| was)|but) (?P<value>[^.;!?\n]+)",
    re.I,
)
I_AM_NOT_X_BUT = re.compile(r"\bi(?:'m| am) not [^,;.]+?,? (?:i(?:'m| am)|but) ", re.I)
# (pattern, key or None to take the key from the text); tried in order on each sentence.
FACT_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"\bmy (?P<key>[a-z']+(?: [a-z']+)?) (?:is|are|was|were) " + _END, re.I), None),
    (re.compile(r"\b(?:call me|i am called|i'm called|i go by|i'm named) " + _NAME, re.I), "name"),
    (re.compile(r"\bi(?:'m| am) (?P<value>\d{1,3})(?: years old| years of age|\b)", re.I), "age"),
    (re.compile(r"\bi(?:'m| am)(?: originally)? from " + _END, re.I), "origin"),
    (re.compile(r"\bi(?:'m| am) (?P<value>an? [^.;!?\n]+)", re.I), "job"),
    (re.compile(r"\b[Ii](?:'m| am) " + _NAME + r"\s*(?:[.;!,]|$)"), "name"),
    (re.compile(r"\bi (?:now )?(?:live|reside|stay) in " + _END, re.I), "home"),
    (re.compile(r"\bi(?:'m| am) living in " + _END, re.I), "home"),
    (re.compile(r"\bi (?:have )?moved to " + _END, re.I), "home"),
    (re.compile(r"\bi(?: now)? work (?P<value>(?:at|for|in|as|on) [^.;!?\n]+)", re.I), "work"),
    (re.compile(r"\bi(?:'m| am) (?:studying|majoring in) " + _END, re.I), "study"),
    (re.compile(r"\bi study " + _END, re.I), "study"),
    (re.compile(r"\bi was born (?P<value>(?:in|on|at) [^.;!?\n]+)", re.I), "born"),
    (
        re.compile(r"\bi (?:" + _ADVERB + r")?(?:like|love|adore|enjoy|prefer) " + _END, re.I),
        "likes",
    ),
    (
        re.compile(
            r"\bi (?:" + _ADVERB + r")?(?:hate|dislike|detest|can't stand|cannot stand) " + _END,
            re.I,
        ),
        "dislikes",
    ),
    (
        re.compile(r"\bi (?:have|own|have got) (?P<value>(?!to\b|been\b|no\b)[^.;!?\n]+)", re.I),
        "have",
    ),
)
_THING_ENDS = r"\s+(?:named|called|who|that|which|about|with|for|from|of|in|at)\b"
NOT_POSSESSIONS = {"question", "idea", "problem", "issue", "doubt", "feeling", "time", "minute"}
NOT_NAMES = {"Not", "Sorry", "Fine", "Good", "Okay", "Ok", "Here", "Back", "Done", "Ready"}


def normalise_key(key: str) -> str:
    """Lower-case a fact key and use one spelling (favourite → favorite, colour → color)."""
    words = [SPELLINGS.get(word, word) for word in key.lower().replace("'", "").split()]
    return " ".join(words)


def singular(noun: str) -> str:
    """Return a crude singular of an English noun (cats → cat, boxes → box)."""
    noun = noun.lower()
    for plural, single in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if noun.endswith(plural):
            return noun[: -len(plural)] + single
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


_NEW_CLAUSE = re.compile(
    r",?\s+(?:and|but|so|because|though|although)\s+(?=i\b|i'm|my\b|it\b|we\b)|,\s*(?=i\b|my\b)",
    re.I,
)
_FILLER_END = re.compile(r"\s+(?:now|anymore|these days|too|as well)$", re.I)
_FILLER_START = re.compile(r"^(?:now|still|currently|actually)\s+", re.I)
_NOT_THAT = re.compile(r",\s*not\s+[^,;]+$", re.I)
"""A value's own correction: "Bristol, not Bath" is Bristol."""
_THING_END = re.compile(_THING_ENDS, re.I)
_LETTERS = re.compile(r"[a-z]+")
_NOT_A_VALUE = re.compile(r"(?i)not\b|sure\b|going\b|sorry\b|afraid\b")


def clean_value(value: str) -> str:
    """Trim a fact's value where a new clause starts, and drop trailing filler."""
    value = _NEW_CLAUSE.split(value.strip(), maxsplit=1)[0]
    value = _FILLER_END.sub("", _NOT_THAT.sub("", value.strip()))
    value = _FILLER_START.sub("", value)
    return value.strip(" ,'\"")


def thing_of(value: str) -> str:
    """Return the thing a "have" value is about: "two black cats named Tom" → "cat"."""
    head = _THING_END.split(value, maxsplit=1)[0]
    words = _LETTERS.findall(head.lower())
    return singular(words[-1]) if words else ""


_SENTENCE_BREAK = re.compile(r"(?<=[.!?;\n])\s*")


def sentences_of(text: str) -> list[str]:
    """Split text into sentences; corrections ("not X, it is Y") become plain statements."""
    sentences = []
    for sentence in _SENTENCE_BREAK.split(text):
        sentence = CORRECTION_PREFIX.sub("", sentence)
        sentence = NOT_X_BUT.sub(lambda m: f"{m.group('head')} is {m.group('value')}", sentence)
        sentence = I_AM_NOT_X_BUT.sub("I am ", sentence)
        if sentence.strip() and not sentence.rstrip().endswith("?"):
            sentences.append(sentence)
    return sentences


def facts_in(text: str) -> dict[str, str]:
    """Return the facts a user states about themselves in `text` ("my name is Alice")."""
    facts: dict[str, str] = {}
    for sentence in sentences_of(text):
        taken: list[tuple[int, int]] = []
        for pattern, fixed_key in FACT_PATTERNS:
            for match in pattern.finditer(sentence):
                if any(start <= match.start() < end for start, end in taken):
                    continue
                if value := add_fact(facts, fixed_key, match):
                    taken.append((match.start(), match.start("value") + len(value)))
    return facts


def add_fact(facts: dict[str, str], fixed_key: str | None, match: re.Match[str]) -> str:
    """Add one matched fact to `facts`; return the value it read ('' when it was none)."""
    value = clean_value(match.group("value"))
    if not value or _NOT_A_VALUE.match(value):
        return ""
    if fixed_key == "name" and value.split()[0] in NOT_NAMES:
        return ""
    read = value
    key = fixed_key or normalise_key(match.group("key"))
    if key == "have":
        thing = thing_of(value)
        if not thing or thing in NOT_POSSESSIONS:
            return ""
        key = f"have {thing}"
    if key in LIST_KEYS and key in facts and value not in facts[key].split(", "):
        value = f"{facts[key]}, {value}"
    facts[key] = value
    opposite = {"likes": "dislikes", "dislikes": "likes"}.get(key)
    if opposite and opposite in facts:
        kept = [v for v in facts[opposite].split(", ") if v.lower() != value.lower()]
        facts[opposite] = ", ".join(kept)
        facts.pop(opposite) if not kept else None
    return read


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
        for key, value in facts_in(text).items():
            facts.pop(key, None)  # re-insert so the newest statement also comes last
            facts[key] = value
    return facts


def topic_of(turn: str) -> str | None:
    """Return a user turn as a topic when it asks something, trimmed to 80 characters."""
    text = " ".join(turn.split())
    if text.endswith("?") or re.match(
        r"(?i)(what|how|why|who|when|where|explain|tell|describe)\b", text
    ):
        return text[:80]
    return None


def summarise(current: str, turns: list[tuple[str, str]]) -> str:
    """Fold (role, content) turns into the current summary.

    It keeps the facts, the user's newest first-person statements (what retrieval answers
    from when their turns have left the window) and the latest topics.
    """
    user_texts = [content for role, content in turns if role == "user"]
    facts = known_facts(current, user_texts)
    said = kept_statements(known_statements(current, user_texts))
    topics = [t.strip() for t in current_topics(current)]
    topics += [topic for role, content in turns if role == "user" and (topic := topic_of(content))]
    lines = []
    if facts:
        lines.append(FACTS_LINE + " " + "; ".join(f"{k} = {v}" for k, v in facts.items()) + ".")
    if said:
        lines.append(STATEMENTS_LINE + " " + " | ".join(s.replace("|", "/") for s in said))
    if topics:
        lines.append(TOPICS_LINE + " " + " | ".join(topics[-MAX_TOPICS:]))
    if not lines:
        lines.append(f"The user and the assistant exchanged {len(turns)} more messages.")
    return "\n".join(lines)


def summary_statements(summary: str) -> list[str]:
    """Read back the statements line that `summarise` writes (oldest first)."""
    for line in summary.splitlines():
        if line.startswith(STATEMENTS_LINE):
            return [s.strip() for s in line[len(STATEMENTS_LINE) :].split(" | ") if s.strip()]
    return []


def known_statements(summary: str, user_texts: Iterable[str]) -> list[Statement]:
    """The user's first-person statements: the summary's, then the turns', oldest first."""
    older = statements_in(summary_statements(summary))
    return [*older, *statements_in(user_texts, start=len(older))]


def current_topics(summary: str) -> list[str]:
    """Read back the topics line that `summarise` writes."""
    for line in summary.splitlines():
        if line.startswith(TOPICS_LINE):
            return [topic for topic in line[len(TOPICS_LINE) :].split(" | ") if topic.strip()]
    return []


def says_about_its_user(text: str) -> bool:
    """Whether a message has a first-person statement (what `told` would read facts from)."""
    return bool(statements_in([text]))


def told(text: str) -> list[dict[str, str]]:
    """What a message says about its user, as the `facts` a memory keeper lists.

    Each first-person statement, as a sentence (correction markers off); `about` is its fact's
    key ("favorite color", "home", "taste:olives" for liking or disliking olives), or '' for a
    statement with no named fact. One entry per `about` (the last wins).
    """
    found: dict[str, dict[str, str]] = {}
    for statement in statements_in([text]):
        sentence = sentence_of(statement.text)
        about = "+".join(
            f"taste:{normalise_key(value)}" if key in LIST_KEYS else key
            for key, value in sorted(facts_in(sentence).items())
        )
        if sentence:
            found[about or sentence.casefold()] = {"about": about, "statement": sentence}
    return list(found.values())


def sentence_of(clause: str) -> str:
    """A clause as a sentence to keep: corrections' markers off, capitalised, a full stop."""
    text = CORRECTION_START.sub("", clause).strip(" ,;")
    return text[:1].upper() + text[1:].rstrip(".!") + "." if text else ""
