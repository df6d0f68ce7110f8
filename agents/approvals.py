"""Approval of writes: the Worker asks a person before any `db.insert`, and does as told.

The question and the answer are LangChain's `HumanInTheLoopMiddleware` schema, so that UIs
that render it (Agent Chat UI, CopilotKit) work unchanged:

- the interrupt's value: `{"action_requests": [{"name", "args", "description"}, …],
  "review_configs": [{"action_name", "allowed_decisions"}, …]}`, one request per write of
  the Worker's pass, asked once before any of its tool calls runs (so that a resumed pass,
  which LangGraph runs again from its start, never writes twice);
- the resume value: `{"decisions": [{"type": "approve"} | {"type": "edit", "edited_action":
  {"name", "args"}} | {"type": "reject", "message"?}, …]}`, one per request, in order.

An approved write runs as planned; an edited one runs with the edited arguments, bounded
and checked like any tool call; a rejected one does not run, and its outcome says why.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from agents.schemas import Subtask, ToolRequest

WRITE_TOOLS = frozenset({"db.insert"})
"""The tools that change data: what a run with approval of writes asks about."""
DECISIONS = ["approve", "edit", "reject"]


class Action(BaseModel):
    """A tool call as a person sees and edits it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    args: dict[str, Any]


class Approve(BaseModel):
    """Run the write as planned."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["approve"]


class Edit(BaseModel):
    """Run the write with the person's arguments.

    LangGraph's JS SDK sends `editedAction` beside `edited_action` (both casings): either is
    read.
    """

    model_config = ConfigDict(extra="forbid")
    type: Literal["edit"]
    edited_action: Action = Field(validation_alias=AliasChoices("edited_action", "editedAction"))
    editedAction: Action | None = Field(None, exclude=True)  # noqa: N815 (the same, camelCase)


class Reject(BaseModel):
    """Do not run the write (the message says why)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["reject"]
    message: str | None = Field(None, max_length=2000)


Decision = Approve | Edit | Reject
DECISION: TypeAdapter[Decision] = TypeAdapter(Decision)


class Answer(BaseModel):
    """What a person answers: one decision per write asked about."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[Decision] = Field(max_length=9)  # at most 3 subtasks × 3 calls


ANSWER = TypeAdapter(Answer)


class BadDecisions(ValueError):
    """A resume value that does not answer the writes asked about; the message says why."""


def writes_of(subtasks: list[Subtask]) -> list[tuple[str, ToolRequest]]:
    """The pass's writes, each with its key (`<subtask>:<index in its data plan>`)."""
    return [
        (f"{subtask.id}:{index}", request)
        for subtask in subtasks
        for index, request in enumerate(subtask.data_plan)
        if request.tool in WRITE_TOOLS
    ]


def review_request(writes: list[tuple[str, ToolRequest]]) -> dict[str, Any]:
    """The interrupt's value for the writes (HumanInTheLoopMiddleware's `HITLRequest`)."""
    return {
        "action_requests": [
            {
                "name": request.tool,
                "args": request.args,
                "description": f"The worker asks to run {request.tool} with these arguments.",
            }
            for _, request in writes
        ],
        "review_configs": [
            {"action_name": request.tool, "allowed_decisions": list(DECISIONS)}
            for _, request in writes
        ],
    }


def decisions_for(value: Any, writes: list[tuple[str, ToolRequest]]) -> list[Decision]:
    """The decisions of a resume value, checked against the writes asked about.

    Raises:
        BadDecisions: not `{"decisions": [...]}`, a wrong count, or an edit of another tool.
    """
    try:
        answer = ANSWER.validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BadDecisions(f"resume.{where}: {first['msg']}") from None
    if len(answer.decisions) != len(writes):
        raise BadDecisions(
            f"resume.decisions: {len(writes)} write(s) wait for a decision, "
            f"{len(answer.decisions)} given"
        )
    for index, (decision, (_, request)) in enumerate(zip(answer.decisions, writes, strict=True)):
        if isinstance(decision, Edit) and decision.edited_action.name != request.tool:
            raise BadDecisions(
                f"resume.decisions.{index}.edited_action.name: must stay {request.tool}"
            )
    return answer.decisions


def check_answer(interrupt_value: Any, resume_value: Any) -> None:
    """Check a resume value against a paused run's review request (other pauses: anything).

    Raises:
        BadDecisions: the value does not answer the review request.
    """
    if not (isinstance(interrupt_value, dict) and "action_requests" in interrupt_value):
        return
    asked = [
        (str(index), ToolRequest.model_validate({"tool": a["name"], "args": a["args"]}))
        for index, a in enumerate(interrupt_value["action_requests"])
    ]
    decisions_for(resume_value, asked)


def rejected_because(decision: Reject) -> str:
    """What a rejected write's outcome says."""
    why = f": {decision.message}" if decision.message else ""
    return f"rejected by the person reviewing it{why}; nothing was written"
