"""Pauses, resumes, state edits, history and forks through the official SDK and RemoteGraph."""

from __future__ import annotations

import httpx
import pytest
from langgraph.pregel.remote import RemoteGraph

from tests.protocols.langgraph.conftest import ASSISTANT, SERVICE_KEY, api_url, ask, new_user


def new_thread(sync) -> str:
    return sync.threads.create(metadata={"user_id": new_user()})["thread_id"]


def test_a_run_paused_before_the_worker_waits_then_a_resume_answers(sync):
    thread_id = new_thread(sync)
    parts = list(
        sync.runs.stream(
            thread_id,
            ASSISTANT,
            input=ask("How many users are there?"),
            interrupt_before=["worker"],
            stream_mode=["values", "updates"],
        )
    )
    updates = [p.data for p in parts if p.event == "updates"]
    assert list(updates[0]) == ["planner"]
    # As LangGraph's server (langgraph dev) ends a run paused at a node: this part last.
    assert (parts[-1].event, parts[-1].data) == ("updates", {"__interrupt__": []})
    assert sync.threads.get(thread_id)["status"] == "interrupted"
    (paused_run,) = sync.runs.list(thread_id)
    assert paused_run["status"] == "success"  # LangGraph's server's word for a paused run
    state = sync.threads.get_state(thread_id)
    assert state["next"] == ["worker"] and [t["name"] for t in state["tasks"]] == ["worker"]
    assert [m["type"] for m in state["values"]["messages"]] == ["human"]

    answered = sync.runs.wait(thread_id, ASSISTANT, command={"resume": None})
    assert answered["messages"][-1]["type"] == "ai" and answered["messages"][-1]["content"]
    assert sync.threads.get(thread_id)["status"] == "idle"
    assert sync.threads.get_state(thread_id)["next"] == []
    messages = sync.threads.get_state(thread_id)["values"]["messages"]
    assert [m["type"] for m in messages] == ["human", "ai"]  # the prompt is stored once


def test_a_run_with_no_input_continues_the_paused_run_and_wait_shows_the_interrupt(sync):
    thread_id = new_thread(sync)
    paused = sync.runs.wait(
        thread_id, ASSISTANT, input=ask("How many sessions?"), interrupt_after="*"
    )
    assert paused["__interrupt__"] == [] and sync.threads.get_state(thread_id)["next"] == ["worker"]
    steps = 1
    while sync.threads.get_state(thread_id)["next"]:
        sync.runs.wait(thread_id, ASSISTANT, input=None, interrupt_after="*")
        steps += 1
    assert steps == 4  # planner, worker, critic, synthesizer: one pause after each
    assert sync.threads.get_state(thread_id)["values"]["messages"][-1]["type"] == "ai"


def test_a_resume_of_a_thread_that_is_not_paused_is_a_409_and_stores_nothing(sync):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("Hello"))
    with pytest.raises(httpx.HTTPStatusError) as refused:
        sync.runs.wait(thread_id, ASSISTANT, command={"resume": "yes"})
    assert refused.value.response.status_code == 409
    assert "no paused run to resume" in refused.value.response.text
    assert len(sync.runs.list(thread_id)) == 1


def test_a_new_message_on_a_paused_thread_starts_over(sync):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("How many users?"), interrupt_before=["critic"])
    answered = sync.runs.wait(thread_id, ASSISTANT, input=ask("How many sessions?"))
    assert answered["messages"][-1]["type"] == "ai"
    assert [m["content"] for m in answered["messages"] if m["type"] == "human"][-1] == (
        "How many sessions?"
    )
    assert sync.threads.get(thread_id)["status"] == "idle"


def test_an_edited_plan_is_what_the_worker_runs(sync):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("How many users?"), interrupt_before=["worker"])
    plan = sync.threads.get_state(thread_id)["values"]["plan"]
    plan["subtasks"][0]["description"] = "Count the sessions instead"
    edited = sync.threads.update_state(thread_id, {"plan": plan}, as_node="planner")
    assert edited["checkpoint"]["thread_id"] == thread_id
    assert edited["configurable"] == edited["checkpoint"]
    assert edited["checkpoint_id"] == edited["checkpoint"]["checkpoint_id"]
    state = sync.threads.get_state(thread_id)
    assert state["values"]["plan"]["subtasks"][0]["description"] == "Count the sessions instead"
    assert state["next"] == ["worker"] and state["metadata"]["source"] == "update"
    sync.runs.wait(thread_id, ASSISTANT, input=None)
    findings = sync.threads.get_state(thread_id)["values"]["findings"]
    assert findings["1"]["description"] == "Count the sessions instead"


