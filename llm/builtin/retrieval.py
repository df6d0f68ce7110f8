"""Recall by retrieval: answer a question about the user from what they said, whatever its shape.

A question is about the user when it asks something (a wh-word, or an auxiliary first) in the
first person ("Where do I …", "What did my …"). Its content words (stemmed: "plays" and
"played" are "play"; irregular pasts "taught" → "teach") are matched against the user's
earlier first-person statements, from the recent turns and the summary, clause by clause.
The clause sharing the most content words wins; the later one wins a tie, and a correction
("actually", "no,", "I meant", "not X but Y") outranks what it corrects. The answer is that
clause in the second person ("I play the cello." → "You play the cello."). Nothing here knows
any particular sentence: only pronouns, auxiliaries, stems, negation and correction markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from llm.builtin.irregular import IRREGULAR_PASTS
from llm.builtin.spelling import american

MAX_KEPT = 16
"""First-person statements a summary keeps (the newest)."""
MAX_STATEMENT_CHARS = 240

FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|myself)\b", re.I)
WH_WORDS = ("what", "which", "who", "whom", "whose", "where", "when", "why", "how")
AUXILIARIES = (
    "do", "does", "did", "am", "is", "are", "was", "were", "have", "has", "had",
    "can", "could", "will", "would", "should", "shall", "may", "might", "must",
)  # fmt: skip
STOPWORDS = frozenset(
    """
    i me my mine myself you your yours yourself we us our he him his she her it its they them
    their a an the this that these those there here is am are was were be been being do does
    did done doing have has had having can could will would should shall may might must of to
    in on at by for with from about into over under as than then so and or but not no nor if
    what which who whom whose where when why how many much some any all each every also
    just really very again too tell told say said remember recall know knew mention mentioned
    please ok okay yes actually meant mean sorry wait rather correction kind sort thing things
    'm 've 'd 'll 's i'm i've i'd i'll don't didn't doesn't isn't wasn't aren't weren't
    """.split()
)
"""Words that carry no content of their own: pronouns, auxiliaries, wh-words, connectives."""
NEGATIONS = frozenset({"not", "never", "no", "don't", "didn't", "doesn't", "isn't", "wasn't"})
CORRECTION_START = re.compile(
    r"^\s*(?:(?:actually|no|nope|oh|sorry|wait|correction|rather|in fact|i mean|i meant|"
    r"to be precise|let me correct that)\b[\s,:!-]*)+",
    re.I,
)
REMEMBER_THAT = re.compile(
    r"^\s*(?:please\s+)?(?:remember|note|keep in mind|don't forget|do not forget)"
    r"(?:\s+that)?[\s:,-]+",
    re.I,
)
"""A request to remember what follows: the statement is what follows ("Remember that my …")."""
NOT_X_BUT_Y = re.compile(r"\bnot (?P<x>[^,;.]+?),? but (?P<y>[^,;.]+)", re.I)
X_NOT_Y = re.compile(r",\s*not [^,;.]+$", re.I)
CLAUSE_BREAK = re.compile(
    r"\s*(?:;|,?\s+(?:but|and|while|whereas|although|though)\s+(?=(?:i|i'm|i've|my)\b)|"
    r",\s+(?=(?:i|i'm|i've|my)\b))",
    re.I,
)
REQUEST = re.compile(
    r"\b(?:questions?|wonder(?:ing)?|want to know|would like|'d like|need help|help me|"
    r"ask(?:ing)?|please|can you|could you|would you|tell me|explain|show me)\b",
    re.I,
)
"""Words of a request ("I have a question…", "I'd like to know…"): not something to remember."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# What each kind of question needs in its answer (general rules of English, not sentences).
NUMBER = (
    r"\b\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen|couple|several|"
    r"a few|many|no)\b"
)
PLACE = (
    r"\b(?:in|at|near|from|to|on|by|outside|inside|around|across|between|above|below|behind|"
    r"along|beside|under|over|through|past|opposite|within|beyond|towards?|next to|up|down)\s+\w"
)
TIME = (
    r"\b(?:on|at|in|every|since|before|after|during|until|each|this|next|last)\s+\w|\b\d|"
    r"\b(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|"
    r"mornings?|afternoons?|evenings?|nights?|weekends?|weekdays?|today|tonight|yesterday|"
    r"tomorrow|daily|weekly|monthly|yearly|annually|ago|january|february|march|april|may|"
    r"june|july|august|september|october|november|december|spring|summer|autumn|fall|winter)\b"
)
REASON = r"\b(?:because|since|so that|so|as|to|for)\b"
DAYS_AND_MONTHS = (
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?|January|February|March|April|May|June|July|"
    r"August|September|October|November|December"
)
PERSON = rf"(?<=\w )(?!I\b|{DAYS_AND_MONTHS}\b)[A-Z][a-z]+|(?i:\bmy [a-z]+)"
"""A name (a capitalised word past the first, not "I", a day or a month), or "my <someone>"."""
ANSWER_NEEDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(question, re.I), re.compile(needs, flags))
    for question, needs, flags in (
        (r"^\W*how (?:many|much|old|tall|far|long|often)\b", NUMBER + "|" + TIME, re.I),
        (r"^\W*where\b", PLACE, re.I),
        (r"^\W*when\b|^\W*what time\b|^\W*what year\b|^\W*what day\b", TIME, re.I),
        (r"^\W*why\b", REASON, re.I),
        (r"^\W*(?:who|whom)\b", PERSON, 0),  # a name is told by its capital letter
    )
)

