"""The operator's console in a real headless Chromium at 1280 px: every admin list and page.

The data is what `manage.py seed --demo` stores (real runs through the pipeline), plus a
synthetic week of history so that the charts have lines. With UPDATE_SCREENSHOTS=1 the
screenshots are written to docs/screenshots/ (as committed), otherwise to a temp folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from harness.live_server import ROOT, LiveServer, live_server, server_env
from tests.support.browser import launch

pytestmark = pytest.mark.browser
PASSWORD = "operator-pass-123"


def manage(server: LiveServer, *args: str, **env: str) -> None:
    """Run a management command against the server's database."""
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=server_env(server.sqlite_path, **env),
        check=True,
        capture_output=True,
        timeout=300,
    )


A_CRON_AND_A_DELIVERY = """
from datetime import timedelta
from django.utils import timezone
from crons.models import Cron, Firing
from runs.models import Run
from webhooks.models import Delivery
run = Run.objects.filter(user_id="demo-alice").first()
cron = Cron.objects.create(
    user_id="demo-alice", thread_id=run.session_id, assistant_id="orchestrator",
    schedule="0 8 * * 1-5", timezone="Europe/Paris", next_run_date=timezone.now(),
    payload={"input": {"messages": [{"role": "user", "content": "Summarise my week."}]}},
)
Firing.objects.create(cron=cron, due_at=timezone.now() - timedelta(days=1), run_id=run.pk,
    thread_id=run.session_id, claimed_by="demo:1", started=True, finished=True)
Delivery.objects.create(run=run, user_id="demo-alice", status="failed", attempts=9,
    url="https://hooks.example.com/digest?token=a-long-secret-token-that-must-not-show",
    last_error="HTTP 500: " + "the receiver answered with a very long error page " * 8)
"""
"""What the demo has none of, so that their console pages are opened too."""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, template_db) -> Iterator[LiveServer]:
    """A server holding the demo sessions, a week of history and an admin."""
    with live_server(tmp_path_factory.mktemp("observability"), template_db=template_db) as server:
        manage(server, "manage.py", "seed", "--demo")
        manage(server, "-m", "bench.common.metric_history", "--runs", "1500", "--days", "7")
        manage(server, "manage.py", "ensureadmin", ADMIN_PASSWORD=PASSWORD)
        manage(server, "manage.py", "createapikey", "demo-alice", "--name", "laptop")
        manage(server, "manage.py", "shell", "-c", A_CRON_AND_A_DELIVERY)
        yield server


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go."""
    if os.environ.get("UPDATE_SCREENSHOTS"):
        return ROOT / "docs" / "screenshots"
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(demo_server) -> Iterator[Page]:
    """A logged-in admin page, 1280 px wide."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{demo_server.url}/admin/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        yield page
        browser.close()


def test_the_dashboard_opens_from_the_admin_index_with_its_charts(page, screenshots):
    page.get_by_test_id("dashboard-link").click()
    expect(page.locator("h1")).to_contain_text("Run dashboard")
    page.get_by_test_id("period-7d").click()
    expect(page.get_by_test_id("period-7d")).to_have_class("current")
    expect(page.locator("figure.chart")).to_have_count(6)
    expect(page.locator("figure.chart polyline").first).to_be_visible()
    runs = page.get_by_test_id("runs").inner_text()
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", runs), "grouped by thousands"
    assert int(runs.replace(",", "")) > 1500, "demo runs and history"
    expect(page.get_by_test_id("heaviest").locator("tbody tr")).to_have_count(10)
    expect(page.get_by_test_id("slowest").locator("tbody tr")).to_have_count(10)
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)


def test_a_demo_runs_page_shows_its_waterfall(page, demo_server, screenshots):
    page.goto(f"{demo_server.url}/admin/telemetry/requestmetric/?q=demo-alice-1")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    assert overflowing(page) == []
    agents = rows.first.locator("td.field-agent_bar svg title").all_text_contents()
    assert any(title.startswith("synthesizer") for title in agents), agents
    counts = rows.locator("td.field-tools_column").all_text_contents()
    with_tools = next(i for i, count in enumerate(counts) if int(count) > 0)
    rows.nth(with_tools).locator("td.field-run_column a").click()
    waterfall = page.locator("svg.waterfall")
    expect(waterfall).to_be_visible()
    names = waterfall.locator("g.bar text:first-child").all_text_contents()
    assert names[:1] == ["planner"] and "synthesizer" in names
    assert any(name.startswith("db.") for name in names), names
    expect(waterfall).to_contain_text("first token")
    page.locator("fieldset", has=waterfall).screenshot(path=screenshots / "waterfall.png")


