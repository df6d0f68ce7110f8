"""examples/react-langgraph (useStream) built by make test, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.live_server import ROOT, LiveServer, live_server
from tests.protocols.langgraph.conftest import sync_client
from tests.support.browser import launch
from tests.support.runs import SLOW_RUNS
from tests.support.static_site import static_site

pytestmark = pytest.mark.browser
EXAMPLE = ROOT / "examples" / "react-langgraph" / "dist"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The built example, served as static files."""
    with static_site(EXAMPLE) as origin:
        yield origin


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path, site: str
) -> Iterator[LiveServer]:
    """A server with slow runs that lets the example's origin call it."""
    with live_server(
        tmp_path_factory.mktemp("langgraph-browser"),
        template_db=template_db,
        CORS_ORIGINS=site,
        **SLOW_RUNS,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, site: str, api: LiveServer) -> Iterator[Page]:
    """The example pointed at the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
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


def test_a_prompt_streams_tokens_steps_and_the_stored_answer(page: Page, api: LiveServer):
    send(page, "How many sessions do I have?")
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
    expect(page.get_by_test_id("message-human")).to_have_text(["How many sessions do I have?"])


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
