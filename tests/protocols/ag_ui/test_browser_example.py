"""examples/react-ag-ui (@ag-ui/client's HttpAgent) built by make test, driven in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from harness.live_server import LiveServer
from tests.support.examples import served_example

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[tuple[str, LiveServer]]:
    """The built example and a server that lets its origin call it."""
    with served_example("react-ag-ui", tmp_path_factory, template_db) as pair:
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
    page.goto(f"{site}/?api={api.url}")
    yield page
    context.close()


def test_a_full_run_shows_steps_tools_the_answer_and_suggestions(page: Page, api: LiveServer):
    page.get_by_test_id("prompt").fill("How many sessions do I have?")
    page.get_by_test_id("prompt").press("Enter")
    expect(page.locator("main")).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(page.get_by_test_id("step-step")).to_have_count(4)
    expect(page.get_by_test_id("step-tool").first).to_contain_text("db.")
    expect(page.get_by_test_id("suggestion")).to_have_count(3)
    expect(page.get_by_test_id("error")).to_have_count(0)
    answer = page.get_by_test_id("message-assistant").last.inner_text()
    sessions = httpx.get(f"{api.url}/v1/sessions", headers={"Authorization": "Bearer devkey"})
    thread = next(
        s["sessionId"] for s in sessions.json()["sessions"] if s["sessionId"].startswith("thread-")
    )
    stored = httpx.get(
        f"{api.url}/v1/sessions/{thread}/messages", headers={"Authorization": "Bearer devkey"}
    ).json()["messages"]
    assert answer == stored[-1]["content"]
