"""One run, any protocol: a run started through one is read, followed and cancelled by another.

The official `openai` SDK reads runs the native stream and LangGraph's API started, as
`resp_<run id>`, rendered from the run's events exactly as a response of its own; LangGraph's
SDK joins a native run; the AI SDK's resume route follows one (docs/runs.md).
"""

from __future__ import annotations

import uuid

import httpx
import openai
import pytest
from langgraph_sdk import get_sync_client

from tests.protocols.openai.conftest import base_url
from tests.support.keys import create_key
from tests.support.runs import body, chat, start_and_leave


@pytest.fixture(scope="module")
def owner_key(slow_server) -> str:
    """The key of alice (the user the native helpers chat as) on the slow server."""
    return create_key(slow_server.sqlite_path, "alice")


@pytest.fixture
def sdk(slow_server, owner_key) -> openai.OpenAI:
    """The SDK with alice's key."""
    return openai.OpenAI(base_url=base_url(slow_server), api_key=owner_key, max_retries=0)


def new_session() -> str:
    return f"anyrun-{uuid.uuid4().hex[:10]}"


async def test_a_finished_native_run_is_retrieved_as_a_completed_response(slow_server, sdk):
    events = await chat(slow_server.url, body(new_session(), "What is AI?"))
    run_id, done = events[0].data["runId"], events[-1].data
    response = sdk.responses.retrieve(f"resp_{run_id}")
    assert (response.status, response.output_text) == ("completed", done["fullText"])
    assert response.usage.output_tokens == done["usage"]["output_tokens"]
    (item,) = sdk.responses.input_items.list(f"resp_{run_id}").data
    assert item.content[0].text == "What is AI?"


async def test_a_native_run_in_progress_is_streamed_from_a_point_then_to_its_end(slow_server, sdk):
    request = body(new_session(), "What is AI?", onDisconnect="continue")
    seen = await start_and_leave(slow_server.url, request, tokens=2)
    response_id = f"resp_{seen[0].data['runId']}"
    whole = list(sdk.responses.retrieve(response_id, stream=True))
    assert whole[0].type == "response.created" and whole[-1].type == "response.completed"
    middle = whole[len(whole) // 2].sequence_number
    rest = list(sdk.responses.retrieve(response_id, stream=True, starting_after=middle))
    assert [e.model_dump() for e in rest] == [e.model_dump() for e in whole[middle + 1 :]]
    answer = "".join(e.delta for e in whole if e.type == "response.output_text.delta")
    assert answer == whole[-1].response.output_text


async def test_a_native_run_is_cancelled_as_a_response(slow_server, sdk):
    request = body(new_session(), "What is AI?", onDisconnect="continue")
    seen = await start_and_leave(slow_server.url, request, tokens=1)
    cancelled = sdk.responses.cancel(f"resp_{seen[0].data['runId']}")
    assert cancelled.status == "cancelled"


def test_a_langgraph_run_is_a_response(slow_server, owner_key, sdk):
    langgraph = get_sync_client(url=f"{slow_server.url}/langgraph", api_key=owner_key)
    thread = langgraph.threads.create()
    run = langgraph.runs.create(
        thread["thread_id"],
        "orchestrator",
        input={"messages": [{"role": "user", "content": "What is AI?"}]},
    )
    langgraph.runs.join(thread["thread_id"], run["run_id"])
    response = sdk.responses.retrieve(f"resp_{run['run_id']}")
    assert response.status == "completed" and response.output_text


async def test_another_users_run_is_not_found(slow_server, sdk):
    stranger = create_key(slow_server.sqlite_path, f"oa-{uuid.uuid4().hex[:8]}")
    events = await chat(slow_server.url, body(new_session(), "What is AI?"))
    theirs = openai.OpenAI(base_url=base_url(slow_server), api_key=stranger, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        theirs.responses.retrieve(f"resp_{events[0].data['runId']}")


async def test_langgraph_joins_and_reads_a_native_run(slow_server, owner_key):
    session = new_session()
    request = body(session, "What is AI?", onDisconnect="continue")
    seen = await start_and_leave(slow_server.url, request, tokens=1)
    run_id = seen[0].data["runId"]
    langgraph = get_sync_client(url=f"{slow_server.url}/langgraph", api_key=owner_key)
    parts = list(langgraph.runs.join_stream(session, run_id, stream_mode="values"))
    assert parts[-1].data["messages"][-1]["type"] == "ai"
    assert langgraph.runs.get(session, run_id)["status"] == "success"


async def test_the_ai_sdk_resumes_a_native_run_of_its_chat(slow_server, owner_key):
    session = new_session()
    request = body(session, "What is AI?", onDisconnect="continue")
    await start_and_leave(slow_server.url, request, tokens=1)
    url = f"{slow_server.url}/ai-sdk/chat/{session}/stream"
    resumed = httpx.get(url, headers={"Authorization": f"Bearer {owner_key}"}, timeout=60)
    assert resumed.status_code == 200
    assert '"type":"finish"' in resumed.text.replace(" ", "")
