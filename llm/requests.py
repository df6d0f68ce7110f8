"""What each agent asks a model: one typed request per role, rendered as messages and read back.

Every request names its role explicitly. `render` turns a request into the chat messages a
provider sends (the role's instructions, the packed conversation, the request's body) and
`parse` reads such messages back into the request; the built-in model answers from what
`parse` returns, so it knows exactly what any other model would be shown. Formats change
here and only here: render and parse sit side by side, and a test checks they round-trip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from llm.base import ChatMessage, Role

SUMMARY_HEADER = "Conversation summary so far:"
MEMORIES_HEADER = "What the user told you in earlier conversations (their words, oldest first):"
META_INTRO = (
    "You are a helpful assistant in a multi-agent pipeline (planner, worker, critic, synthesizer)."
)
META_OUTRO = (
    "Use the conversation summary and the recent turns below for what the user said before."
)
NO_SUMMARY = "(none)"

PLANNER_PROMPT = """You are the Planner. Expand the user's latest message into 1 to 3 subtasks.
For each subtask, write a short description and a data plan: the DB tool calls (0 to 3) that
would fetch or store what it needs. Tools, scoped to the current user automatically:
- db.find {"collection", "filter", "sort", "limit"} reads messages, sessions, notes, tool_calls
  or metrics. Filters use a MongoDB subset: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex
  $and $or. limit is 1 to 50.
- db.insert {"collection": "notes", "document": {"content", "tags"}} saves a note the user asked
  you to remember.
- db.aggregate {"collection", "match", "group_by", "op": count|sum|avg|min|max, "field"}.
Facts the user stated earlier are in the conversation; they need no tool call.
Reply with JSON: {"subtasks": [{"id": 1, "description": "...", "data_plan":
[{"tool": "db.find", "args": {...}}]}]}"""

WORKER_PROMPT = """You are the Worker. Write the finding for one subtask: what its tool results
show, in two or three plain sentences, with the numbers and notes they contain. When a tool
call failed, say so and answer from the conversation instead. Do not invent data."""

CRITIC_PROMPT = """You are the Critic. Check the worker's findings against the user's message:
every subtask must have a non-empty finding that addresses it, and every failed tool call must
have been handled (retried, or answered from the conversation with the failure stated).
Reply with JSON: {"ok": true|false, "issues": ["..."], "retry_subtasks": [ids to redo]}."""

SYNTHESIZER_PROMPT = """You are the Synthesizer. Answer the user's latest message directly and
concisely, using the conversation (including facts the user stated earlier and the summary)
and the worker's findings. Do not mention the pipeline or the tools unless asked."""

SUGGESTER_PROMPT = """You are the Suggester. Write exactly three distinct, short follow-up
questions the user might ask next, in the user's voice, relevant to the question and the
answer. Reply with JSON: {"suggestions": ["...", "...", "..."]}."""

FACTS_PROMPT = """You are the Memory keeper. From the user's message below, list what the
user states about themselves that is worth remembering in later conversations: facts,
preferences, people and things in their life. Write each as the user would say it, in the
first person, one short sentence ("My sister lives in Oslo."), and name what it is about in
two or three lowercase words ("sister home"), so that a later statement of the same thing
can replace it. Leave out questions, requests and small talk; answer with no facts when there
are none. Reply with JSON: {"facts": [{"about": "...", "statement": "..."}]}."""

SUMMARY_PROMPT = (
    "You are the Summariser. Fold the new turns of a conversation into the existing summary "
    "and answer with the updated summary only. Keep every fact the user stated about "
    "themselves (name, preferences such as a favourite colour), the decisions taken and the "
    "questions still open; drop small talk and repetition. Be concise: a few short lines."
)


@dataclass(frozen=True, kw_only=True)
class _InConversation:
    """A request that carries the packed conversation (system meta, summary, turns)."""

    history: list[ChatMessage] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PlannerRequest(_InConversation):
    """Plan the user's latest message."""

    role: Role = field(default="planner", init=False)
    prompt: str


@dataclass(frozen=True, kw_only=True)
class WorkerRequest(_InConversation):
    """Write up one subtask from its (already bounded) tool results."""

    role: Role = field(default="worker", init=False)
    subtask_id: int
    description: str
    results: list[dict[str, Any]] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    """The critic's issues to fix, on a retry."""


@dataclass(frozen=True, kw_only=True)
class CriticRequest:
    """Judge the findings of every subtask against the question."""

    role: Role = field(default="critic", init=False)
    question: str
    subtasks: list[dict[str, Any]] = field(default_factory=list)
    """Each: id, description, finding, tool_errors, attempt."""


