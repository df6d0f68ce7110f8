"""Model-chosen regular expressions, run only on RE2: linear time, whatever the pattern.

A `$regex` of a DB tool is chosen by the model, and so by whoever steers it. Python's `re`
backtracks: one pattern of the catastrophic class over a short message holds the GIL for
seconds, then minutes, and the whole server with it. No list of forbidden shapes closes that
class, so the patterns run on RE2 (`google-re2`), whose matching time is linear in the text:
- `compile_pattern` accepts exactly what RE2 can run (no backreferences or look-arounds);
- on SQLite, the `REGEXP` operator behind Django's `regex`/`iregex` lookups is RE2 on every
  connection (`use_re2_for_sqlite_regexp`, connected in `agents.apps`);
- on MongoDB the server runs `$regex` (PCRE): a tool call's operations are bounded there by
  `DB_QUERY_TIMEOUT_MS` (agents/tools/time_bound.py: pymongo's timeout, sent as `maxTimeMS`).
"""

from __future__ import annotations

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
