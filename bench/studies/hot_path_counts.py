"""Count one chat's discrete operations: SQL statements, commits, hops, wake-ups, body sends.

Thread hops are `sync_to_async` calls; wake-ups are `call_soon_threadsafe` calls (each writes
to the event loop's self-pipe, whether from another thread or from LangGraph's stream writer).
Run from the project root: `.venv/bin/python -m bench.studies.hot_path_counts`. It migrates a
temporary SQLite file, drives the real ASGI application in this process (consumer, run,
graph, records; no HTTP) with the built-in model, everything on and a user API key
(`bench.common.servers`), and prints the counts for a chat in a new
session, for the next chat in the same session, and for what `langgraph-sdk` sends for a run
(`POST /threads`, then a run streamed on that thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import re
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common.servers import EVERYTHING_ON, user_keys
from harness.live_server import migrate, server_env

ROOT = Path(__file__).resolve().parents[2]

PROJECT = ("chat", "agents", "memory", "telemetry", "orchestration_site")
HOPPED_FROM: contextvars.ContextVar[str] = contextvars.ContextVar("hopped_from", default="?")
PROMPT = "What is Server-Sent Events? How many sessions do I have?"


@dataclass
class Counts:
    """What one chat did."""

    statements: Counter[str] = field(default_factory=Counter)
    """SQL statements by kind and table, e.g. `INSERT messages`."""
    commits: int = 0
    hops: Counter[str] = field(default_factory=Counter)
    """sync_to_async calls by the function they ran."""
    wakeups: Counter[str] = field(default_factory=Counter)
    """`call_soon_threadsafe` calls by callback: each one writes to the loop's self-pipe."""
    sends: Counter[str] = field(default_factory=Counter)
    """ASGI messages the application sent, by type."""
    callers: Counter[str] = field(default_factory=Counter)
    """SQL statements by the innermost project function that caused them."""


def statement_label(sql: str) -> str:
    """`SELECT messages`, `INSERT tool_calls`, `SAVEPOINT`... for one SQL statement."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return f"{verb} {table.group(1)}" if table and verb != "SAVEPOINT" else verb


def name_of(function: Any) -> str:
    """A callable's qualified name, without calling its `repr` (a QuerySet's would query)."""
    return getattr(function, "__qualname__", None) or type(function).__name__


def count_statement(counts: Counts, sql: str) -> None:
    """Count one statement by its label and by the project function that ran it."""
    label = statement_label(sql)
    counts.statements[label] += 1
    caller = project_caller()
    counts.callers[f"{label:<22} {HOPPED_FROM.get() if caller == '?' else caller}"] += 1


def project_caller() -> str:
    """`module.function` of the innermost project frame on the stack (not bench, not .venv)."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if path.is_relative_to(ROOT) and path.parts[len(ROOT.parts)] in PROJECT:
            return f"{'.'.join(path.relative_to(ROOT).with_suffix('').parts)}.{frame.name}"
    return "?"


