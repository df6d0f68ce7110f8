"""Request bodies of chat completions and the Responses API → what the pipeline runs.

OpenAI clients send the whole conversation each time. `Conversation` is what we take of it:
the system and developer messages (instructions), the earlier user and assistant turns, and
the last user message (the prompt). A parameter the pipeline cannot honour is refused with
400 naming it (errors.unsupported); harmless ones are accepted and ignored (docs/openai.md).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from chat.models import SESSION_ID_PATTERN
from edge.conversation import INSTRUCTION_ROLES, TURN_ROLES, split_conversation, text_of
from edge.validated import json_object, model_of
from memory.seeding import Conversation
from protocols.openai.errors import OpenAIError, unsupported

MODEL_ID = "orchestrator"
"""The one model: the whole pipeline (Planner → Worker → Critic → Synthesizer)."""
Body = TypeVar("Body", bound=BaseModel)
TEXT_PARTS = frozenset({"text", "input_text", "output_text"})


class ChatCompletionBody(BaseModel):
    """`POST /chat/completions`: what we read (unknown fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[dict[str, Any]]
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    metadata: dict[str, str] | None = None
    user: str | None = None
    safety_identifier: str | None = None

    @property
    def include_usage(self) -> bool:
        """Whether a usage chunk goes after the last choice chunk."""
        return bool((self.stream_options or {}).get("include_usage"))


class ResponseBody(BaseModel):
    """`POST /responses`: what we read (unknown fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")

    model: str
    input: str | list[dict[str, Any]]
    instructions: str | None = None
    previous_response_id: str | None = None
    stream: bool = False
    background: bool = False
    store: bool | None = None
    metadata: dict[str, str] | None = None
    user: str | None = None
    safety_identifier: str | None = None


# Parameters whose meaning the pipeline cannot deliver: refused rather than silently dropped.
CHAT_UNSUPPORTED = {
    "tools": "the pipeline runs its own database tools; client-side tools cannot be called",
    "functions": "the pipeline runs its own database tools; client-side tools cannot be called",
    "audio": "the pipeline answers in text only",
    "prediction": "predicted outputs are not supported",
    "web_search_options": "web search is not available",
}
RESPONSES_UNSUPPORTED = {
    "tools": CHAT_UNSUPPORTED["tools"],
    "conversation": "use previous_response_id (or metadata.session_id) to continue a conversation",
    "prompt": "stored prompt templates are not supported",
}


def load_body(body: bytes) -> dict[str, Any]:
    """Parse a JSON object within bounds; 400 otherwise."""
    return json_object(body, status=400)


def validated(model: type[Body], raw: dict[str, Any]) -> Body:
    """Validate `raw` as `model`; 400 naming the invalid parameters (the first as `param`)."""
    return model_of(model, raw, status=400)


def check_model(model: str) -> None:
    """404 model_not_found unless `model` is the pipeline."""
    if model != MODEL_ID:
        message = f"The model {model!r} does not exist; this service offers {MODEL_ID!r}."
        raise OpenAIError(message, status=404, param="model", code="model_not_found")


def kind_of(format_: Any) -> Any:
    """The `type` of a response format object (absent: text; not an object: itself)."""
    if format_ is None:
        return "text"
    return format_.get("type", "text") if isinstance(format_, dict) else format_


def parse_chat_completion(body: bytes) -> ChatCompletionBody:
    """Validate a chat completion request; refuse what the pipeline cannot honour."""
    raw = load_body(body)
    for param, why in CHAT_UNSUPPORTED.items():
        if raw.get(param):
            raise unsupported(param, why)
    if (raw.get("n") or 1) != 1:
        raise unsupported("n", "the pipeline gives one answer per request (n must be 1)")
    if raw.get("logprobs") or raw.get("top_logprobs"):
        raise unsupported("logprobs", "log probabilities are not available")
    modalities = raw.get("modalities") or []
    if not isinstance(modalities, list) or any(kind != "text" for kind in modalities):
        raise unsupported("modalities", "the pipeline answers in text only")
    if kind_of(raw.get("response_format")) != "text":
        raise unsupported("response_format", "the pipeline answers in plain text")
    request = validated(ChatCompletionBody, raw)
    check_model(request.model)
    return request


def parse_response_body(body: bytes) -> ResponseBody:
    """Validate a Responses API request; refuse what the pipeline cannot honour."""
    raw = load_body(body)
    for param, why in RESPONSES_UNSUPPORTED.items():
        if raw.get(param):
            raise unsupported(param, why)
    text = raw.get("text") or {}
    if not isinstance(text, dict) or kind_of(text.get("format")) != "text":
        raise unsupported("text.format", "the pipeline answers in plain text")
    request = validated(ResponseBody, raw)
    check_model(request.model)
    return request


def conversation_of(messages: list[dict[str, Any]], param: str) -> Conversation:
    """Split messages (or Responses input messages) into instructions, turns and prompt."""
    return split_conversation(
        (role_and_text(message, f"{param}[{index}]") for index, message in enumerate(messages)),
        param,
        status=400,
    )


def role_and_text(message: dict[str, Any], where: str) -> tuple[str, str]:
    """A message's role and text; 400 for what the pipeline cannot read (tools, other roles)."""
    role = message.get("role")
    if message.get("type", "message") != "message":
        raise unsupported(f"{where}.type", "only message items are supported")
    if role not in INSTRUCTION_ROLES | TURN_ROLES:
        raise unsupported(f"{where}.role", "roles are system, developer, user and assistant")
    if message.get("tool_calls") or message.get("function_call"):
        raise unsupported(f"{where}.tool_calls", CHAT_UNSUPPORTED["tools"])
    text = text_of(message.get("content"), f"{where}.content", text_parts=TEXT_PARTS)
    return str(role), text


def input_messages(request: ResponseBody) -> list[dict[str, Any]]:
    """A Responses request's `input` as a list of messages (a string is one user message)."""
    if isinstance(request.input, str):
        return [{"role": "user", "content": request.input}]
    return request.input


def response_conversation(request: ResponseBody) -> Conversation:
    """The conversation of a Responses request: its `input` and `instructions`."""
    conversation = conversation_of(input_messages(request), "input")
    instructions = "\n\n".join(filter(None, [request.instructions, conversation.instructions]))
    return Conversation(instructions, conversation.turns, conversation.prompt)


def bound_session(header: str | None, metadata: dict[str, str] | None) -> str | None:
    """The session a request binds to (`X-Session-Id`, or `metadata.session_id`), if any."""
    session_id = header or (metadata or {}).get("session_id")
    if session_id is None:
        return None
    if not re.fullmatch(SESSION_ID_PATTERN, session_id):
        param = "X-Session-Id" if header else "metadata.session_id"
        raise OpenAIError(f"{param} is not a session id", param=param)
    return session_id
