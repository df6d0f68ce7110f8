"""The chat request is validated before anything streams (no database)."""

from __future__ import annotations

import json

import pytest

from protocols.native.requests import RequestRejected, parse_chat_request


def body(**fields) -> bytes:
    """A JSON body with the valid defaults overridden by `fields`."""
    values = {"sessionId": "s-1", "userId": "u_1", "prompt": "Hello"} | fields
    return json.dumps({k: v for k, v in values.items() if v is not ...}).encode()


@pytest.fixture(autouse=True)
def prompt_limit(settings):
    """Prompts of at most 100 characters, unless a test says otherwise."""
    settings.MAX_PROMPT_CHARS = 100


def rejection(raw: bytes) -> RequestRejected:
    """Parse a body that must be rejected; return the rejection."""
    with pytest.raises(RequestRejected) as caught:
        parse_chat_request(raw)
    return caught.value


def test_a_valid_body_is_parsed_and_trimmed():
    request = parse_chat_request(body(prompt="  Hi there  "))
    assert (request.sessionId, request.userId, request.prompt) == ("s-1", "u_1", "Hi there")


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_400(raw):
    assert rejection(raw).status == 400


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"prompt": ...}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": 42}, "prompt"),
        ({"sessionId": ""}, "sessionId"),
        ({"sessionId": "has space"}, "sessionId"),
        ({"sessionId": "x" * 129}, "sessionId"),
        ({"userId": "../etc"}, "userId"),
        ({"userId": None}, "userId"),
        ({"extra": "field"}, "extra"),
    ],
)
def test_an_invalid_field_is_a_422_naming_it(fields, where):
    rejected = rejection(body(**fields))
    assert rejected.status == 422
    assert [item["loc"] for item in rejected.detail] == [["body", where]]


def test_a_prompt_over_the_limit_is_a_413():
    rejected = rejection(body(prompt="x" * 101))
    assert rejected.status == 413
    assert "100" in rejected.detail


def test_a_prompt_at_the_limit_parses_however_its_characters_are_escaped(settings):
    """The body's bytes are the edge's to bound (MAX_BODY_BYTES); the prompt's are characters."""
    settings.MAX_PROMPT_CHARS = 16_000
    prompt = "ж" * 16_000
    for ascii_only in (True, False):
        body = json.dumps(
            {"sessionId": "s1", "userId": "u1", "prompt": prompt}, ensure_ascii=ascii_only
        )
        assert parse_chat_request(body.encode()).prompt == prompt
