"""Token estimates without a tokenizer: about four characters per token."""

from __future__ import annotations

import math
from collections.abc import Iterable

from llm.base import ChatMessage

CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """Estimate the tokens of `text` as ceil(characters / 4); 0 for the empty string."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_message_tokens(messages: Iterable[ChatMessage]) -> int:
    """Estimate the tokens of `messages` as the sum of their contents' estimates."""
    return sum(estimate_tokens(message["content"]) for message in messages)
