"""examples/react-ag-ui (@ag-ui/client's HttpAgent) built by make test, driven in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.live_server import ROOT, LiveServer, live_server
from tests.support.browser import launch
from tests.support.static_site import static_site

pytestmark = pytest.mark.browser
EXAMPLE = ROOT / "examples" / "react-ag-ui" / "dist"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The built example, served as static files."""
    with static_site(EXAMPLE) as origin:
        yield origin


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path, site: str
) -> Iterator[LiveServer]:
    """A server that lets the example's origin call it."""
    with live_server(
        tmp_path_factory.mktemp("ag-ui-browser"), template_db=template_db, CORS_ORIGINS=site
    ) as running:
        yield running


@pytest.fixture
def page(site: str, api: LiveServer) -> Iterator[Page]:
    """The example in Debian's Chromium, pointed at the server."""
    with sync_playwright() as playwright:
        browser: Browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{site}/?api={api.url}")
        yield page
        browser.close()


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