@pytest.mark.parametrize(
    ("values", "as_node", "words"),
    [
        ({"plan": {"subtasks": "many"}}, "planner", ["values.plan.subtasks"]),
        ({"messages": []}, "planner", ["values.messages", "not a field"]),
        ({"plan": None}, "judge", ["values.plan"]),
        ({"prompt": "x"}, "judge", ["as_node", "judge"]),
    ],
    ids=["schema", "not-editable", "bad-plan", "unknown-agent"],
)
def test_bad_state_edits_are_422s_and_change_nothing(sync, values, as_node, words):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("How many users?"), interrupt_before=["worker"])
    before = sync.threads.get_history(thread_id)
    with pytest.raises(Exception) as refused:
        sync.threads.update_state(thread_id, values, as_node=as_node)
    response = refused.value.response
    assert response.status_code == 422 and all(w in response.json()["detail"] for w in words)
    assert sync.threads.get_history(thread_id) == before


def test_history_lists_every_step_newest_first_and_a_run_forks_from_an_earlier_one(sync):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("How many users?"), durability="async")
    history = sync.threads.get_history(thread_id, limit=20)
    steps = [h["metadata"]["step"] for h in history]
    assert steps == sorted(steps, reverse=True) and len(history) >= 5
    assert history[0]["next"] == [] and history[-1]["metadata"]["source"] == "input"
    for newer, older in zip(history, history[1:], strict=False):
        assert newer["parent_checkpoint"]["checkpoint_id"] == older["checkpoint"]["checkpoint_id"]
    before_worker = next(h for h in history if h["next"] == ["worker"])
    one = sync.threads.get_state(
        thread_id, checkpoint_id=before_worker["checkpoint"]["checkpoint_id"]
    )
    assert one["checkpoint"] == before_worker["checkpoint"]
    page = sync.threads.get_history(thread_id, limit=2, before=history[1]["checkpoint"])
    assert [h["checkpoint"] for h in page] == [h["checkpoint"] for h in history[2:4]]
    (named,) = sync.threads.get_history(thread_id, checkpoint=history[2]["checkpoint"])
    assert named["checkpoint"] == history[2]["checkpoint"]
    (looped,) = sync.threads.get_history(thread_id, limit=1, metadata={"source": "input"})
    assert looped["checkpoint"] == history[-1]["checkpoint"]

    forked = sync.runs.wait(
        thread_id, ASSISTANT, input=None, checkpoint=before_worker["checkpoint"]
    )
    assert forked["messages"][-1]["type"] == "ai"
    head = sync.threads.get_state(thread_id)
    assert head["parent_checkpoint"] is not None and head["next"] == []


def test_remote_graph_reads_history_and_edits_state_unchanged(server, sync):
    thread_id = new_thread(sync)
    sync.runs.wait(thread_id, ASSISTANT, input=ask("How many users?"), interrupt_before=["worker"])
    remote = RemoteGraph(ASSISTANT, url=api_url(server.url), api_key=SERVICE_KEY)
    config = {"configurable": {"thread_id": thread_id}}
    state = remote.get_state(config)
    assert state.next == ("worker",) and state.values["prompt"] == "How many users?"
    at = remote.get_state(state.config)  # POST /threads/{id}/state/checkpoint
    assert at.config == state.config
    history = list(remote.get_state_history(config))
    assert history[0].config == state.config
    written = remote.update_state(config, {"prompt": "How many sessions?"}, as_node="planner")
    assert written["configurable"]["checkpoint_id"] != state.config["configurable"]["checkpoint_id"]
    assert remote.get_state(config).values["prompt"] == "How many sessions?"


def test_another_users_thread_state_cannot_be_read_or_edited(server, user_keys, sync):
    from tests.protocols.langgraph.conftest import sync_client

    owner_key, stranger_key = user_keys
    owner, stranger = sync_client(server.url, owner_key), sync_client(server.url, stranger_key)
    thread_id = owner.threads.create()["thread_id"]
    owner.runs.wait(thread_id, ASSISTANT, input=ask("Hi"), interrupt_before=["worker"])
    for call in (
        lambda: stranger.threads.update_state(thread_id, {"prompt": "x"}),
        lambda: stranger.threads.get_history(thread_id),
        lambda: stranger.runs.wait(thread_id, ASSISTANT, command={"resume": 1}),
    ):
        with pytest.raises(Exception) as refused:
            call()
        assert refused.value.response.status_code == 404
    assert owner.threads.get_state(thread_id)["next"] == ["worker"]


APPROVE = {"configurable": {"approve_writes": True}}


def pause_for_a_write(sync, text: str = "Remember that I like green tea") -> tuple[str, dict]:
    thread_id = new_thread(sync)
    paused = sync.runs.wait(thread_id, ASSISTANT, input=ask(text), config=APPROVE)
    (waiting,) = paused["__interrupt__"]
    return thread_id, waiting


