"""Runs that pause for a person on the native API.

Pauses at agents, writes to approve, state edits, resumes (on the process that paused, and on
another), and every refusal.
"""

from __future__ import annotations

import pytest
from langgraph_sdk import get_sync_client

from harness.live_server import live_server, live_servers
from operations.client import StreamRejected
from tests.support.runs import api, body, chat, new_session, roles

NOTE = "Remember that I like green tea"


def resume(session: str, value=None, **options) -> dict:
    return {"sessionId": session, "userId": "alice", "resume": value, **options}


async def rejected(url: str, request: dict) -> StreamRejected:
    with pytest.raises(StreamRejected) as refused:
        await chat(url, request)
    return refused.value


async def test_a_run_paused_before_the_worker_ends_interrupted_and_a_resume_answers(server):
    session = new_session()
    events = await chat(server.url, body(session, "How many sessions?", interruptBefore=["worker"]))
    assert [e.event for e in events][-2:] == ["agent", "interrupted"]
    paused = events[-1].data
    assert paused["next"] == ["worker"] and paused["interrupts"] == []
    run = api("GET", server.url, f"/v1/runs/{events[0].data['runId']}").json()
    assert run["status"] == "waiting"
    state = api("GET", server.url, f"/v1/sessions/{session}/state").json()
    assert (
        state["next"] == ["worker"]
        and state["checkpointId"] == paused["checkpoint"]["checkpoint_id"]
    )
    assert state["values"]["plan"]["subtasks"] and state["values"]["prompt"] == "How many sessions?"

    answered = await chat(server.url, resume(session))
    assert [e.event for e in answered][0] == "run" and answered[-1].event == "done"
    assert "context" not in [e.event for e in answered]  # it goes on: nothing is packed again
    assert [e.data["name"] for e in answered if e.event == "agent"][0] == "worker"
    assert roles(server.url, session) == ["user", "assistant"]
    assert api("GET", server.url, f"/v1/sessions/{session}/state").json()["next"] == []


async def test_a_write_waits_for_approval_and_runs_as_edited(server):
    session = new_session()
    events = await chat(server.url, body(session, NOTE, approveWrites=True))
    (waiting,) = events[-1].data["interrupts"]
    (action,) = waiting["value"]["action_requests"]
    assert action["name"] == "db.insert" and "green tea" in action["args"]["document"]["content"]
    assert not any(e.event == "tool_call_started" for e in events)  # nothing ran yet
    edited = {**action["args"], "document": {"content": "I like jasmine tea", "tags": ["x"]}}
    decision = {"type": "edit", "edited_action": {"name": "db.insert", "args": edited}}
    answered = await chat(server.url, resume(session, {"decisions": [decision]}))
    started = [e.data for e in answered if e.event == "tool_call_started"]
    assert started == [{"tool": "db.insert", "args": edited}]
    assert answered[-1].data["fullText"] == 'I\'ll remember that: "I like jasmine tea".'


async def test_a_rejected_write_writes_nothing_and_the_answer_says_so(server):
    session = new_session()
    await chat(server.url, body(session, NOTE, approveWrites=True))
    answered = await chat(server.url, resume(session, {"decisions": [{"type": "reject"}]}))
    assert "rejected by the person reviewing it" in answered[-1].data["fullText"]
    completed = [e.data for e in answered if e.event == "tool_call_completed"]
    assert completed and not any(c["ok"] for c in completed)
    notes = await chat(server.url, body(session, "List my notes"))
    assert "green tea" not in notes[-1].data["fullText"]


