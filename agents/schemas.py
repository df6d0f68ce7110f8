"""Structured outputs of the planner, critic and synthesizer, validated with pydantic.

A model's answer is read safely where its meaning is clear (docs/security.md): a list longer
than its bound keeps its first items, a string longer than its bound is trimmed, and unknown
fields are dropped; each of these is noted in the model's `clamped`, which the agent logs and
counts (agents/degraded.py). Wrong types, unknown tools and anything else the bounds refuse
still fail validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

ToolName = Literal["db.find", "db.insert", "db.aggregate"]


@dataclass(frozen=True)
class Bound:
    """How a field of a model's answer is clamped: its first `items`, each `chars` long."""

    items: int | None = None
    chars: int | None = None
    distinct: bool = False
    """Before cutting a list, leave out its blank strings and repeats (case-insensitive)."""


class Clamped(BaseModel):
    """A model's answer, clamped to its bounds (`BOUNDS`) before it is validated."""

    BOUNDS: ClassVar[dict[str, Bound]] = {}
    _clamped: list[str] = PrivateAttr(default_factory=list)

    @property
    def clamped(self) -> list[str]:
        """What was cut to fit, here and in the nested answers ("issues: 12 items, kept 10")."""
        notes = list(self._clamped)
        for name in type(self).model_fields:
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Clamped):
                    notes += [f"{name}.{note}" for note in item.clamped]
        return notes

    @model_validator(mode="wrap")
    @classmethod
    def clamp(cls, data: Any, handler: Any) -> Any:
        """Cut over-long lists and strings and drop unknown fields, noting each; then validate."""
        notes: list[str] = []
        if isinstance(data, dict):
            data = clamp_fields(cls, data, notes)
        model = handler(data)
        model._clamped = notes
        return model


def clamp_fields(model: type[Clamped], data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """`data` with unknown fields dropped and every bounded field clamped, each change noted."""
    unknown = sorted(str(name) for name in data if name not in model.model_fields)
    if unknown:
        notes.append(f"unknown fields dropped: {', '.join(unknown)}")
    clamped = {name: value for name, value in data.items() if name in model.model_fields}
    for name, bound in model.BOUNDS.items():
        if name in clamped:
            clamped[name] = clamp_value(name, clamped[name], bound, notes)
    return clamped


def clamp_value(name: str, value: Any, bound: Bound, notes: list[str]) -> Any:
    """One field's value within `bound`: its first items, its strings trimmed."""
    if isinstance(value, list):
        if bound.distinct and len(value) > (bound.items or len(value)):
            value = distinct_texts(name, value, notes)
        if bound.items is not None and len(value) > bound.items:
            notes.append(f"{name}: {len(value)} items, kept the first {bound.items}")
            value = value[: bound.items]
        return [
            clamp_value(f"{name}.{index}", item, bound, notes) for index, item in enumerate(value)
        ]
    if isinstance(value, str) and bound.chars is not None and len(value) > bound.chars:
        notes.append(f"{name}: {len(value)} characters, kept {bound.chars}")
        return value[: bound.chars - 1].rstrip() + "…"
    return value


def distinct_texts(name: str, values: list[Any], notes: list[str]) -> list[Any]:
    """`values` without blank strings and case-insensitive repeats (noted when any go)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        key = value.strip().casefold() if isinstance(value, str) else None
        if key == "" or (key is not None and key in seen):
            continue
        if key is not None:
            seen.add(key)
        kept.append(value)
    if len(kept) < len(values):
        notes.append(f"{name}: {len(values) - len(kept)} blank or repeated items left out")
    return kept


class ToolRequest(BaseModel):
    """One planned DB tool call: which tool, with which JSON arguments."""

    tool: ToolName
    args: dict[str, Any] = Field(default_factory=dict)


class Subtask(Clamped):
    """One step of the plan and the data it needs."""

    BOUNDS = {"description": Bound(chars=500), "data_plan": Bound(items=3)}

    id: int = Field(ge=1, le=3)
    description: str = Field(min_length=1, max_length=500)
    data_plan: list[ToolRequest] = Field(default_factory=list, max_length=3)


class Plan(Clamped):
    """The planner's expansion of a prompt into 1-3 subtasks."""

    BOUNDS = {"subtasks": Bound(items=3)}

    subtasks: list[Subtask] = Field(min_length=1, max_length=3)

    @field_validator("subtasks")
    @classmethod
    def ids_are_sequential(cls, subtasks: list[Subtask]) -> list[Subtask]:
        """Renumber subtasks 1..n so that findings and verdicts can refer to them."""
        for number, subtask in enumerate(subtasks, start=1):
            subtask.id = number
        return subtasks


class Verdict(Clamped):
    """The critic's judgement of the worker's findings."""

    BOUNDS = {"issues": Bound(items=10, chars=500), "retry_subtasks": Bound(items=3)}

    ok: bool
    issues: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=10)
    retry_subtasks: list[int] = Field(
        default_factory=list,
        max_length=3,
        description="Ids of the subtasks the worker should redo.",
    )


class Fact(Clamped):
    """One thing a user said about themselves: what it is about, and the statement."""

    BOUNDS = {"about": Bound(chars=64), "statement": Bound(chars=240)}

    about: Annotated[str, Field(max_length=64)] = ""
    """A short label ("favorite color"): a later fact of the same label replaces it."""
    statement: Annotated[str, Field(min_length=1, max_length=240)]


class Facts(Clamped):
    """What a user's message says about them: none, or up to eight facts."""

    BOUNDS = {"facts": Bound(items=8)}

    facts: list[Fact] = Field(default_factory=list, max_length=8)


class FollowUps(Clamped):
    """Exactly three distinct, non-empty follow-up suggestions (the first three distinct ones)."""

    BOUNDS = {"suggestions": Bound(items=3, chars=200, distinct=True)}

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
