"""examples/react-langgraph (useStream) built by make test, driven in Debian's Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.live_server import ROOT, LiveServer, live_server
from tests.protocols.langgraph.conftest import sync_client
from tests.support.examples import served_example
from tests.support.runs import SLOW_RUNS
from tests.support.static_site import static_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[tuple[str, LiveServer]]:
    """The built example and a server with slow runs that lets its origin call it."""
    with served_example("react-langgraph", tmp_path_factory, template_db, **SLOW_RUNS) as pair:
        yield pair


@pytest.fixture
def api(served: tuple[str, LiveServer]) -> LiveServer:
    """The server."""
    return served[1]


@pytest.fixture
def page(chromium: Browser, served: tuple[str, LiveServer]) -> Iterator[Page]:
    """The example pointed at the server."""
    site, api = served
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/?api={api.url}/langgraph")
    yield page
    context.close()


def send(page: Page, text: str) -> None:
    """Type a prompt and send it with Enter."""
    page.get_by_test_id("prompt").fill(text)
    page.get_by_test_id("prompt").press("Enter")


def answer(page: Page):
    """The newest AI message on the page."""
    return page.locator(
        '[data-testid="messages"] p.ai, [data-testid="messages"] p.AIMessageChunk'
    ).last


def thread_of(page: Page) -> str:
    """The thread id the page put in its URL."""
    return page.url.split("thread=", 1)[1].split("&", 1)[0]


def stored_answer(api: LiveServer, thread: str) -> str:
    """The thread's last message as stored."""
    return sync_client(api.url).threads.get_state(thread)["values"]["messages"][-1]["content"]


ASKED = "How many sessions do I have? What is AI?"
"""A tool call and an answer of some 35 tokens: long enough to be seen growing."""


def test_a_prompt_streams_tokens_steps_and_the_stored_answer(page: Page, api: LiveServer):
    send(page, ASKED)
    expect(page.locator("main")).to_have_attribute("data-state", "streaming")
    expect(page.get_by_test_id("step-agent").first).to_contain_text("Planner finished")
    expect(page.get_by_test_id("step-tool").first).to_be_visible()
    expect(answer(page)).not_to_be_empty()
    partial = answer(page).inner_text()
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    final = answer(page).inner_text()
    assert len(final) > len(partial), "the answer grew as it streamed"
    assert final == stored_answer(api, thread_of(page))
    expect(page.get_by_test_id("step-agent")).to_have_count(4)
    expect(page.get_by_test_id("message-human")).to_have_text([ASKED])


def test_stop_interrupts_the_run(page: Page, api: LiveServer):
    send(page, "What is AI?")
    expect(answer(page)).not_to_be_empty()
    page.get_by_test_id("stop").click()
    expect(page.locator("main")).to_have_attribute("data-state", "idle")
    client = sync_client(api.url)
    thread = thread_of(page)
    [run] = client.runs.list(thread)

    def interrupted() -> bool:
        return client.runs.get(thread, run["run_id"])["status"] == "interrupted"

    from tests.support.waiting import until

    until(interrupted, what="the run recorded interrupted")


def test_a_reload_mid_run_rejoins_it_and_shows_the_whole_answer(page: Page, api: LiveServer):
    send(page, "What is AI?")
    expect(answer(page)).not_to_be_empty()
    thread = thread_of(page)
    page.reload()
    expect(page.get_by_test_id("message-human")).to_have_text(["What is AI?"])
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    client = sync_client(api.url)
    [run] = client.runs.list(thread)
    assert client.runs.get(thread, run["run_id"])["status"] == "success"
    expect(answer(page)).to_have_text(stored_answer(api, thread))


@pytest.fixture(scope="module")
def local_page_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[tuple[str, LiveServer]]:
    """The example on one loopback port, a server on another with no CORS_ORIGINS (as make run)."""
    with static_site(ROOT / "examples" / "react-langgraph" / "dist") as site:
        with live_server(tmp_path_factory.mktemp("acu-direct"), template_db=template_db) as api:
            yield site, api


def test_a_local_page_on_another_port_holds_a_conversation_with_its_history(
    chromium: Browser, local_page_server: tuple[str, LiveServer]
):
    """Agent Chat UI's direct setup: a page on its own origin, fetchStateHistory on."""
    site, api = local_page_server
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    page.goto(f"{site}/?api={api.url}/langgraph")
    send(page, "My name is Ada.")
    expect(page.get_by_test_id("message-human")).to_have_count(1)
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    send(page, "What is my name?")
    expect(page.get_by_test_id("message-human")).to_have_count(2)
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(answer(page)).to_contain_text("Ada")
    assert answer(page).inner_text() == stored_answer(api, thread_of(page))
    expect(page.get_by_test_id("error")).to_have_count(0)
    assert refused == []
    context.close()


def test_a_plan_paused_for_review_is_edited_then_run(page: Page, api: LiveServer):
    page.get_by_test_id("review-plan").check()
    send(page, "How many sessions do I have?")
    expect(page.locator("main")).to_have_attribute("data-state", "waiting", timeout=20_000)
    step = page.get_by_test_id("plan-step-1")
    expect(step).to_have_value(re.compile("How many sessions do I have"))
    step.fill("Count my sessions, carefully")
    page.get_by_test_id("run-plan").click()
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(page.get_by_test_id("plan-review")).to_have_count(0)
    state = sync_client(api.url).threads.get_state(thread_of(page))
    assert state["values"]["findings"]["1"]["description"] == "Count my sessions, carefully"
    assert answer(page).inner_text() == stored_answer(api, thread_of(page))
    expect(page.get_by_test_id("error")).to_have_count(0)


def test_a_write_waits_for_approval_and_is_written_as_edited(page: Page, api: LiveServer):
    page.get_by_test_id("approve-writes-setting").check()
    send(page, "Remember that I like green tea")
    expect(page.locator("main")).to_have_attribute("data-state", "waiting", timeout=20_000)
    write = page.get_by_test_id("write-0")
    expect(write).to_have_value("I like green tea")
    write.fill("I like oolong tea")
    page.get_by_test_id("approve-writes").click()
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(answer(page)).to_have_text('I\'ll remember that: "I like oolong tea".')
    expect(page.get_by_test_id("writes-review")).to_have_count(0)
    expect(page.get_by_test_id("error")).to_have_count(0)
