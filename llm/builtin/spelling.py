"""The built-in model writes American spellings: "favourite colour" is said "favorite color"."""

from __future__ import annotations

import re

SPELLINGS = {
    "favourite": "favorite",
    "fav": "favorite",
    "colour": "color",
    "colours": "colors",
    "neighbourhood": "neighborhood",
    "programme": "program",
    "centre": "center",
    "theatre": "theater",
    "flavour": "flavor",
    "humour": "humor",
    "organisation": "organization",
    "hometown": "home town",
}
_WORD = re.compile(r"[A-Za-z]+")


def american(text: str) -> str:
    """Return `text` with the spellings above made American, keeping a capital letter."""

    def respell(match: re.Match[str]) -> str:
        word = match.group(0)
        spelled = SPELLINGS.get(word.lower())
        if spelled is None:
            return word
        return spelled.capitalize() if word[0].isupper() else spelled

    return _WORD.sub(respell, text)