SECOND_PERSON = (
    (r"\bI am\b", "you are"),
    (r"\bI'm\b", "you're"),
    (r"\bI was\b", "you were"),
    (r"\bI've\b", "you've"),
    (r"\bI'd\b", "you'd"),
    (r"\bI'll\b", "you'll"),
    (r"\bI\b", "you"),
    (r"\bmyself\b", "yourself"),
    (r"\bmine\b", "yours"),
    (r"\bmy\b", "your"),
    (r"\bme\b", "you"),
)
_SECOND_PERSON = tuple((re.compile(pattern, re.I), word) for pattern, word in SECOND_PERSON)


@dataclass(frozen=True)
class Statement:
    """One first-person clause the user stated, in the order they said it."""

    text: str
    order: int
    correction: bool


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """Return the Snowball English stemmer, loaded on first use.

    Its package loads every language's stemmer (2.5 MiB); a server whose users never ask
    about themselves needs none of them.
    """
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Return a word's stem: the Snowball stem of its base form ("taught" → "teach")."""
    base = IRREGULAR_PASTS.get(word, word)
    return _stemmer().stemWord(base)


def content_stems(text: str) -> frozenset[str]:
    """Return the stems of the words that carry content (not pronouns, auxiliaries, …)."""
    words = WORD.findall(american(text).lower())
    return frozenset(stem(word) for word in words if word not in STOPWORDS)


def is_question(text: str) -> bool:
    """Whether `text` asks something (ends with "?", or starts with a wh-word or auxiliary)."""
    words = WORD.findall(text.lower())
    return text.rstrip().endswith("?") or bool(words) and words[0] in (*WH_WORDS, *AUXILIARIES)


def asks_about_user(question: str) -> bool:
    """Whether a question asks about the user: a question in the first person."""
    return is_question(question) and bool(FIRST_PERSON.search(question))


def clauses_of(text: str) -> list[str]:
    """Split a turn into sentences, and each into clauses that have a subject of their own."""
    clauses = []
    for sentence in SENTENCE_END.split(text):
        clauses += [part.strip(" ,.!") for part in CLAUSE_BREAK.split(sentence) if part.strip()]
    return [clause for clause in clauses if clause]


def statements_in(texts: Iterable[str], start: int = 0) -> list[Statement]:
    """Return the first-person statements (not questions) of the user's `texts`, in order."""
    found = []
    for text in texts:
        correction = bool(CORRECTION_START.match(text))
        for clause in clauses_of(text):
            clause = REMEMBER_THAT.sub("", clause)
            if is_question(clause) or REQUEST.search(clause) or not FIRST_PERSON.search(clause):
                continue
            found.append(Statement(clause[:MAX_STATEMENT_CHARS], start + len(found), correction))
            correction = correction or bool(NOT_X_BUT_Y.search(clause))
    return found