async def test_an_edited_plan_is_what_the_resumed_run_works_on(server):
    session = new_session()
    await chat(server.url, body(session, "How many sessions?", interruptAfter=["planner"]))
    plan = api("GET", server.url, f"/v1/sessions/{session}/state").json()["values"]["plan"]
    plan["subtasks"][0]["description"] = "Count the sessions, carefully"
    edited = api(
        "PATCH",
        server.url,
        f"/v1/sessions/{session}/state",
        json={"values": {"plan": plan}, "asAgent": "planner"},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["source"] == "update" and edited.json()["next"] == ["worker"]
    await chat(server.url, resume(session))
    findings = api("GET", server.url, f"/v1/sessions/{session}/state").json()["values"]["findings"]
    assert findings["1"]["description"] == "Count the sessions, carefully"
    history = api("GET", server.url, f"/v1/sessions/{session}/history?limit=50").json()["states"]
    sources = [state["source"] for state in history]
    assert sources[0] == "loop" and sources.count("update") == 1


async def test_refusals_name_the_problem_and_store_nothing(server):
    session = new_session()
    await chat(server.url, body(session, "Hello"))
    not_paused = await rejected(server.url, resume(session))
    assert not_paused.status == 409 and "no paused run" in str(not_paused.detail)
    both = await rejected(server.url, {**resume(session), "prompt": "Hi"})
    assert both.status == 422 and ["body", "prompt"] in [d["loc"] for d in both.detail]
    unknown = await rejected(server.url, body(session, "Hi", interruptBefore=["judge"]))
    assert unknown.status == 422 and unknown.detail[0]["loc"][:2] == ["body", "interruptBefore"]
    elsewhere = await rejected(
        server.url, {"sessionId": new_session(), "userId": "alice", "resume": None}
    )
    assert elsewhere.status == 404
    assert roles(server.url, session) == ["user", "assistant"]

    await chat(server.url, body(session, NOTE, approveWrites=True))
    bad = await rejected(server.url, resume(session, {"decisions": []}))
    assert bad.status == 422 and "1 write(s) wait" in bad.detail
    for values, words in [
        ({"plan": {"subtasks": 3}}, "values.plan.subtasks"),
        ({"findings": {}}, "values.findings: not a field"),
    ]:
        refused = api("PATCH", server.url, f"/v1/sessions/{session}/state", json={"values": values})
        assert refused.status_code == 422 and words in refused.json()["detail"], refused.text
    refused = api(
        "PATCH",
        server.url,
        f"/v1/sessions/{session}/state",
        json={"values": {"prompt": "x"}, "asAgent": "judge"},
    )
    assert refused.status_code == 422 and "asAgent" in refused.json()["detail"]
    assert api("GET", server.url, f"/v1/sessions/{session}/state").json()["next"] == ["worker"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory, template_db, redis_url):
    """Two daphne processes on one database and one Redis."""
    workdir = tmp_path_factory.mktemp("pauses")
    with live_servers(workdir, 2, template_db=template_db, REDIS_URL=redis_url) as ab:
        yield ab


async def test_a_run_paused_on_one_process_resumes_on_the_other(pair):
    a, b = pair
    session = new_session()
    paused = await chat(a.url, body(session, NOTE, approveWrites=True))
    assert paused[-1].event == "interrupted"
    state = api("GET", b.url, f"/v1/sessions/{session}/state").json()
    assert state["interrupts"] == paused[-1].data["interrupts"]
    answered = await chat(b.url, resume(session, {"decisions": [{"type": "approve"}]}))
    assert answered[-1].data["fullText"] == 'I\'ll remember that: "I like green tea".'
    notes = await chat(a.url, body(session, "List my notes"))
    assert "green tea" in notes[-1].data["fullText"]


@pytest.fixture(scope="module")
def approving(tmp_path_factory, template_db):
    """A server whose runs ask before every write unless they say otherwise (APPROVE_WRITES)."""
    workdir = tmp_path_factory.mktemp("approving")
    with live_server(workdir, template_db=template_db, APPROVE_WRITES="true") as server:
        yield server


async def test_approve_writes_on_makes_every_run_ask_but_an_openai_one_and_a_run_that_opts_out(
    approving,
):
    paused = await chat(approving.url, body(new_session(), NOTE))
    assert paused[-1].event == "interrupted"
    opted_out = await chat(approving.url, body(new_session(), NOTE, approveWrites=False))
    assert opted_out[-1].event == "done"
    completion = api(
        "POST",
        approving.url,
        "/openai/v1/chat/completions",
        json={"model": "orchestrator", "messages": [{"role": "user", "content": NOTE}]},
    )
    assert completion.status_code == 200, completion.text
    answer = completion.json()["choices"][0]["message"]["content"]
    assert answer == 'I\'ll remember that: "I like green tea".'


def test_a_langgraph_run_paused_on_one_process_is_edited_and_resumed_on_the_other(pair):
    a, b = (get_sync_client(url=f"{s.url}/langgraph", api_key="devkey") for s in pair)
    thread = a.threads.create(metadata={"user_id": "alice"})["thread_id"]
    ask = {"messages": [{"role": "user", "content": "How many sessions do I have?"}]}
    a.runs.wait(thread, "orchestrator", input=ask, interrupt_before=["worker"])
    plan = b.threads.get_state(thread)["values"]["plan"]
    plan["subtasks"][0]["description"] = "Count the sessions, on B"
    b.threads.update_state(thread, {"plan": plan}, as_node="planner")
    answered = b.runs.wait(thread, "orchestrator", command={"resume": None})
    assert answered["messages"][-1]["type"] == "ai"
    findings = a.threads.get_state(thread)["values"]["findings"]
    assert findings["1"]["description"] == "Count the sessions, on B"
