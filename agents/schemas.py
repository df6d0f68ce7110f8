"""Structured outputs of the planner, critic and synthesizer, validated with pydantic."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

ToolName = Literal["db.find", "db.insert", "db.aggregate"]


class ToolRequest(BaseModel):
    """One planned DB tool call: which tool, with which JSON arguments."""

    tool: ToolName
    args: dict[str, Any] = Field(default_factory=dict)


class Subtask(BaseModel):
    """One step of the plan and the data it needs."""

    id: int = Field(ge=1, le=3)
    description: str = Field(min_length=1, max_length=500)
    data_plan: list[ToolRequest] = Field(default_factory=list, max_length=3)


class Plan(BaseModel):
    """The planner's expansion of a prompt into 1-3 subtasks."""

    subtasks: list[Subtask] = Field(min_length=1, max_length=3)

    @field_validator("subtasks")
    @classmethod
    def ids_are_sequential(cls, subtasks: list[Subtask]) -> list[Subtask]:
        """Renumber subtasks 1..n so that findings and verdicts can refer to them."""
        for number, subtask in enumerate(subtasks, start=1):
            subtask.id = number
        return subtasks


class Verdict(BaseModel):
    """The critic's judgement of the worker's findings."""

    ok: bool
    issues: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=10)
    retry_subtasks: list[int] = Field(
        default_factory=list,
        max_length=3,
        description="Ids of the subtasks the worker should redo.",
    )


class FollowUps(BaseModel):
    """Exactly three distinct, non-empty follow-up suggestions."""

    suggestions: list[Annotated[str, Field(max_length=200)]] = Field(min_length=3, max_length=3)

    @field_validator("suggestions")
    @classmethod
    def distinct_and_non_empty(cls, suggestions: list[str]) -> list[str]:
        """Reject blank or repeated suggestions."""
        cleaned = [suggestion.strip() for suggestion in suggestions]
        if any(not suggestion for suggestion in cleaned):
            raise ValueError("suggestions must not be empty")
        if len({suggestion.casefold() for suggestion in cleaned}) != len(cleaned):
            raise ValueError("suggestions must be distinct")
        return cleaned