def yes_no(question: str) -> bool:
    """Whether the question is a yes/no one (it opens with an auxiliary, not a wh-word)."""
    words = WORD.findall(question.lower())
    return bool(words) and words[0] in AUXILIARIES


def answers_kind(question: str, statement: str) -> bool:
    """Whether the statement holds what the question's kind asks for (a place for "where"…)."""
    for asks, needs in ANSWER_NEEDS:
        if asks.search(question):
            return bool(needs.search(CORRECTION_START.sub("", statement)))
    return True


QUESTION_SUBJECT = re.compile(
    r"\b(?:do|does|did|am|is|are|was|were|have|has|had|can|could|will|would|should)\s+"
    r"(?P<subject>i|my\s+[a-z]+(?:'s)?)\b",
    re.I,
)
STATEMENT_SUBJECT = re.compile(
    r"^\W*(?:(?:actually|no|sorry|wait|correction|i meant)\W+)*"
    r"(?P<subject>i|i'm|i've|i'd|i'll|my\s+[a-z]+(?:'s)?)\b",
    re.I,
)


def subject_of(text: str, pattern: re.Pattern[str]) -> str | None:
    """Who a clause is about: "self" for the user, else the X of "my X"; None when unclear."""
    match = pattern.search(text)
    if match is None:
        return None
    subject = match.group("subject").lower()
    return subject.split()[-1].removesuffix("'s") if subject.startswith("my") else "self"


def best_statement(question: str, statements: list[Statement]) -> Statement | None:
    """The statement sharing the most content with the question (see the module docstring).

    A yes/no question needs all its content words in the statement; another question at least
    one, and a statement of the kind it asks for (a place for "where", a time for "when"…).
    """
    wanted = content_stems(question)
    needed = len(wanted) if yes_no(question) else 1
    asked_about = subject_of(question, QUESTION_SUBJECT)
    best, best_score = None, 0.0
    for statement in statements:
        shared = len(wanted & content_stems(statement.text))
        if not wanted or shared < needed or not answers_kind(question, statement.text):
            continue
        score = shared + (0.5 if statement.correction else 0.0)
        if asked_about is not None and subject_of(statement.text, STATEMENT_SUBJECT) == asked_about:
            score += 0.75  # about the same one: "Do I …" is answered by "I …", not "my sister …"
        if score >= best_score:
            best, best_score = statement, score
    return best


def second_person(clause: str) -> str:
    """Rewrite a first-person clause for its speaker, corrections resolved, as a sentence."""
    text = CORRECTION_START.sub("", clause).strip(" ,")
    text = NOT_X_BUT_Y.sub(lambda match: match.group("y"), text)
    text = X_NOT_Y.sub("", text)
    for pattern, word in _SECOND_PERSON:
        text = pattern.sub(word, text)
    text = american(text.strip(" ,.;!"))
    return text[0].upper() + text[1:] + "." if text else ""


def retrieve(question: str, statements: list[Statement]) -> str | None:
    """Answer a question about the user from their statements, or None when none matches."""
    found = best_statement(question, statements)
    return second_person(found.text) if found else None


def acknowledged(text: str) -> str | None:
    """Acknowledge the first-person statements of a turn in the second person, if it has any."""
    said = statements_in([text])
    if not said:
        return None
    parts = [second_person(statement.text).rstrip(".") for statement in said]
    return "Got it: " + "; ".join(part[0].lower() + part[1:] for part in parts) + "."


def not_told(question: str) -> str:
    """Say plainly that nothing the user said answers the question, naming what was looked for."""
    words = list(dict.fromkeys(w for w in WORD.findall(question.lower()) if w not in STOPWORDS))
    if not words:
        return "You haven't told me anything about that."
    looked_for = " or ".join(f'"{word}"' for word in words)
    return f"You haven't told me that: nothing you said mentions {looked_for}."


def kept_statements(statements: list[Statement]) -> list[str]:
    """The statements a summary keeps: the newest MAX_KEPT, corrections marked as such."""
    kept = statements[-MAX_KEPT:]
    return [("Actually, " if s.correction else "") + s.text for s in kept]
