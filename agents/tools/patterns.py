r"""Model-chosen regular expressions: RE2 where we run them, a time bound where a server does.

A `$regex` of a DB tool is chosen by the model, and so by whoever steers it. Python's `re`
backtracks: one pattern of the catastrophic class over a short message holds the GIL for
seconds, then minutes, and the whole server with it. No list of forbidden shapes closes that
class, so the patterns run on RE2 (`google-re2`), whose matching time is linear in the text:
- `compile_pattern` accepts exactly what RE2 can run (no backreferences or look-arounds);
- on SQLite, the `REGEXP` operator behind Django's `regex`/`iregex` lookups is RE2 on every
  connection (`use_re2_for_sqlite_regexp`, connected in `agents.apps`);
- on MongoDB the server runs `$regex` (PCRE): a tool call's operations are bounded there by
  `DB_QUERY_TIMEOUT_MS` (agents/tools/time_bound.py: pymongo's timeout, sent as `maxTimeMS`);
- on PostgreSQL the server runs it as one of its own regular expressions (`~`, `~*`), spelled
  for its engine by `for_database` (word boundaries are `\y`, named groups are plain), and a
  tool call's statements are bounded by `DB_QUERY_TIMEOUT_MS` (a per-transaction
  `statement_timeout`, agents/tools/time_bound.py).

This module is the one place where the backends' regex dialects differ.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MAX_PROGRAM_BYTES = 8 << 20
"""RE2's memory budget per compiled pattern (a larger program fails to compile)."""


def options() -> Any:
    """RE2's options: quiet about bad patterns, with a bounded program size."""
    import re2  # loaded with the first model-chosen pattern, not at start-up

    chosen = re2.Options()
    chosen.log_errors = False
    chosen.max_mem = MAX_PROGRAM_BYTES
    return chosen


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """Compile `pattern` with RE2; raise ValueError, naming the problem, when RE2 cannot."""
    import re2

    try:
        return re2.compile(pattern, options())
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode(errors="replace")
        raise ValueError(str(reason)) from None


def re2_regexp(pattern: str | None, value: Any) -> bool | None:
    """SQLite's `REGEXP` on RE2 (Django writes `value REGEXP pattern` as regexp(pattern, value))."""
    if pattern is None or value is None:
        return None
    try:
        compiled = compile_pattern(pattern)
    except ValueError:
        return False  # a pattern the tools refuse never reaches here; nothing matches it
    return compiled.search(value if isinstance(value, str) else str(value)) is not None


def use_re2_for_sqlite_regexp(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Replace Python's `re` with RE2 as SQLite's REGEXP (a `connection_created` receiver)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("regexp", 2, re2_regexp, deterministic=True)


POSTGRES_ESCAPES = {"b": r"\y", "B": r"\Y", "z": r"\Z"}
"""RE2 escapes that PostgreSQL's engine (ARE) spells otherwise (`\b` is a backspace there)."""
NAMED_GROUP = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")


def for_database(pattern: str, vendor: str) -> str:
    """`pattern` (RE2 syntax, already checked) as the database's regex engine reads it."""
    return postgres_pattern(pattern) if vendor == "postgresql" else pattern


def postgres_pattern(pattern: str) -> str:
    r"""Spell an RE2 pattern for PostgreSQL: `\b` `\B` `\z` → `\y` `\Y` `\Z`, named groups plain.

    Inside a bracket expression escapes keep their meaning and are left alone.
    """
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            out.append("\\" + escape if in_class else POSTGRES_ESCAPES.get(escape, "\\" + escape))
            index += 2
            continue
        named = None if in_class else NAMED_GROUP.match(pattern, index)
        if named is not None:
            out.append("(")
            index = named.end()
            continue
        if char == "[" and not in_class:
            in_class = True
            if pattern.startswith("[^]", index) or pattern.startswith("[]", index):
                closing = index + (3 if pattern[index + 1] == "^" else 2)
                out.append(pattern[index:closing])
                index = closing
                continue
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)
