"""LangGraph's request bodies, validated: what the SDKs send, and a 422 naming what we refuse.

Fields the SDKs send with neutral values (`stream_subgraphs: false`, `context`, `config`)
are accepted: they change nothing in a pipeline without subgraphs. `interrupt_before` /
`interrupt_after` name agents to pause at, `command: {resume}` (or no input) continues a
paused run, `checkpoint` / `checkpoint_id` start from one of the thread's checkpoints (a
fork), `durability` says when checkpoints are written. Fields that would ask for something
the pipeline cannot do (`after_seconds`, a command's `goto`, …) are refused with a 422 that
names them, as are unknown fields.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chat.models import SESSION_ID_PATTERN
from edge.conversation import text_of, within_prompt_limit
from edge.errors import RequestRejected
from edge.resumes import agent_pauses
from edge.validated import validated
from protocols.langgraph.assistant import GRAPH_TAGS
from runs.engine import Resume

STREAM_MODES = ("values", "updates", "messages", "messages-tuple", "custom")
"""The stream modes served (`events`, `debug`, `tasks` and `checkpoints` are not)."""
DEFAULT_STREAM_MODES = ["values"]
NOT_SUPPORTED = {
    "feedback_keys": "feedback is not served",
    "after_seconds": "delayed runs are not served",
}
"""Run fields the SDKs know that this service refuses when set, and why."""


class Body(BaseModel):
    """A request body: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


B = TypeVar("B", bound=Body)


class RunBody(Body):
    """`POST …/runs`, `…/runs/stream`, `…/runs/wait`."""

    assistant_id: str = Field(min_length=1, max_length=128)
    input: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    stream_mode: str | list[str] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    on_disconnect: Literal["cancel", "continue"] | None = None
    multitask_strategy: Literal["reject", "enqueue", "interrupt", "rollback"] | None = None
    if_not_exists: Literal["create", "reject"] | None = None
    on_completion: Literal["keep"] | None = None
    durability: Literal["sync", "async", "exit"] | None = None
    checkpoint_during: bool | None = None
    strict_resume: bool | None = None
    langsmith_tracer: dict[str, Any] | None = None
    command: Any = None
    interrupt_before: Any = None
    interrupt_after: Any = None
    checkpoint: Any = None
    checkpoint_id: Any = None
    webhook: Any = None
    feedback_keys: Any = None
    after_seconds: Any = None

    def modes(self) -> list[str]:
        """The requested stream modes, in order, without repeats (`values` by default)."""
        return stream_modes(self.stream_mode) or list(DEFAULT_STREAM_MODES)

    def start_checkpoint(self) -> str:
        """The checkpoint id the run asks to start from ("" for none); 422 when malformed."""
        named = self.checkpoint_id
        if self.checkpoint is not None:
            if not isinstance(self.checkpoint, dict):
                raise RequestRejected(422, "checkpoint: must be an object with a checkpoint_id")
            if self.checkpoint.get("checkpoint_ns") not in (None, ""):
                raise RequestRejected(422, "checkpoint.checkpoint_ns: the graph has no subgraphs")
            named = self.checkpoint.get("checkpoint_id") or named
        if named is not None and not isinstance(named, str):
            raise RequestRejected(422, "checkpoint_id: must be a string")
        return named or ""

    def pauses(self, name: str) -> tuple[str, ...]:
        """The agents `interrupt_before` or `interrupt_after` names; 422 for an unknown one."""
        return agent_pauses(getattr(self, name), name, status=422)

    def approve_writes(self) -> bool | None:
        """`config.configurable.approve_writes` (None when not said); 422 unless a boolean."""
        configurable = (self.config or {}).get("configurable") or {}
        value = configurable.get("approve_writes") if isinstance(configurable, dict) else None
        if value is not None and not isinstance(value, bool):
            raise RequestRejected(422, "config.configurable.approve_writes: must be a boolean")
        return value

    def resume(self) -> Resume | None:
        """The resume this run asks for: `command.resume`, or no input at all; else None."""
        if self.command is None:
            return Resume() if not self.input else None
        if not isinstance(self.command, dict):
            raise RequestRejected(422, 'command: must be an object such as {"resume": …}')
        others = sorted(set(self.command) - {"resume"})
        if others:
            raise RequestRejected(
                422, f"command.{others[0]}: not supported (a command may only resume)"
            )
        if self.input:
            raise RequestRejected(422, "command: a run resumes (command) or has input, not both")
        if "resume" not in self.command:
            return Resume()
        return Resume(self.command["resume"], has_value=True)


class ThreadCreateBody(Body):
    """`POST /threads`."""

    thread_id: str | None = Field(None, pattern=SESSION_ID_PATTERN)
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] | None = None
    ttl: Any = None
    supersteps: Any = None


class ThreadPatchBody(Body):
    """`PATCH /threads/{id}`: metadata merged into the thread's."""

    metadata: dict[str, Any] = Field(default_factory=dict)
    ttl: Any = None


class SearchBody(Body):
    """What every `…/search` body has: a metadata filter, a page, an order, the fields kept."""

    metadata: dict[str, Any] | None = None
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)
    sort_by: str | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[str] | None = None


class ThreadSearchBody(SearchBody):
    """`POST /threads/search`."""

    ids: list[str] | None = Field(None, max_length=1000)
    status: Literal["idle", "busy", "interrupted", "error"] | None = None
    sort_by: Literal["thread_id", "created_at", "updated_at"] | None = None  # type: ignore[assignment]
    values: Any = None
    extract: Any = None