def notes_answer(sync, thread_id: str) -> str:
    return sync.threads.get_state(thread_id)["values"]["messages"][-1]["content"]


def test_a_write_waits_for_approval_in_the_human_in_the_loop_schema_then_runs(sync):
    thread_id, waiting = pause_for_a_write(sync)
    (action,) = waiting["value"]["action_requests"]
    assert action["name"] == "db.insert" and action["args"]["collection"] == "notes"
    assert "green tea" in action["args"]["document"]["content"]
    assert waiting["value"]["review_configs"] == [
        {"action_name": "db.insert", "allowed_decisions": ["approve", "edit", "reject"]}
    ]
    assert waiting["response_schema"] is None  # as LangGraph's server answers /wait
    asked = {"id": waiting["id"], "value": waiting["value"]}
    state = sync.threads.get_state(thread_id)
    assert state["next"] == ["worker"] and state["tasks"][0]["interrupts"] == [asked]
    assert state["interrupts"] == [asked]
    thread = sync.threads.get(thread_id)
    assert thread["status"] == "interrupted"
    assert thread["interrupts"] == {state["tasks"][0]["id"]: [asked]}
    (found,) = sync.threads.search(ids=[thread_id], status="interrupted")
    assert found["interrupts"] == thread["interrupts"]
    sync.runs.wait(thread_id, ASSISTANT, command={"resume": {"decisions": [{"type": "approve"}]}})
    assert notes_answer(sync, thread_id) == 'I\'ll remember that: "I like green tea".'
    listed = sync.runs.wait(thread_id, ASSISTANT, input=ask("List my notes"))
    assert "I like green tea" in listed["messages"][-1]["content"]


def test_an_edited_write_writes_the_edit_and_a_rejected_one_nothing(sync):
    thread_id, waiting = pause_for_a_write(sync, "Remember that I like black coffee")
    (action,) = waiting["value"]["action_requests"]
    edited = {**action["args"], "document": {"content": "I like oolong", "tags": ["edited"]}}
    decision = {"type": "edit", "edited_action": {"name": "db.insert", "args": edited}}
    sync.runs.wait(thread_id, ASSISTANT, command={"resume": {"decisions": [decision]}})
    assert "I like oolong" in notes_answer(sync, thread_id)

    thread_id, _ = pause_for_a_write(sync, "Remember that I dislike rain")
    rejection = {"type": "reject", "message": "not now"}
    sync.runs.wait(thread_id, ASSISTANT, command={"resume": {"decisions": [rejection]}})
    answer = notes_answer(sync, thread_id)
    assert "rejected by the person reviewing it: not now" in answer
    listed = sync.runs.wait(thread_id, ASSISTANT, input=ask("List my notes"))
    assert "dislike rain" not in listed["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("resume", "words"),
    [
        ({"decisions": []}, ["1 write(s) wait", "0 given"]),
        ({"decisions": [{"type": "maybe"}]}, ["resume.decisions.0"]),
        ("yes", ["resume"]),
        (
            {"decisions": [{"type": "edit", "edited_action": {"name": "db.find", "args": {}}}]},
            ["edited_action.name", "must stay db.insert"],
        ),
    ],
    ids=["too-few", "unknown-type", "not-an-object", "other-tool"],
)
def test_decisions_that_do_not_answer_the_review_are_422s_and_the_run_still_waits(
    sync, resume, words
):
    thread_id, _ = pause_for_a_write(sync)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        sync.runs.wait(thread_id, ASSISTANT, command={"resume": resume})
    assert refused.value.response.status_code == 422
    detail = refused.value.response.json()["detail"]
    assert all(word in detail for word in words), detail
    assert sync.threads.get(thread_id)["status"] == "interrupted"


def test_a_state_edit_while_a_run_is_active_is_a_409_and_changes_nothing(slow, slow_server):
    from tests.protocols.langgraph.test_runs import start, until_running

    thread_id = new_thread(slow)
    run = start(slow, thread_id)
    until_running(slow, thread_id, run["run_id"])
    with pytest.raises(Exception) as refused:
        slow.threads.update_state(thread_id, {"prompt": "something else"}, as_node="planner")
    assert refused.value.response.status_code == 409
    native = httpx.patch(
        f"{slow_server.url}/v1/sessions/{thread_id}/state",
        json={"values": {"prompt": "something else"}},
        headers={"Authorization": f"Bearer {SERVICE_KEY}"},
    )
    assert native.status_code == 409 and "active run" in native.json()["detail"]
    slow.runs.join(thread_id, run["run_id"])
    assert slow.threads.get_state(thread_id)["values"]["prompt"] == "What is AI?"
