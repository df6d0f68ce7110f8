"""JSON parsing with bounds on nesting depth and number length.

`json.loads` of hostile input can raise what a caller does not expect: RecursionError for
~1,000 levels of nesting, ValueError for an integer over 4,300 digits. Both become
JsonTooComplex here, as do documents deeper or numbers longer than the configured bounds.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings


class JsonTooComplex(ValueError):
    """The JSON nests too deeply or holds a number too long."""


def _number(parse: type) -> Any:
    """Return a number parser that refuses more than MAX_JSON_NUMBER_DIGITS characters."""

    def parse_bounded(text: str) -> Any:
        if len(text) > settings.MAX_JSON_NUMBER_DIGITS:
            raise JsonTooComplex(
                f"JSON numbers may have at most {settings.MAX_JSON_NUMBER_DIGITS} digits"
            )
        return parse(text)

    return parse_bounded


def depth(value: Any) -> int:
    """Return the nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest


def load_bounded_json(body: bytes) -> Any:
    """Parse `body`; raise JsonTooComplex past the bounds, or json's own errors."""
    try:
        value = json.loads(body, parse_int=_number(int), parse_float=_number(float))
    except RecursionError:
        raise JsonTooComplex(
            f"JSON may nest at most {settings.MAX_JSON_DEPTH} levels deep"
        ) from None
    if depth(value) > settings.MAX_JSON_DEPTH:
        raise JsonTooComplex(f"JSON may nest at most {settings.MAX_JSON_DEPTH} levels deep")
    return value
