"""The admin in a real headless Chromium, served by daphne with DEBUG off."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from harness.live_server import ROOT, LiveServer, live_server, server_env
from operations.client import SSEParser, chat_body
from tests.support.browser import launch

pytestmark = pytest.mark.browser
PASSWORD = "operator-pass-123"
MODELS = ("Sessions", "Messages", "Suggestions", "Tool calls", "Request metrics", "Notes")


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory, template_db) -> Iterator[LiveServer]:
    """A server with one chat on record and an admin created as `make run` creates it."""
    with live_server(tmp_path_factory.mktemp("admin"), template_db=template_db) as server:
        subprocess.run(
            [sys.executable, "manage.py", "ensureadmin"],
            cwd=ROOT,
            env=server_env(server.sqlite_path, ADMIN_PASSWORD=PASSWORD),
            check=True,
            capture_output=True,
        )
        yield server


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh headless Chromium page."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser.new_page()
        browser.close()


def test_an_operator_logs_in_and_sees_every_model_and_a_session(admin_server, page):
    response = httpx.post(
        f"{admin_server.url}/v1/chat/stream",
        json=chat_body("admin-demo", "alice", "What is AI?"),
        headers={"Authorization": "Bearer devkey"},
    )
    assert SSEParser().feed(response.text)[-1].event == "done"

    page.goto(f"{admin_server.url}/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for model in MODELS:
        expect(page.get_by_role("link", name=model, exact=True).first).to_be_visible()
    background = page.evaluate(
        "getComputedStyle(document.querySelector('#header')).backgroundColor"
    )
    assert background != "rgba(0, 0, 0, 0)", "the admin's CSS was served"

    page.get_by_role("link", name="Sessions", exact=True).first.click()
    page.get_by_role("link", name="admin-demo").click()
    expect(page.locator("body")).to_contain_text("What is AI?")
    expect(page.locator("body")).to_contain_text("Artificial intelligence")
