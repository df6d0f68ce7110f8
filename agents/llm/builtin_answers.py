"""How the built-in model answers: clause by clause, from facts, findings and its glossary."""

from __future__ import annotations

import re

from agents.llm.builtin_knowledge import Intent, split_clauses
from agents.llm.builtin_memory import (
    current_topics,
    facts_in,
    known_facts,
    look_up,
    recall_key,
)
from agents.llm.builtin_skills import classify, knowledge_answer, note_content


def parse_synthesis(request: str) -> tuple[str, list[str]]:
    """Split the synthesizer's request into the question and its numbered findings."""
    question, _, findings_text = request.partition("\n\nFindings:\n")
    question = question.removeprefix("Question: ").strip()
    findings = re.split(r"(?m)^\d+\. ", findings_text)
    return question, [finding.strip() for finding in findings if finding.strip()]


def recall_sentence(clause: str, facts: dict[str, str], finding: str) -> str:
    """Answer "What is my X?" from what the user said, in context or in the stored turns."""
    key = recall_key(clause) or "name"
    found = look_up(facts, key) or look_up(facts_in(finding.replace('"', ". ")), key)
    if not found:
        return f"You haven't told me your {key} yet."
    fact_key, value = found
    if fact_key == "name":
        return f"Your name is {value}."
    return f"You said your {fact_key} is {value}."


def facts_phrase(facts: dict[str, str]) -> str:
    """Word the user's facts: "your name is Alice; your favorite color is blue"."""
    return "; ".join(f"your {key} is {value}" for key, value in facts.items())


def about_me_sentence(facts: dict[str, str]) -> str:
    """List everything the user has said about themselves."""
    if not facts:
        return "You haven't told me anything about yourself yet."
    return f"Here is what you told me: {facts_phrase(facts)}."


def statement_sentence(clause: str) -> str:
    """Acknowledge facts the user just stated."""
    stated = facts_in(clause)
    if "name" in stated:
        return f"Nice to meet you, {stated['name']}! I'll remember that."
    parts = [f"you like {v}" if k == "likes" else f"your {k} is {v}" for k, v in stated.items()]
    return "Got it: " + "; ".join(parts) + "."


def summary_sentence(facts: dict[str, str], summary: str, user_turns: list[str]) -> str:
    """Summarise the conversation from the user's facts, the summary's topics and the turns."""
    parts = []
    if facts:
        parts.append(f"You told me {facts_phrase(facts)}.")
    asked = current_topics(summary) + [t for t in user_turns if t.rstrip().endswith("?")]
    if asked:
        parts.append("You asked: " + " | ".join(dict.fromkeys(asked)))
    if not parts:
        return "We have only just started talking."
    return "Here is a summary of our conversation. " + " ".join(parts)


def clause_sentence(
    clause: str, finding: str, facts: dict[str, str], summary: str, user_turns: list[str]
) -> str:
    """Answer one clause of the question, knowing the user's facts."""
    intent = classify(clause)
    if intent is Intent.RECALL:
        return recall_sentence(clause, facts, finding)
    if intent is Intent.ABOUT_ME:
        return about_me_sentence(facts)
    if intent is Intent.STATEMENT:
        return statement_sentence(clause)
    if intent is Intent.SUMMARY:
        return summary_sentence(facts, summary, user_turns)
    if intent is Intent.SAVE_NOTE:
        return f'I\'ll remember that: "{note_content(clause)}".'
    if intent in (Intent.LIST_NOTES, Intent.STATS):
        return finding or "I could not read your stored data."
    if intent is Intent.GREETING:
        name = facts.get("name")
        return f"Hello{', ' + name if name else ''}! How can I help you today?"
    if intent is Intent.THANKS:
        return "You're welcome!"
    return knowledge_answer(clause)


def compose_answer(request: str, summary: str, user_turns: list[str]) -> str:
    """Answer the synthesizer's request; clause i of the question uses finding i."""
    question, findings = parse_synthesis(request)
    facts = known_facts(summary, user_turns)
    sentences = [
        clause_sentence(
            clause, findings[i] if i < len(findings) else "", facts, summary, user_turns
        )
        for i, clause in enumerate(split_clauses(question))
    ]
    return " ".join(dict.fromkeys(sentences))
