"""examples/react-ai-sdk (useChat) built by make test, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from harness.live_server import LiveServer
from tests.support.examples import served_example
from tests.support.runs import SLOW_RUNS
from tests.support.waiting import until

pytestmark = pytest.mark.browser
SERVICE = {"Authorization": "Bearer devkey"}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[tuple[str, LiveServer]]:
    """The built example and a server with slow runs that lets its origin call it."""
    with served_example("react-ai-sdk", tmp_path_factory, template_db, **SLOW_RUNS) as pair:
        yield pair


@pytest.fixture
def api(served: tuple[str, LiveServer]) -> LiveServer:
    """The server."""
    return served[1]


@pytest.fixture
def page(chromium: Browser, served: tuple[str, LiveServer]) -> Iterator[Page]:
    """The example pointed at the server, on a new chat."""
    site, api = served
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/?api={api.url}")
    yield page
    context.close()


def send(page: Page, text: str) -> None:
    """Type a prompt and send it."""
    page.get_by_test_id("prompt").fill(text)
    page.get_by_test_id("prompt").press("Enter")


def chat_of(page: Page) -> str:
    """The chat id in the page's URL."""
    return page.url.split("chat=", 1)[1].split("&", 1)[0]


def stored(api: LiveServer, chat: str) -> list[dict]:
    """The chat's stored messages."""
    return httpx.get(f"{api.url}/v1/sessions/{chat}/messages", headers=SERVICE).json()["messages"]


def runs(api: LiveServer, chat: str) -> list[dict]:
    """The chat's runs, newest first."""
    return httpx.get(f"{api.url}/v1/sessions/{chat}/runs", headers=SERVICE).json()["runs"]


def test_a_message_streams_steps_tools_text_and_suggestions(page: Page, api: LiveServer):
    send(page, "How many sessions do I have? What is AI?")  # a tool call, then ~35 tokens
    chat = page.get_by_test_id("chat")
    expect(chat).to_have_attribute("data-state", "streaming")
    expect(page.get_by_test_id("step-agent").first).to_contain_text("Planner")
    expect(page.get_by_test_id("step-tool").first).to_be_visible()
    answer = page.get_by_test_id("text-assistant").last
    expect(answer).not_to_be_empty()
    partial = answer.inner_text()
    expect(chat).to_have_attribute("data-state", "idle", timeout=20_000)
    assert len(answer.inner_text()) > len(partial), "the answer grew as it streamed"
    assert answer.inner_text() == stored(api, chat_of(page))[-1]["content"]
    expect(page.get_by_test_id("suggestion")).to_have_count(3)
    page.get_by_test_id("suggestion").first.click()  # a suggestion is a button that asks it
    expect(page.get_by_test_id("message-user")).to_have_count(2)
    expect(chat).to_have_attribute("data-state", "idle", timeout=20_000)


def test_stop_cancels_the_run(page: Page, api: LiveServer):
    send(page, "What is AI?")
    expect(page.get_by_test_id("text-assistant").last).not_to_be_empty()
    page.get_by_test_id("stop").click()
    expect(page.get_by_test_id("chat")).to_have_attribute("data-state", "idle")
    chat = chat_of(page)
    until(lambda: runs(api, chat)[0]["status"] == "cancelled", what="the run cancelled")


def test_a_reload_mid_answer_resumes_it(page: Page, api: LiveServer):
    send(page, "What is AI?")
    expect(page.get_by_test_id("text-assistant").last).not_to_be_empty()
    chat = chat_of(page)
    page.reload()
    expect(page.get_by_test_id("message-user")).to_have_text(["What is AI?"])
    until(lambda: runs(api, chat)[0]["status"] == "ok", what="the run finished")
    answer = stored(api, chat)[-1]["content"]
    expect(page.get_by_test_id("text-assistant").last).to_have_text(answer, timeout=20_000)
