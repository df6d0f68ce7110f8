"""The built-in model's skills, one per agent role, each a pure function of what it reads."""

from __future__ import annotations

import re
from typing import Any

from llm.builtin.knowledge import (
    GLOSSARY,
    INTENT_PATTERNS,
    Intent,
    keywords,
    split_clauses,
    topic_in,
)
from llm.builtin.memory import facts_in, singular
from llm.builtin.recall import asks_about_me, recall_key
from llm.builtin.retrieval import asks_about_user

SNIPPET_CHARS = 120
SUBJECT_CHARS = 40
"""The longest word a suggestion names, so that it stays within FollowUps' bound."""
STORED_THINGS = {"note", "message", "session", "request", "tool", "tool call", "metric"}


def asks_recall(clause: str, facts: dict[str, str] | None = None) -> bool:
    """Whether the clause asks about a fact the user stated (not about their stored data).

    `facts`: the clause's `facts_in`, when the caller has read them already.
    """
    if facts_in(clause) if facts is None else facts:
        return False
    key = recall_key(clause)
    return bool(key) and key.removeprefix("have ") not in STORED_THINGS


RECALL_HINTS = {
    "name": r"\b(my name|call me|i am|i'm)\b",
    "age": r"\b(i am|i'm) [0-9]",
    "origin": r"\bfrom\b",
    "job": r"\b(i am an?|i'm an?|work)\b",
    "home": r"\b(live|living|moved)\b",
    "work": r"\bwork",
    "study": r"\bstudy",
    "born": r"\bborn\b",
    "likes": r"\b(like|love|enjoy|prefer|favou?rite)\b",
    "dislikes": r"\b(hate|dislike|stand)\b",
}


def recall_pattern(key: str) -> str:
    """Return a regex for the stored turns in which the user may have stated `key`."""
    if key in RECALL_HINTS:
        return RECALL_HINTS[key]
    word = re.escape(key.split()[-1])
    if key.startswith("have "):
        return rf"\b(have|own)\b.*\b{word}"
    return rf"\bmy (\w+ )?{word}"


def classify(clause: str) -> Intent:
    """Decide what one clause of the user's message is after."""
    for intent, pattern in INTENT_PATTERNS[:2]:
        if pattern.search(clause):
            return intent
    facts = facts_in(clause)  # read once: the recall check and the last line both need them
    if asks_recall(clause, facts):
        return Intent.RECALL
    if asks_about_me(clause):
        return Intent.ABOUT_ME
    about_user = asks_about_user(clause) and not mentions_stored_things(clause)
    for intent, pattern in INTENT_PATTERNS[2:]:
        if intent is Intent.STATS and about_user:
            continue  # "how many coffees do I drink?" asks what they said, not for statistics
        if pattern.search(clause):
            return intent
    return Intent.STATEMENT if facts else Intent.QUESTION


def mentions_stored_things(clause: str) -> bool:
    """Whether a clause names what the service stores (messages, sessions, notes, tools…)."""
    words = {singular(word) for word in re.findall(r"[a-z]+", clause.lower())}
    return bool(words & STORED_THINGS) or "tool call" in clause.lower()


def note_content(clause: str) -> str:
    """Strip "remember that" and friends from a clause, leaving what to remember."""
    text = re.sub(
        r"^(?:please )?(?:remember|note|save|don't forget)(?: that)?\s*", "", clause, flags=re.I
    )
    return text.strip(" .!") or clause.strip()


def stats_request(clause: str) -> dict[str, Any]:
    """Pick the aggregation a statistics question asks for."""
    lowered = clause.lower()
    if "latency" in lowered or "tool" in lowered:
        op = "avg" if ("latency" in lowered or "average" in lowered) else "count"
        args = {"collection": "tool_calls", "group_by": "tool", "op": op}
        return {**args, "field": "latency_ms"} if op == "avg" else args
    if "session" in lowered:
        return {"collection": "sessions", "op": "count"}
    if "note" in lowered:
        return {"collection": "notes", "op": "count"}
    return {"collection": "messages", "group_by": "role", "op": "count"}