@dataclass(frozen=True, kw_only=True)
class SynthesizerRequest(_InConversation):
    """Answer the question from the conversation and the numbered findings."""

    role: Role = field(default="synthesizer", init=False)
    question: str
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class FollowUpsRequest(_InConversation):
    """Suggest three follow-ups to a question and its answer (the synthesizer's second call)."""

    role: Role = field(default="synthesizer", init=False)
    question: str
    answer: str


@dataclass(frozen=True, kw_only=True)
class FactsRequest:
    """List what a user's message says about them (kept in their long-term memory)."""

    role: Role = field(default="summariser", init=False)
    text: str


@dataclass(frozen=True, kw_only=True)
class SummaryRequest:
    """Fold new (role, content) turns into the current summary."""

    role: Role = field(default="summariser", init=False)
    summary: str = ""
    turns: list[ChatMessage] = field(default_factory=list)


ModelRequest = (
    PlannerRequest
    | WorkerRequest
    | CriticRequest
    | SynthesizerRequest
    | FollowUpsRequest
    | FactsRequest
    | SummaryRequest
)

INSTRUCTIONS: dict[type, str] = {
    PlannerRequest: PLANNER_PROMPT,
    WorkerRequest: WORKER_PROMPT,
    CriticRequest: CRITIC_PROMPT,
    SynthesizerRequest: SYNTHESIZER_PROMPT,
    FollowUpsRequest: SUGGESTER_PROMPT,
    FactsRequest: FACTS_PROMPT,
    SummaryRequest: SUMMARY_PROMPT,
}
KIND_OF_INSTRUCTIONS = {text: kind for kind, text in INSTRUCTIONS.items()}


class UnknownRequest(ValueError):
    """The messages do not open with the instructions of any known request."""


# -- The packed conversation ----------------------------------------------------------------


def system_meta(session_id: str, user_id: str, today: date) -> str:
    """Return the system meta text that opens every packed conversation."""
    return (
        f"{META_INTRO}\nSession: {session_id} · User: {user_id} · Date: {today.isoformat()}\n"
        f"{META_OUTRO}"
    )


def summary_message(summary: str) -> ChatMessage:
    """Wrap `summary` as the system message that carries it into the conversation."""
    return {"role": "system", "content": f"{SUMMARY_HEADER}\n{summary}"}


CONVERSATION_HEADERS = (META_INTRO, SUMMARY_HEADER, MEMORIES_HEADER)
"""How the system messages of the packed conversation itself begin."""


def memories_message(memories: Sequence[str]) -> ChatMessage:
    """Wrap what is remembered of the user as the system message that carries it."""
    lines = "\n".join(f"- {memory}" for memory in memories)
    return {"role": "system", "content": f"{MEMORIES_HEADER}\n{lines}"}


@dataclass(frozen=True)
class HistoryReading:
    """What a packed history says: whose session, its summary, memories and the user's turns."""

    session_id: str = ""
    summary: str = ""
    user_turns: list[str] = field(default_factory=list)
    memories: list[str] = field(default_factory=list)
    """What the user said in earlier conversations, oldest first."""


def read_history(history: Sequence[ChatMessage]) -> HistoryReading:
    """Read the session, the summary and the user's turns out of a packed history."""
    session_id, summary, user_turns, memories = "", "", [], []
    for message in history:
        content = message["content"]
        if message["role"] == "user":
            user_turns.append(content)
        elif content.startswith(META_INTRO):
            fields = content.splitlines()[1].split(" · ") if "\n" in content else []
            session_id = fields[0].removeprefix("Session: ") if fields else ""
        elif content.startswith(SUMMARY_HEADER):
            summary = content.removeprefix(SUMMARY_HEADER).strip()
        elif content.startswith(MEMORIES_HEADER):
            lines = content.removeprefix(MEMORIES_HEADER).splitlines()
            memories = [line.removeprefix("- ") for line in lines if line.strip()]
    return HistoryReading(session_id, summary, user_turns, memories)


# -- Request bodies -------------------------------------------------------------------------


def _worker_body(request: WorkerRequest) -> str:
    text = (
        f"Subtask {request.subtask_id}: {request.description}\n"
        f"Tool results:\n{json.dumps(request.results)}"
    )
    if request.issues:
        text += "\nCritic issues to fix:\n" + "\n".join(f"- {issue}" for issue in request.issues)
    return text


def _parse_worker(history: list[ChatMessage], body: str) -> WorkerRequest:
    head, _, rest = body.partition("\nTool results:\n")
    number, _, description = head.removeprefix("Subtask ").partition(": ")
    results_text, _, issues_text = rest.partition("\nCritic issues to fix:\n")
    issues = [line.removeprefix("- ") for line in issues_text.splitlines() if line]
    return WorkerRequest(
        history=history,
        subtask_id=int(number) if number.isdigit() else 0,
        description=description,
        results=_json_or(results_text, []),
        issues=issues,
    )