def test_a_users_page_rolls_up_their_sessions_and_runs(page, demo_server, screenshots):
    page.goto(f"{demo_server.url}/admin/telemetry/requestmetric/dashboard/?period=24h")
    page.get_by_test_id("heaviest").get_by_role("link", name="demo-alice").click()
    expect(page.locator("h1")).to_contain_text("User demo-alice")
    expect(page.get_by_test_id("sessions")).to_have_text("2")
    expect(page.get_by_test_id("runs")).to_have_text("6")
    expect(page.get_by_test_id("user-sessions")).to_contain_text("demo-alice-2")
    page.get_by_test_id("recent").locator("tbody tr a").first.click()
    expect(page.locator("svg.waterfall")).to_be_visible()
    page.go_back()
    page.screenshot(path=screenshots / "user.png", full_page=True)


OVERFLOW = """() => [...document.querySelectorAll(
    '#content, #content-main, #changelist .results, fieldset, .module, .form-row, figure.chart'
)].filter(box => box.scrollWidth > box.clientWidth + 1)
 .map(box => `${box.id || box.className}: ${box.scrollWidth} > ${box.clientWidth}`)"""


def overflowing(page: Page) -> list[str]:
    """The content boxes of the page wider inside than they are (none on a page that fits)."""
    return page.evaluate(OVERFLOW)


SHOWN = {"chat/session", "runs/run", "telemetry/requestmetric", "accounts/apikey"}
"""The lists and pages whose screenshots docs/ shows."""


def test_no_admin_list_or_page_overflows_at_1280_px(page, demo_server, screenshots, tmp_path):
    page.goto(f"{demo_server.url}/admin/")
    lists = page.locator("#content-main th[scope=row] a").evaluate_all("l => l.map(a => a.href)")
    assert len(lists) >= 8, lists
    for url in lists:
        page.goto(url)
        name = "-".join(url.rstrip("/").split("/")[-2:])
        shots = screenshots if name.replace("-", "/") in SHOWN else tmp_path
        expect(page.locator("#changelist")).to_be_visible()
        assert overflowing(page) == [], f"{name} list"
        page.screenshot(path=shots / f"{name}-list.png")
        rows = page.locator("#result_list tbody tr")
        if not rows.count():  # auth groups: none
            continue
        rows.first.locator("th a, td a").first.click()
        expect(page.locator("#content h1")).to_be_visible()
        assert overflowing(page) == [], f"{name} page {page.url}"
        page.screenshot(path=tmp_path / f"{name}-page.png", full_page=True)
    for report in ("dashboard/?period=30d", "dashboard/?period=24h", "user/demo-alice/"):
        page.goto(f"{demo_server.url}/admin/telemetry/requestmetric/{report}")
        assert overflowing(page) == [], report


def test_a_session_page_reads_as_its_conversation_with_its_runs(page, demo_server, screenshots):
    page.goto(f"{demo_server.url}/admin/chat/session/?q=demo-alice-1")
    page.locator("#result_list tbody tr th a").first.click()
    expect(page.locator("h1")).to_contain_text("View session")
    runs = page.locator(".field-runs_table table.console tbody tr, .field-runs_table tr:has(td)")
    expect(runs.first).to_be_visible()
    expect(page.locator(".field-runs_table .status-ok").first).to_be_visible()
    expect(page.locator(".field-conversation")).to_contain_text("user")
    page.screenshot(path=screenshots / "chat-session-page.png", full_page=True)
    page.locator(".field-runs_table a").first.click()
    expect(page.locator("h1")).to_contain_text("View run")
    expect(page.locator(".field-prompt .console-text")).not_to_be_empty()
    expect(page.locator(".field-answer .console-text")).not_to_be_empty()
    expect(page.locator("svg.waterfall")).to_be_visible()
    assert overflowing(page) == []
    page.screenshot(path=screenshots / "runs-run-page.png", full_page=True)