def data_plan(clause: str, intent: Intent, session_id: str) -> list[dict[str, Any]]:
    """Choose the DB tool calls one clause needs."""
    this_session = {"sessionId": session_id} if session_id else {}
    if intent is Intent.SAVE_NOTE:
        document = {"content": note_content(clause)[:2000], "tags": ["remembered"]}
        return [{"tool": "db.insert", "args": {"collection": "notes", "document": document}}]
    if intent is Intent.LIST_NOTES:
        args = {"collection": "notes", "sort": {"createdAt": -1}, "limit": 10}
        return [{"tool": "db.find", "args": args}]
    if intent is Intent.STATS:
        return [{"tool": "db.aggregate", "args": stats_request(clause)}]
    if intent is Intent.SUMMARY:
        query = {**this_session, "role": "user"}
        args = {"collection": "messages", "filter": query, "sort": {"createdAt": 1}, "limit": 20}
        return [{"tool": "db.find", "args": args}]
    if intent is Intent.RECALL:
        pattern = recall_pattern(recall_key(clause) or "name")
        query = {**this_session, "role": "user", "content": {"$regex": pattern, "$options": "i"}}
        args = {"collection": "messages", "filter": query, "sort": {"createdAt": -1}, "limit": 3}
        return [{"tool": "db.find", "args": args}]
    words = keywords(clause, limit=1)
    if intent is Intent.QUESTION and words:
        query = {**this_session, "content": {"$regex": re.escape(words[0]), "$options": "i"}}
        args = {"collection": "messages", "filter": query, "sort": {"createdAt": -1}, "limit": 5}
        return [{"tool": "db.find", "args": args}]
    return []


def describe(clause: str, intent: Intent) -> str:
    """Word a clause as a subtask."""
    verbs = {
        Intent.SAVE_NOTE: "Save a note",
        Intent.LIST_NOTES: "List the user's saved notes",
        Intent.STATS: "Compute the requested statistics",
        Intent.SUMMARY: "Summarise the conversation",
        Intent.RECALL: "Recall what the user said",
        Intent.ABOUT_ME: "Recall what the user said about themselves",
        Intent.STATEMENT: "Acknowledge what the user told us",
        Intent.GREETING: "Greet the user",
        Intent.THANKS: "Acknowledge the thanks",
        Intent.QUESTION: "Answer the question",
    }
    return f"{verbs[intent]}: {clause}"[:500]


def plan(prompt: str, session_id: str) -> dict[str, Any]:
    """Plan 1-3 subtasks, one per clause of the prompt, with their data plans."""
    subtasks = []
    for number, clause in enumerate(split_clauses(prompt), start=1):
        intent = classify(clause)
        subtasks.append(
            {
                "id": number,
                "description": describe(clause, intent),
                "data_plan": data_plan(clause, intent, session_id),
            }
        )
    return {"subtasks": subtasks}


