"""The built-in model's small encyclopaedia, and how it reads what a clause asks."""

from __future__ import annotations

import re
from enum import Enum

GLOSSARY: dict[str, str] = {
    "artificial intelligence": (
        "Artificial intelligence (AI) is the field of building computer systems that perform "
        "tasks which normally need human intelligence, such as understanding language, "
        "recognising images, planning and learning from data."
    ),
    "machine learning": (
        "Machine learning is a branch of AI in which systems learn patterns from data instead "
        "of following hand-written rules, improving with more examples."
    ),
    "deep learning": (
        "Deep learning is machine learning with many-layered neural networks, which learn "
        "their own features from raw data such as text, audio and images."
    ),
    "neural network": (
        "A neural network is a model made of layers of simple connected units whose weights "
        "are adjusted during training so that inputs map to the right outputs."
    ),
    "large language model": (
        "A large language model (LLM) is a neural network trained on large amounts of text to "
        "predict the next token, which lets it answer questions, summarise and write."
    ),
    "quantum computing": (
        "Quantum computing uses qubits, which can be in superpositions of 0 and 1 and become "
        "entangled, so that some problems such as factoring and simulating molecules can be "
        "solved far faster than on classical computers."
    ),
    "langgraph": (
        "LangGraph is a library for building stateful, multi-step LLM applications as graphs "
        "of nodes that read and update a shared state, with loops and conditional edges."
    ),
    "django": (
        "Django is a Python web framework with an ORM, an admin site, authentication and "
        "templates included, built for shipping database-backed applications quickly."
    ),
    "server-sent events": (
        "Server-Sent Events (SSE) is a simple HTTP protocol in which the server keeps a "
        "response open and pushes text events to the client as they happen."
    ),
    "mongodb": (
        "MongoDB is a document database that stores JSON-like documents in collections, with "
        "flexible schemas, rich queries and aggregation pipelines."
    ),
    "python": (
        "Python is a readable, general-purpose programming language popular for web services, "
        "data science, automation and machine learning."
    ),
    "blockchain": (
        "A blockchain is an append-only ledger replicated across many computers, where each "
        "block links to the previous one by a cryptographic hash so history cannot be altered."
    ),
    "cloud computing": (
        "Cloud computing is renting computing resources such as servers, storage and databases "
        "on demand over the internet instead of owning the hardware."
    ),
    "api": (
        "An API (application programming interface) is a defined way for programs to talk to "
        "each other, such as HTTP endpoints that accept and return JSON."
    ),
}
ALIASES = {
    "ai": "artificial intelligence",
    "ml": "machine learning",
    "llm": "large language model",
    "llms": "large language model",
    "neural networks": "neural network",
    "quantum computers": "quantum computing",
    "quantum computer": "quantum computing",
    "sse": "server-sent events",
    "apis": "api",
}
STOPWORDS = frozenset(
    """a an the is are was were be been am i me my you your we our it its this that these those
    what which who whom how why when where do does did can could would should will shall may
    might must of in on at to for from by with about into over under and or but not no yes so
    if then than too very just also please tell explain describe give show define meaning mean
    know say said there here some any all more most much many thing things something anything
    let us like want need get got make made have has had hi hello hey thanks thank okay
    ok""".split()
)


class Intent(Enum):
    """What a clause of the user's message is after."""

    GREETING = "greeting"
    THANKS = "thanks"
    RECALL = "recall"
    ABOUT_ME = "about_me"
    STATEMENT = "statement"
    SAVE_NOTE = "save_note"
    LIST_NOTES = "list_notes"
    STATS = "stats"
    SUMMARY = "summary"
    QUESTION = "question"


INTENT_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.SAVE_NOTE,
        re.compile(r"^(?:please )?(?:remember|note|save|don't forget)(?: that)?\b", re.I),
    ),
    (
        Intent.LIST_NOTES,
        re.compile(
            r"\bmy notes\b|\bwhat (?:did|have) i (?:ask(?:ed)? you to )?(?:remember|save|note)",
            re.I,
        ),
    ),
    (Intent.STATS, re.compile(r"\bhow many\b|\b(?:stats|statistics|average|count)\b", re.I)),
    (
        Intent.SUMMARY,
        re.compile(r"\bsummar(?:y|ise|ize)\b|\brecap\b|\bwhat have we (?:talked|discussed)", re.I),
    ),
    (
        Intent.GREETING,
        re.compile(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening))\b[\s!.,]*$", re.I),
    ),
    (Intent.THANKS, re.compile(r"^(?:thanks|thank you|cheers)\b", re.I)),
)


def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b")


# Glossary topics, then aliases, each with its whole-word pattern, compiled once.
_TOPIC_PATTERNS = [(_word_pattern(topic), topic) for topic in GLOSSARY] + [
    (_word_pattern(alias), topic) for alias, topic in ALIASES.items()
]
_CLAUSE_BREAK = re.compile(r"(?<=[.?!;])\s+|,\s+(?=(?:what|how|why|who|can|could|please)\b)", re.I)
_WORD_CHAR = re.compile(r"\w")


def topic_in(text: str) -> str | None:
    """Return the glossary topic a text is about, if the model knows one."""
    lowered = text.lower()
    for pattern, topic in _TOPIC_PATTERNS:
        if pattern.search(lowered):
            return topic
    return None


def keywords(text: str, limit: int = 3) -> list[str]:
    """Return the content words of a text, longest first, without duplicates."""
    words = re.findall(r"[a-z][a-z0-9'-]+", text.lower())
    content = [w for w in dict.fromkeys(words) if w not in STOPWORDS]
    return sorted(content, key=len, reverse=True)[:limit]


def split_clauses(text: str, limit: int = 3) -> list[str]:
    """Split a message into at most `limit` clauses (sentences), merging the rest into the last."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(text)]
    parts = [p for p in parts if _WORD_CHAR.search(p)]
    if len(parts) <= limit:
        return parts or [text.strip()]
    return [*parts[: limit - 1], " ".join(parts[limit - 1 :])]
