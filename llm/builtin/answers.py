"""How the built-in model answers: clause by clause, from facts, findings and its glossary."""

from __future__ import annotations

import re

from llm.builtin.knowledge import Intent, split_clauses
from llm.builtin.memory import (
    NAMED_FACTS,
    current_topics,
    facts_in,
    known_facts,
    known_statements,
)
from llm.builtin.recall import (
    about_me,
    acknowledgement,
    answer_query,
    phrase,
    query_of,
)
from llm.builtin.retrieval import (
    Statement,
    acknowledged,
    asks_about_user,
    not_told,
    retrieve,
)
from llm.builtin.skills import classify, knowledge_answer, note_content, snippet
from llm.requests import HistoryReading


def recall_sentence(clause: str, facts: dict[str, str], finding: str, said: list[Statement]) -> str:
    """Answer a question about the user: from the facts, else by retrieving what they said.

    The facts of the conversation come first, then the user's statements (recent turns and
    summary), then the stored turns the worker found; else an honest "you haven't told me".
    """
    query = query_of(clause)
    if query is None:
        if asks_about_user(clause):
            return retrieved_sentence(clause, said)
        return knowledge_answer(clause)
    answer = answer_query(query, facts)
    named = query.key in NAMED_FACTS or query.key.startswith("have ")
    if answer != query.missing and named:
        return answer
    # A fact of the "my X is Y" kind is best said as the user said it (tense, apostrophes).
    if found := retrieve(clause, said):
        return found
    if answer != query.missing:
        return answer
    if finding:
        return answer_query(query, facts_in(finding.replace('"', ". ")))
    return answer


def retrieved_sentence(clause: str, said: list[Statement]) -> str:
    """Answer a first-person question from the statement that matches it, or say none does."""
    return retrieve(clause, said) or not_told(clause)


def summary_sentence(facts: dict[str, str], summary: str, user_turns: list[str]) -> str:
    """Summarise the conversation from the user's facts, the summary's topics and the turns."""
    parts = []
    if facts:
        parts.append("You told me " + "; ".join(phrase(k, v) for k, v in facts.items()) + ".")
    asked = current_topics(summary) + [t for t in user_turns if t.rstrip().endswith("?")]
    if asked:
        parts.append("You asked: " + " | ".join(dict.fromkeys(asked)))
    if not parts:
        return "We have only just started talking."
    return "Here is a summary of our conversation. " + " ".join(parts)


def clause_sentence(
    clause: str,
    finding: str,
    facts: dict[str, str],
    said: list[Statement],
    conversation: HistoryReading,
) -> str:
    """Answer one clause of the question, knowing the user's facts and statements."""
    intent = classify(clause)
    if intent is Intent.RECALL:
        return recall_sentence(clause, facts, finding, said)
    if intent is Intent.ABOUT_ME:
        return about_me(facts, said)
    if intent is Intent.STATEMENT:
        return acknowledgement(facts_in(clause))
    if intent is Intent.SUMMARY:
        return summary_sentence(facts, conversation.summary, conversation.user_turns)
    if intent is Intent.SAVE_NOTE:
        return note_sentence(clause, finding)
    if intent in (Intent.LIST_NOTES, Intent.STATS):
        return finding or "I could not read your stored data."
    if intent is Intent.GREETING:
        name = facts.get("name")
        return f"Hello{', ' + name if name else ''}! How can I help you today?"
    if intent is Intent.THANKS:
        return "You're welcome!"
    if asks_about_user(clause):
        return retrieved_sentence(clause, said)
    return acknowledged(clause) or knowledge_answer(clause)


def note_sentence(clause: str, finding: str) -> str:
    """Say what became of a note: saved (as the worker wrote it, edited or not), or not."""
    failed = re.search(r"The db\.insert call failed \((.*)\)", finding)
    if failed:
        return f"I did not save that note: {failed.group(1)}."
    saved = re.search(r'Saved the note "(.*)"\.', finding)
    content = note_content(clause)
    if saved and saved.group(1) != snippet(content):
        return f'I\'ll remember that: "{saved.group(1)}".'  # written as a person edited it
    return f'I\'ll remember that: "{content}".'


def compose_answer(question: str, findings: list[str], conversation: HistoryReading) -> str:
    """Answer the question; clause i of the question uses finding i."""
    earlier = conversation.memories  # said in earlier conversations: the oldest of all
    facts = known_facts(conversation.summary, [*earlier, *conversation.user_turns, question])
    said = known_statements(conversation.summary, [*earlier, *conversation.user_turns])
    sentences = [
        clause_sentence(clause, findings[i] if i < len(findings) else "", facts, said, conversation)
        for i, clause in enumerate(split_clauses(question))
    ]
    return " ".join(dict.fromkeys(sentences))