def snippet(text: str) -> str:
    """Shorten a stored text for quoting."""
    text = " ".join(str(text).split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def describe_result(outcome: dict[str, Any]) -> str:
    """Say in one sentence what a tool call returned."""
    if not outcome.get("ok"):
        failure = f"The {outcome['tool']} call failed ({outcome.get('error')})"
        return f"{failure}; answering from the conversation instead."
    result, args = outcome.get("result", {}), outcome.get("args", {})
    collection = args.get("collection", "")
    if outcome["tool"] == "db.insert":
        return f'Saved the note "{snippet(args.get("document", {}).get("content", ""))}".'
    if outcome["tool"] == "db.aggregate":
        return describe_groups(args, result.get("groups", []))
    documents = result.get("documents", [])
    if not documents:
        return f"No matching {collection} were found."
    quoted = "; ".join(
        f'"{snippet(d.get("content") or d.get("sessionId") or d)}"' for d in documents
    )
    if collection == "notes":
        return f"Your saved notes: {quoted}."
    return f"Found {result.get('count', len(documents))} matching {collection}: {quoted}."


def describe_groups(args: dict[str, Any], groups: list[dict[str, Any]]) -> str:
    """Say what an aggregation returned ("Number of messages by role: user 3, assistant 2.")."""
    op = args.get("op", "count")
    subject = "Number" if op == "count" else f"{op.capitalize()} {args.get('field', '')}"
    label = f"{subject} of {args.get('collection', '')}"
    if args.get("group_by"):
        label += f" by {args['group_by']}"
    values = ", ".join(
        str(g["value"]) if g["key"] is None else f"{g['key']} {g['value']}" for g in groups
    )
    return f"{label}: {values or 'none yet'}."


def finding(outcomes: list[dict[str, Any]]) -> str:
    """Write up a subtask from its tool results."""
    if not outcomes:
        return "No stored data was needed; this is answered from the conversation."
    return " ".join(describe_result(outcome) for outcome in outcomes)


def verdict(subtasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Judge findings: empty ones, and tool failures on a first attempt, are sent back."""
    issues, retry = [], []
    for subtask in subtasks:
        if not subtask.get("finding", "").strip():
            issues.append(f"Subtask {subtask['id']} has an empty finding.")
            retry.append(subtask["id"])
        elif subtask.get("tool_errors") and subtask.get("attempt", 1) < 2:
            issues.append(
                f"Subtask {subtask['id']} had tool errors: {'; '.join(subtask['tool_errors'])}."
            )
            retry.append(subtask["id"])
    return {"ok": not issues, "issues": issues, "retry_subtasks": retry}


def knowledge_answer(clause: str) -> str:
    """Answer a general question from the glossary, or say honestly that it cannot."""
    topic = topic_in(clause)
    if topic:
        return GLOSSARY[topic]
    subject = " ".join(keywords(clause, limit=2)) or clause.strip(" ?")
    return (
        f'I have no built-in knowledge about "{subject}". The built-in model answers from this '
        "conversation, your stored data and a small glossary; set LLM_PROVIDER=openai for "
        "open-ended answers."
    )


def suggestions(question: str, answer: str) -> dict[str, list[str]]:
    """Offer three distinct follow-ups for the question's first clause."""
    clause = split_clauses(question)[0]
    intent = classify(clause)
    topic = topic_in(question) or topic_in(answer)
    if intent in (Intent.RECALL, Intent.ABOUT_ME, Intent.STATEMENT, Intent.GREETING):
        options = [
            "What do you know about me?",
            "Summarize our conversation so far",
            "Remember that I prefer short answers",
        ]
    elif intent is Intent.SUMMARY:
        options = [
            "What do you know about me?",
            "What have I asked you to remember?",
            "How many messages have I sent?",
        ]
    elif intent in (Intent.SAVE_NOTE, Intent.LIST_NOTES):
        options = [
            "What have I asked you to remember?",
            "How many notes do I have?",
            "Summarize our conversation so far",
        ]
    elif intent is Intent.STATS:
        options = [
            "How many sessions do I have?",
            "What is my average tool latency?",
            "What have I asked you to remember?",
        ]
    elif topic:
        options = [
            f"What are real-world uses of {topic}?",
            f"What are the main challenges of {topic}?",
            f"How do I get started with {topic}?",
        ]
    else:
        subject = subject_of(clause)
        options = [
            f"Tell me more about {subject}",
            f"Can you give an example of {subject}?",
            "Summarize our conversation so far",
        ]
    return {"suggestions": options}


def subject_of(clause: str) -> str:
    """The clause's longest content word that a suggestion can name, or "this"."""
    words = [word for word in keywords(clause, limit=10) if len(word) <= SUBJECT_CHARS]
    return words[0] if words else "this"
