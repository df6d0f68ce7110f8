"""Chat completion and Responses bodies → the conversation to run, or a 400 saying why."""

from __future__ import annotations

import json

import pytest

from accounts.callers import Caller
from edge.errors import RequestRejected
from protocols.openai.bodies import (
    bound_session,
    conversation_of,
    parse_chat_completion,
    parse_response_body,
    response_conversation,
)
from protocols.openai.errors import OpenAIError, error_body

SERVICE = Caller(kind="service")
ALICE = Caller(kind="user", user_id="alice")


def chat_body(**fields) -> bytes:
    """A valid chat completion body with `fields` changed."""
    return json.dumps(
        {"model": "orchestrator", "messages": [{"role": "user", "content": "hi"}], **fields}
    ).encode()


def chat_conversation(body: bytes):
    """The conversation of a chat completion body, as the route reads it."""
    return conversation_of(parse_chat_completion(body).messages, "messages")


def refusal(parse, body: bytes) -> RequestRejected:
    """The refusal that parsing `body` raises (with OpenAI's `param` and `code`)."""
    with pytest.raises(RequestRejected) as raised:
        parse(body)
    return raised.value


def test_system_messages_are_instructions_turns_are_history_and_the_last_user_message_the_prompt():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "My name is Zed."},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello, Zed."}]},
        {"role": "developer", "content": "Answer in English."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "What is "}, {"type": "text", "text": "my name?"}],
        },
    ]
    conversation = conversation_of(messages, "messages")
    assert conversation.instructions == "Be brief.\n\nAnswer in English."
    assert conversation.turns == [("user", "My name is Zed."), ("assistant", "Hello, Zed.")]
    assert conversation.prompt == "What is my name?"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"functions": [{"name": "f"}]}, "functions"),
        ({"n": 2}, "n"),
        ({"logprobs": True}, "logprobs"),
        ({"audio": {"voice": "alloy", "format": "wav"}}, "audio"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"stream": "yes please"}, "stream"),
    ],
)
def test_what_the_pipeline_cannot_honour_is_a_400_naming_the_parameter(fields, param):
    error = refusal(parse_chat_completion, chat_body(**fields))
    assert error.status == 400 and error.param == param
    assert error_body(error)["error"]["type"] == "invalid_request_error"


def test_harmless_parameters_are_accepted():
    request = parse_chat_completion(
        chat_body(temperature=0.2, max_tokens=5, top_p=1, seed=3, stop=["x"], n=1, store=True)
    )
    assert request.model == "orchestrator"


def test_another_model_is_a_404_model_not_found():
    error = refusal(parse_chat_completion, chat_body(model="gpt-4o"))
    assert (error.status, error.code, error.param) == (404, "model_not_found", "model")


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([{"role": "assistant", "content": "hi"}], "messages"),
        ([{"role": "user", "content": "   "}], "messages"),
        ([{"role": "tool", "content": "42", "tool_call_id": "x"}], "messages[0].role"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            "messages[0].content[0]",
        ),
        ([{"role": "user", "content": 42}], "messages[0].content"),
    ],
)
def test_messages_the_pipeline_cannot_read_are_refused(messages, param):
    error = refusal(chat_conversation, chat_body(messages=messages))
    assert error.status == 400 and error.param == param


@pytest.mark.parametrize("body", [b"{", b"[1]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(body):
    assert refusal(parse_chat_completion, body).status == 400


def test_a_prompt_over_the_limit_is_refused(settings):
    settings.MAX_PROMPT_CHARS = 10
    error = refusal(chat_conversation, chat_body(messages=[{"role": "user", "content": "x" * 11}]))
    assert error.code == "string_above_max_length"


def test_responses_input_as_a_string_and_instructions():
    request = parse_response_body(
        json.dumps({"model": "orchestrator", "input": "hi", "instructions": "Be kind."}).encode()
    )
    conversation = response_conversation(request)
    assert (conversation.prompt, conversation.instructions, conversation.turns) == (
        "hi",
        "Be kind.",
        [],
    )


def test_responses_input_items_other_than_messages_are_refused():
    body = {
        "model": "orchestrator",
        "input": [{"type": "function_call_output", "call_id": "c", "output": "1"}],
    }
    request = parse_response_body(json.dumps(body).encode())
    with pytest.raises(OpenAIError) as raised:
        response_conversation(request)
    assert raised.value.param == "input[0].type"


@pytest.mark.parametrize("param", ["tools", "conversation"])
def test_responses_parameters_we_cannot_honour(param):
    body = {
        "model": "orchestrator",
        "input": "hi",
        param: [{"type": "web_search"}] if param == "tools" else "conv_1",
    }
    assert refusal(parse_response_body, json.dumps(body).encode()).param == param


def test_a_missing_end_user_is_refused_in_openais_shape(settings):
    settings.SERVICE_KEY_USER = ""
    missing = RequestRejected(400, "x", param="user", code="missing_user")
    assert error_body(missing)["error"] | {"message": ""} == {
        "message": "",
        "type": "invalid_request_error",
        "param": "user",
        "code": "missing_user",
    }


def test_a_session_binds_by_header_or_metadata_and_must_be_a_session_id():
    assert bound_session("s-1", {"session_id": "s-2"}) == "s-1"
    assert bound_session(None, {"session_id": "s-2"}) == "s-2"
    assert bound_session(None, None) is None
    with pytest.raises(OpenAIError) as bad:
        bound_session(None, {"session_id": "../etc"})
    assert bad.value.param == "metadata.session_id"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"response_format": "json"}, "response_format"),
        ({"modalities": "audio"}, "modalities"),
    ],
)
def test_parameters_of_the_wrong_shape_are_400s_not_crashes(fields, param):
    assert refusal(parse_chat_completion, chat_body(**fields)).param == param


@pytest.mark.parametrize("text", ["plain", {"format": "json"}, {"format": {"type": "json_schema"}}])
def test_a_responses_text_format_other_than_text_is_refused(text):
    body = json.dumps({"model": "orchestrator", "input": "hi", "text": text}).encode()
    assert refusal(parse_response_body, body).param == "text.format"