def _synthesis_body(request: SynthesizerRequest) -> str:
    lines = [f"{number}. {text}" for number, text in enumerate(request.findings, start=1)]
    return f"Question: {request.question}\n\nFindings:\n" + "\n".join(lines)


def _parse_synthesis(history: list[ChatMessage], body: str) -> SynthesizerRequest:
    question, _, findings_text = body.partition("\n\nFindings:\n")
    findings: list[str] = []
    for line in findings_text.splitlines():
        number, dot, text = line.partition(". ")
        if dot and number == str(len(findings) + 1):
            findings.append(text)
        elif findings:
            findings[-1] += "\n" + line
    return SynthesizerRequest(
        history=history, question=question.removeprefix("Question: "), findings=findings
    )


def _summary_body(request: SummaryRequest) -> str:
    lines = [f"{turn['role']}: {' '.join(turn['content'].splitlines())}" for turn in request.turns]
    return f"Current summary:\n{request.summary or NO_SUMMARY}\n\nNew turns:\n" + "\n".join(lines)


def _parse_summary(body: str) -> SummaryRequest:
    current, _, turns_text = body.partition("\n\nNew turns:\n")
    current = current.removeprefix("Current summary:\n").strip()
    turns: list[ChatMessage] = []
    for line in turns_text.splitlines():
        role, sep, content = line.partition(": ")
        if sep and role in ("user", "assistant"):
            turns.append({"role": role, "content": content})  # type: ignore[typeddict-item]
    return SummaryRequest(summary="" if current == NO_SUMMARY else current, turns=turns)


def _json_or(text: str, default: Any) -> Any:
    try:
        return json.loads(text) if text.strip() else default
    except json.JSONDecodeError:
        return default


def body_of(request: ModelRequest) -> str:
    """Return the text of the request's final user message."""
    if isinstance(request, PlannerRequest):
        return request.prompt
    if isinstance(request, WorkerRequest):
        return _worker_body(request)
    if isinstance(request, CriticRequest):
        return json.dumps({"question": request.question, "subtasks": request.subtasks})
    if isinstance(request, SynthesizerRequest):
        return _synthesis_body(request)
    if isinstance(request, FollowUpsRequest):
        return f"Question: {request.question}\n\nAnswer: {request.answer}"
    if isinstance(request, FactsRequest):
        return request.text
    return _summary_body(request)


def render(request: ModelRequest) -> list[ChatMessage]:
    """Return the messages a provider sends for `request`."""
    history = getattr(request, "history", [])
    return [
        {"role": "system", "content": INSTRUCTIONS[type(request)]},
        *history,
        {"role": "user", "content": body_of(request)},
    ]


def parse(messages: Sequence[ChatMessage]) -> ModelRequest:
    """Read rendered messages back into their request.

    System messages a provider adds after the history (such as a JSON schema) are skipped.

    Raises:
        UnknownRequest: when the first message is not the instructions of a known request.
    """
    if len(messages) < 2 or messages[0]["role"] != "system":
        raise UnknownRequest("the messages do not open with a request's instructions")
    kind = KIND_OF_INSTRUCTIONS.get(messages[0]["content"])
    if kind is None:
        raise UnknownRequest("the first system message is no known request's instructions")
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    body = messages[last_user]["content"]
    history = [m for m in messages[1:last_user] if not _added_by_provider(m)]
    return _parsed(kind, history, body)


def _added_by_provider(message: ChatMessage) -> bool:
    """Whether a system message is none of the conversation's own (meta, summary, memories)."""
    content = message["content"]
    return message["role"] == "system" and not content.startswith(CONVERSATION_HEADERS)


def _parsed(kind: type, history: list[ChatMessage], body: str) -> ModelRequest:
    if kind is PlannerRequest:
        return PlannerRequest(history=history, prompt=body)
    if kind is WorkerRequest:
        return _parse_worker(history, body)
    if kind is CriticRequest:
        review = _json_or(body, {})
        return CriticRequest(
            question=review.get("question", ""), subtasks=review.get("subtasks", [])
        )
    if kind is SynthesizerRequest:
        return _parse_synthesis(history, body)
    if kind is FollowUpsRequest:
        question, _, answer = body.partition("\n\nAnswer: ")
        return FollowUpsRequest(
            history=history, question=question.removeprefix("Question: "), answer=answer
        )
    if kind is FactsRequest:
        return FactsRequest(text=body)
    return _parse_summary(body)