class HistoryBody(Body):
    """`POST /threads/{id}/history`."""

    limit: int = Field(10, ge=1, le=1000)
    before: Any = None
    metadata: dict[str, Any] | None = None
    checkpoint: Any = None
    select: list[str] | None = None

    def before_checkpoint(self) -> str:
        """The checkpoint id `before` names: a string, a checkpoint, or a config; 422 else."""
        return checkpoint_id_of(self.before, "before")


class StateEditBody(Body):
    """`POST /threads/{id}/state`: values written as if an agent wrote them."""

    values: Any = None
    as_node: str | None = None
    checkpoint: Any = None
    checkpoint_id: str | None = None

    def start_checkpoint(self) -> str:
        """The checkpoint the edit starts from ("" for the latest)."""
        return checkpoint_id_of(self.checkpoint, "checkpoint") or self.checkpoint_id or ""


class CheckpointBody(Body):
    """`POST /threads/{id}/state/checkpoint`: which checkpoint's state to read."""

    checkpoint: Any = None
    subgraphs: bool | None = None


def checkpoint_id_of(raw: Any, name: str) -> str:
    """The checkpoint id in a string, `{checkpoint_id}` or `{configurable: {…}}`; 422 else."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        inner = raw.get("configurable", raw)
        if isinstance(inner, dict) and inner.get("checkpoint_ns") not in (None, ""):
            raise RequestRejected(422, f"{name}.checkpoint_ns: the graph has no subgraphs")
        named = inner.get("checkpoint_id") if isinstance(inner, dict) else None
        if isinstance(named, str) or named is None:
            return named or ""  # no id: the latest (RemoteGraph names only the thread)
    raise RequestRejected(422, f"{name}: a checkpoint id, or an object with its checkpoint_id")


class AssistantSearchBody(SearchBody):
    """`POST /assistants/search`."""

    graph_id: str | None = None
    name: str | None = None


def stream_modes(raw: str | list[str] | None) -> list[str]:
    """The modes of a `stream_mode` value (string or list); 422 naming any not served."""
    requested = [raw] if isinstance(raw, str) else list(raw or [])
    unknown = [mode for mode in requested if mode not in STREAM_MODES]
    if unknown:
        served = ", ".join(STREAM_MODES)
        raise RequestRejected(422, f"stream_mode {', '.join(unknown)} not supported: use {served}")
    return list(dict.fromkeys(requested))


def parse_body(model: type[B], body: bytes, *, required: bool = True) -> B:
    """Parse and validate a JSON body (an empty one is `{}` unless required); 422 if bad."""
    if not body.strip():
        if required:
            raise RequestRejected(422, "A JSON body is required")
        return model()
    parsed = validated(model, body, status=422)
    refuse_unsupported(parsed)
    return parsed


def refuse_unsupported(parsed: Body) -> None:
    """422 for a field set to something this service cannot do (empty values pass)."""
    if isinstance(parsed, StateEditBody | HistoryBody | CheckpointBody):
        return  # their `values`, `before` and `checkpoint` are checked where they are read
    for name in ("ttl", "supersteps", "values", "extract", "checkpoint"):
        if name == "checkpoint" and isinstance(parsed, RunBody):
            continue  # a run may start from one of the thread's (StartRunConsumer checks it)
        if getattr(parsed, name, None):
            raise RequestRejected(422, f"{name}: not supported by this service")
    if isinstance(parsed, RunBody):
        for name, why in NOT_SUPPORTED.items():
            if getattr(parsed, name) not in (None, [], {}, ""):
                raise RequestRejected(422, f"{name}: not supported ({why})")
        parsed.modes()  # 422 for a mode not served


def prompt_of(body: RunBody) -> str:
    """The text of the input's last human message; 422 when there is none, 413 too long."""
    messages = (body.input or {}).get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestRejected(422, "input.messages must be a non-empty list of messages")
    for index in reversed(range(len(messages))):
        message = messages[index]
        if isinstance(message, dict) and is_human(message):
            where = f"input.messages.{index}"
            text = text_of(message.get("content"), where, status=422)
            if not text.strip():
                raise RequestRejected(422, f"{where}: the last human message has no text")
            return within_prompt_limit(text, where)
    raise RequestRejected(422, "input.messages must contain a human (user) message")


def is_human(message: dict[str, Any]) -> bool:
    """Whether a LangChain message dict (or an OpenAI-style one) is the user's."""
    kind = message.get("type") or message.get("role")
    return kind in {"human", "user"}


def metadata_filter(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """ORM filters for a metadata match (each key equal), on every database backend."""
    filters: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        metadata_key(key)
        if key == "user_id":  # every thread's owner, whether or not its metadata names it
            filters["user_id"] = json_scalar(key, value)
        elif key in GRAPH_TAGS:  # every thread's, implied: all or nothing matches
            if value != GRAPH_TAGS[key]:
                filters["session_id__in"] = []
        else:
            filters[f"langgraph_thread__metadata__{key}"] = json_scalar(key, value)
    return filters


def metadata_key(key: str) -> str:
    """A metadata key to match by: letters, digits, - and _ (never an ORM lookup); 422 else."""
    if not key.replace("_", "").replace("-", "").isalnum() or "__" in key:
        raise RequestRejected(422, f"metadata key {key!r}: letters, digits, - and _ only")
    return key


def json_scalar(key: str, value: Any) -> Any:
    """A metadata value to match: a JSON scalar (objects and lists cannot be matched)."""
    if isinstance(value, (dict, list)):
        raise RequestRejected(422, f"metadata.{key}: match a string, number or boolean")
    json.dumps(value)
    return value
