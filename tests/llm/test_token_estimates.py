"""Token estimates: ceil(characters / 4), no database."""

from __future__ import annotations

from llm.tokens import estimate_message_tokens, estimate_tokens


def test_it_counts_nothing_for_empty_text() -> None:
    assert estimate_tokens("") == 0


def test_it_rounds_partial_tokens_up() -> None:
    assert estimate_tokens("a") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


def test_it_counts_characters_not_bytes() -> None:
    assert estimate_tokens("ééééé") == 2


def test_it_sums_the_contents_of_messages() -> None:
    messages = [
        {"role": "system", "content": "x" * 9},
        {"role": "user", "content": "y" * 4},
        {"role": "assistant", "content": ""},
    ]
    assert estimate_message_tokens(messages) == 3 + 1 + 0


def test_it_counts_no_messages_as_zero() -> None:
    assert estimate_message_tokens([]) == 0
