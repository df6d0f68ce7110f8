"""What a client's request says, in the engine's terms: one set of rules for every protocol.

Each protocol reads its own body; how message content becomes text, whose run it is, how
long a prompt may be and how a conversation splits into instructions, turns and prompt is
decided here, once. A protocol chooses only the status it answers with and the field names
it reports (`where`), which its refusals render (OpenAI's `param` and `code` included).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

from accounts.callers import Caller, service_user
from chat.models import USER_ID_PATTERN
from edge.errors import RequestRejected
from memory.seeding import Conversation
from runs.engine import RunRequest
from webhooks.policy import WebhookRefused, check_url, resolve_allowed

TEXT_PARTS = frozenset({"text"})
INSTRUCTION_ROLES = frozenset({"system", "developer"})
TURN_ROLES = frozenset({"user", "assistant"})


def refuse_every_part(kind: str) -> bool:
    """No part other than text is read past: the pipeline reads text only."""
    return False


def text_of(
    content: object,
    where: str,
    *,
    status: int = 400,
    text_parts: frozenset[str] = TEXT_PARTS,
    read_past: Callable[[str], bool] = refuse_every_part,
) -> str:
    """A message's text: a string, or its text parts joined (parts `read_past` are skipped).

    Any other part is refused with `status`, naming it at `where`: the pipeline reads text.
    """
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        message = f"{where}: content must be a string or a list of parts"
        raise RequestRejected(status, message, param=where)
    texts = []
    for index, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in text_parts:
            texts.append(str(part.get("text") or ""))
        elif not isinstance(kind, str) or not read_past(kind):
            here = f"{where}[{index}]"
            raise RequestRejected(
                status,
                f"{here}: {kind!r} content is not supported, send text",
                param=here,
                code="unsupported_parameter",
            )
    return "".join(texts)


def within_prompt_limit(prompt: str, where: str, *, status: int = 413) -> str:
    """The prompt, or `status` when it is longer than MAX_PROMPT_CHARS (in characters)."""
    limit = settings.MAX_PROMPT_CHARS
    if len(prompt) > limit:
        message = f"{where}: the prompt is longer than {limit} characters"
        raise RequestRejected(status, message, param=where, code="string_above_max_length")
    return prompt


async def checked_webhook(url: object, where: str) -> str:
    """The run's webhook URL ("" for none), or 422 naming `where` and why it may not be called.

    Absolute http(s), and a host that resolves to public addresses only (webhooks/policy.py).
    """
    if url is None or url == "":
        return ""
    try:
        checked = check_url(url)
        await resolve_allowed(checked)
    except WebhookRefused as refused:
        message = f"{where}: {refused}"
        raise RequestRejected(422, message, param=where, code="invalid_webhook") from None
    return checked


def checked_prompt(prompt: str, where: str, *, status: int = 413) -> str:
    """The prompt, or a refusal: 400 when it has no text, `status` past MAX_PROMPT_CHARS."""
    if not prompt.strip():
        raise RequestRejected(400, f"{where}: the last user message has no text", param=where)
    return within_prompt_limit(prompt, where, status=status)


def split_conversation(
    messages: Iterable[tuple[str, str]], where: str, *, status: int = 413
) -> Conversation:
    """Split (role, text) messages: instructions, earlier turns and the prompt.

    System and developer messages are the instructions, wherever they are; the last user or
    assistant message must be the user's, with text (within MAX_PROMPT_CHARS: else `status`).
    """
    instructions: list[str] = []
    turns: list[tuple[str, str]] = []
    for role, text in messages:
        if role in INSTRUCTION_ROLES:
            instructions.append(text)
        elif role in TURN_ROLES:
            turns.append((role, text))
    if not turns or turns[-1][0] != "user":
        raise RequestRejected(400, f"{where}: the last message must be the user's", param=where)
    prompt = checked_prompt(turns.pop()[1], where, status=status)
    earlier = [(role, text) for role, text in turns if text.strip()]
    return Conversation("\n\n".join(instructions), earlier, prompt)


def user_of(
    caller: Caller, named: object, where: str, *, status: int = 400, owner: bool = False
) -> str:
    """Whose run: a user key's user; with the service key, the user named at `where`.

    Without a name, the service key acts for SERVICE_KEY_USER when one is set. `owner`: the
    field names the run's owner, so a user key naming someone else is refused (403); other
    fields (OpenAI's `user`, an end-user tag) are not the key's business and are ignored.
    A blank name names no one.
    """
    if isinstance(named, str) and not named.strip():
        named = None
    if not caller.is_service:
        assert caller.user_id is not None
        if owner and named is not None and named != caller.user_id:
            raise RequestRejected(403, f"A user key acts for its own user: {where} differs")
        return caller.user_id
    if named is not None and (
        not isinstance(named, str) or not re.fullmatch(USER_ID_PATTERN, named.strip())
    ):
        message = f"{where} must be 1-128 of A-Z a-z 0-9 _ . : @ -"
        raise RequestRejected(status, message, param=where)
    user = service_user(named)
    if user is None:
        message = f"{where} is required with the service key: name the end user"
        raise RequestRejected(status, message, param=where, code="missing_user")
    return user


@dataclass(frozen=True)
class ClientTurn:
    """A request in the engine's terms: the run, and the history a new session starts with."""

    run: RunRequest
    history: Conversation | None = None
    """The client's conversation (clients that send it all each time); None: nothing to seed."""
    source: str = ""
    """Which protocol's client sent the history (kept on the seeded messages)."""
    new_session: bool = False
    """The session id was made for this request: the session cannot exist yet."""