@contextlib.contextmanager
def counting(counts: Counts) -> Iterator[None]:
    """Count statements, commits, hops and wake-ups while the block runs (any thread)."""
    from asgiref.sync import SyncToAsync
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper

    original_call, original_commit = SyncToAsync.__call__, BaseDatabaseWrapper._commit
    loop = asyncio.get_running_loop()
    original_threadsafe = loop.call_soon_threadsafe

    original_execute, original_many = CursorWrapper.execute, CursorWrapper.executemany

    async def call(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        counts.hops[name_of(self.func)] += 1
        HOPPED_FROM.set(project_caller())  # sync_to_async copies the context to the thread
        return await original_call(self, *args, **kwargs)

    def commit(self: BaseDatabaseWrapper) -> None:
        counts.commits += 1
        original_commit(self)

    def threadsafe(callback: Any, *args: Any, **kwargs: Any) -> Any:
        counts.wakeups[name_of(callback)] += 1
        return original_threadsafe(callback, *args, **kwargs)

    def execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        count_statement(counts, sql)
        return original_execute(self, sql, params)

    def executemany(self: CursorWrapper, sql: str, param_list: Any) -> Any:
        count_statement(counts, sql)
        return original_many(self, sql, param_list)

    SyncToAsync.__call__, BaseDatabaseWrapper._commit = call, commit
    CursorWrapper.execute, CursorWrapper.executemany = execute, executemany
    loop.call_soon_threadsafe = threadsafe
    try:
        yield
    finally:
        SyncToAsync.__call__, BaseDatabaseWrapper._commit = original_call, original_commit
        CursorWrapper.execute, CursorWrapper.executemany = original_execute, original_many
        loop.call_soon_threadsafe = original_threadsafe


async def one_chat(application: Any, session_id: str, counts: Counts, key: str) -> None:
    """Drive one `POST /v1/chat/stream` with a user key through the ASGI application."""
    body = json.dumps({"sessionId": session_id, "prompt": PROMPT})
    streamed = await one_request(application, "/v1/chat/stream", body, counts, key)
    if b"event: done" not in streamed:
        raise RuntimeError(f"the chat did not end with `done`: {streamed[-500:]!r}")


async def one_sdk_run(application: Any, counts: Counts, key: str) -> None:
    """What `langgraph-sdk` sends for a run: `POST /threads`, then a run streamed on it."""
    created = await one_request(application, "/langgraph/threads", "{}", counts, key)
    thread_id = json.loads(created)["thread_id"]
    body = json.dumps({
        "input": {"messages": [{"type": "human", "content": PROMPT}]},
        "stream_mode": ["values", "messages-tuple"],
        "assistant_id": "orchestrator",
    })  # fmt: skip
    path = f"/langgraph/threads/{thread_id}/runs/stream"
    streamed = await one_request(application, path, body, counts, key)
    if b"event: error" in streamed or b"event: values" not in streamed:
        raise RuntimeError(f"the run did not end: {streamed[-500:]!r}")


async def one_request(application: Any, path: str, body: str, counts: Counts, key: str) -> bytes:
    """POST `body` to `path` with a user key through the ASGI application; the bytes sent."""
    from asgiref.testing import ApplicationCommunicator

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    streamed = b""
    with counting(counts):
        await communicator.send_input({"type": "http.request", "body": body.encode()})
        while True:
            message = await communicator.receive_output(timeout=30)
            counts.sends[message["type"]] += 1
            streamed += message.get("body", b"")
            if message["type"] == "http.response.body" and not message.get("more_body"):
                break
        await asyncio.sleep(0.2)  # the after-work (summary) runs after the last body
        await communicator.send_input({"type": "http.disconnect"})
        with contextlib.suppress(asyncio.TimeoutError):
            await communicator.wait(timeout=5)
    return streamed


def print_counts(title: str, counts: Counts) -> None:
    """Print one chat's counts, most frequent first."""
    print(f"\n{title}")
    print(f"  SQL statements: {sum(counts.statements.values())}, commits: {counts.commits}")
    for label, n in counts.statements.most_common():
        print(f"    {n:>3}  {label}")
    print("  SQL statements by the project function that ran them:")
    for label, n in sorted(counts.callers.items()):
        print(f"    {n:>3}  {label}")
    print(f"  sync_to_async hops: {sum(counts.hops.values())}")
    for label, n in counts.hops.most_common():
        print(f"    {n:>3}  {label}")
    print(f"  call_soon_threadsafe wake-ups: {sum(counts.wakeups.values())}")
    for label, n in counts.wakeups.most_common():
        print(f"    {n:>3}  {label}")
    print(f"  ASGI messages sent: {dict(counts.sends)}")


async def count_chats(key: str) -> None:
    """Warm up, then count a chat in a new session and the next chat in that session."""
    from orchestration_site.asgi import application

    await one_chat(application, "count-warmup", Counts(), key)
    first, second = Counts(), Counts()
    await one_chat(application, "count-session", first, key)
    await one_chat(application, "count-session", second, key)
    print_counts("chat in a new session", first)
    print_counts("next chat in the same session", second)
    await one_sdk_run(application, Counts(), key)
    sdk = Counts()
    await one_sdk_run(application, sdk, key)
    print_counts("langgraph-sdk: a new thread, then a run streamed on it", sdk)


def main() -> None:
    """Migrate a temporary database, set Django up on it and count."""
    with tempfile.TemporaryDirectory(prefix="hot-path-") as workdir:
        db = Path(workdir) / "db.sqlite3"
        migrate(db)
        key = user_keys(db, ["count-user"])[0]
        os.environ.update(server_env(db, **EVERYTHING_ON))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
        asyncio.run(count_chats(key))


if __name__ == "__main__":
    main()
