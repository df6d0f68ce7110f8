"""With its database unreachable, every route answers 503 `database_unavailable`, never a 500.

One server whose database cannot be reached at all: on SQLite a file where its directory
should be; on the suite's PostgreSQL pass a port nothing listens on (refused at once).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from harness.live_server import DATABASE_URL, MONGO_URI, LiveServer, live_server

pytestmark = pytest.mark.skipif(bool(MONGO_URI), reason="makes the SQL database unreachable")

AUTH = {"Authorization": "Bearer devkey"}
THREAD = "0b3f9c3e-7d2a-4c61-9a57-2f1e8d6b4a10"
CHAT = {"sessionId": "outage-1", "userId": "ann", "prompt": "What is AI?"}
MESSAGES = [{"role": "user", "content": "What is AI?"}]
LANGGRAPH_RUN = {"assistant_id": "orchestrator", "input": {"messages": MESSAGES}}
UI_MESSAGE = {"id": "m1", "role": "user", "parts": [{"type": "text", "text": "Hi"}]}
AG_UI_RUN = {
    "threadId": "outage-ag",
    "runId": "r1",
    "messages": [{"id": "u1", "role": "user", "content": "What is AI?"}],
    "tools": [],
    "context": [],
    "state": {},
    "forwardedProps": {"userId": "ann"},
}


@pytest.fixture(scope="module")
def down(tmp_path_factory) -> Iterator[LiveServer]:
    """A daphne whose database does not answer."""
    workdir = tmp_path_factory.mktemp("database-down")
    if DATABASE_URL:
        env = {"DATABASE_URL": "postgres://app@127.0.0.1:1/orchestrator"}
    else:
        blocker = workdir / "not-a-directory"
        blocker.write_text("a file where the database directory should be")
        env = {"SQLITE_PATH": str(blocker / "db.sqlite3")}
    with live_server(workdir / "server", **env) as server:
        yield server


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/chat/stream", CHAT),
        ("GET", "/v1/runs/6b167f63459164147733f413/stream", None),
        ("GET", "/v1/sessions", None),
        ("GET", "/v1/memories?userId=ann", None),
        ("POST", "/langgraph/threads", {"metadata": {"user_id": "ann"}}),
        ("POST", "/langgraph/runs/wait", LANGGRAPH_RUN),
        ("GET", f"/langgraph/threads/{THREAD}/runs/{THREAD}/stream", None),
        ("POST", "/ai-sdk/chat", {"id": "c1", "messages": [UI_MESSAGE]}),
        ("GET", "/ai-sdk/chat/c1/stream", None),
        ("POST", "/ag-ui", AG_UI_RUN),
    ],
    ids=[
        "chat-stream", "run-join", "sessions", "memories", "langgraph-thread", "langgraph-run",
        "langgraph-join", "ai-sdk", "ai-sdk-resume", "ag-ui",
    ],
)  # fmt: skip
def test_every_route_answers_503_database_unavailable(down, method, path, body):
    response = httpx.request(
        method,
        f"{down.url}{path}",
        json=body,
        headers={**AUTH, "X-User-Id": "ann"},
        timeout=30,
    )
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "database_unavailable"


def test_openai_answers_in_its_own_error_shape(down):
    response = httpx.post(
        f"{down.url}/openai/v1/chat/completions",
        json={"model": "orchestrator", "messages": MESSAGES, "user": "ann"},
        headers=AUTH,
        timeout=30,
    )
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"


def test_each_refusal_is_counted_by_kind(down):
    httpx.post(f"{down.url}/v1/chat/stream", json=CHAT, headers=AUTH, timeout=30)
    metrics = httpx.get(f"{down.url}/metrics", timeout=10).text
    assert 'database_errors_total{kind="OperationalError",operation="request"}' in metrics
