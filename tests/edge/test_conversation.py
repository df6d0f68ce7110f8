"""The rules every protocol reads a request by: text, prompt, conversation, whose run (no DB)."""

from __future__ import annotations

import pytest

from accounts.callers import Caller
from edge.conversation import (
    checked_prompt,
    split_conversation,
    text_of,
    user_of,
    within_prompt_limit,
)
from edge.errors import RequestRejected

SERVICE = Caller(kind="service")
ALICE = Caller(kind="user", user_id="alice")
"""alice's key acts for alice only, whatever a body names."""


def refused(call, *args, **kwargs) -> RequestRejected:
    """Call something that must refuse; return the refusal."""
    with pytest.raises(RequestRejected) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture(autouse=True)
def short_prompts(settings):
    """Prompts of at most 10 characters; no default user for the service key."""
    settings.MAX_PROMPT_CHARS = 10
    settings.SERVICE_KEY_USER = ""


def test_text_is_a_string_or_its_text_parts_joined():
    assert text_of("hi", "m") == "hi"
    assert text_of(None, "m") == ""
    parts = [{"type": "text", "text": "a"}, "b", {"type": "input_text", "text": "c"}]
    assert text_of(parts, "m", text_parts=frozenset({"text", "input_text"})) == "abc"


def test_a_part_that_is_not_text_is_refused_naming_where_it_is():
    rejected = refused(text_of, [{"type": "text", "text": "a"}, {"type": "image"}], "m.0")
    assert (rejected.status, rejected.param) == (400, "m.0[1]")
    assert "'image'" in rejected.detail
    assert refused(text_of, [{"type": "file"}], "m", status=422).status == 422
    assert refused(text_of, 42, "m").param == "m"


def test_parts_a_protocol_reads_past_are_skipped():
    parts = [{"type": "step-start"}, {"type": "text", "text": "hi"}, {"type": "reasoning"}]
    assert text_of(parts, "m", read_past=lambda kind: kind != "file") == "hi"


def test_a_prompt_is_bounded_in_characters_with_the_protocols_status():
    assert within_prompt_limit("ж" * 10, "prompt") == "ж" * 10
    assert refused(within_prompt_limit, "x" * 11, "prompt").status == 413
    too_long = refused(checked_prompt, "x" * 11, "input", status=400)
    assert (too_long.status, too_long.code) == (400, "string_above_max_length")
    assert refused(checked_prompt, "  ", "messages").status == 400


def test_a_conversation_splits_into_instructions_turns_and_prompt():
    conversation = split_conversation(
        [
            ("system", "Be brief."),
            ("user", "Hi"),
            ("assistant", ""),
            ("assistant", "Hello"),
            ("developer", "Use metric."),
            ("user", "Weather?"),
        ],
        "messages",
    )
    assert conversation.instructions == "Be brief.\n\nUse metric."
    assert conversation.turns == [("user", "Hi"), ("assistant", "Hello")]
    assert conversation.prompt == "Weather?"


@pytest.mark.parametrize(
    "messages",
    [[], [("system", "x")], [("user", "hi"), ("assistant", "hello")], [("user", " ")]],
)
def test_a_conversation_must_end_with_a_user_message_with_text(messages):
    assert refused(split_conversation, messages, "messages").status == 400


def test_the_service_key_names_the_user_and_a_user_key_is_its_user():
    assert user_of(SERVICE, "bob", "user") == "bob"
    assert user_of(SERVICE, " carol ", "user") == "carol"
    assert user_of(ALICE, "mallory", "user") == "alice"
    assert user_of(ALICE, "not an id at all", "user") == "alice"


def test_a_user_key_may_not_name_another_owner():
    assert user_of(ALICE, "alice", "userId", owner=True) == "alice"
    assert refused(user_of, ALICE, "mallory", "userId", owner=True).status == 403


def test_the_service_key_must_name_a_valid_user_unless_a_default_is_set(settings):
    missing = refused(user_of, SERVICE, None, "user")
    assert (missing.status, missing.param, missing.code) == (400, "user", "missing_user")
    assert refused(user_of, SERVICE, "  ", "metadata.user_id", status=422).status == 422
    assert refused(user_of, SERVICE, "not a user id", "user").param == "user"
    assert refused(user_of, SERVICE, 42, "forwardedProps.userId").status == 400
    settings.SERVICE_KEY_USER = "dev-user"
    assert user_of(SERVICE, None, "user") == "dev-user"
