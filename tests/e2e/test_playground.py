"""The playground page in a real headless Chromium, served by a real daphne."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from harness.live_server import live_server
from tests.support.browser import ask, launch, open_playground
from tests.support.fake_openai import FakeOpenAI, HTTPError, replies_in_order

pytestmark = pytest.mark.browser

AGENTS = ("planner", "worker", "critic", "synthesizer")

# Records every value the newest answer bubble's text takes, so a test can tell an answer
# that grew token by token from one written at once (mutation records keep each value).
RECORD_ANSWER_GROWTH = """
() => {
  window.answerValues = [];
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.target.dataset?.testid !== "assistant-text") continue;
      for (const node of record.addedNodes) window.answerValues.push(node.textContent);
    }
  }).observe(document.querySelector('[data-testid="conversation"]'), {
    childList: true,
    subtree: true,
  });
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched without `playwright install` (offline)."""
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page; any uncaught script error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    script_errors: list[str] = []
    opened.on("pageerror", lambda error: script_errors.append(str(error)))
    yield opened
    context.close()
    assert script_errors == []


def wait_until_idle(page: Page) -> None:
    """Wait until no history load or run is in flight."""
    expect(page.locator("body")).to_have_attribute("data-state", "idle")


def answers(page: Page) -> Locator:
    """The assistant bubbles, oldest first."""
    return page.get_by_test_id("assistant-message")


def test_a_conversation_streams_with_its_trace_suggestions_and_history(server, page):
    open_playground(page, f"{server.url}/")
    session_id = page.get_by_test_id("session-id").input_value()
    assert re.fullmatch(r"[A-Za-z0-9_.:@-]{1,128}", session_id)
    expect(page).to_have_url(re.compile(rf"session={re.escape(session_id)}"))
    page.evaluate(RECORD_ANSWER_GROWTH)

    ask(page, "My name is Alice")
    first = answers(page).nth(0)
    expect(first.get_by_test_id("assistant-text")).to_contain_text("Alice")
    expect(first.get_by_test_id("timings")).to_have_text(
        re.compile(r"TTFT [\d.]+ ms · total [\d.]+ ms")
    )
    final_text = first.get_by_test_id("assistant-text").inner_text()
    grew = [value for value in page.evaluate("window.answerValues") if value]
    assert len(set(grew)) > 2, grew
    assert all(final_text.startswith(value.strip()) for value in grew)

    for agent in AGENTS:
        row = page.locator(f'[data-testid="trace-agent"][data-agent="{agent}"]')
        expect(row).to_have_attribute("data-state", "done")
        expect(row.locator(".detail")).to_have_text(re.compile(r"[\d.]+ ms"))

    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(3)
    suggestion = suggestions.first.inner_text()
    suggestions.first.click()
    wait_until_idle(page)
    expect(page.get_by_test_id("user-message").nth(1)).to_have_text(suggestion)
    expect(answers(page)).to_have_count(2)
    expect(answers(page).nth(1).get_by_test_id("timings")).to_be_visible()

    ask(page, "What is my name?")
    expect(answers(page).nth(2)).to_contain_text("Alice")

    page.reload()
    wait_until_idle(page)
    expect(page.get_by_test_id("token")).to_have_value("devkey")
    expect(page.get_by_test_id("session-id")).to_have_value(session_id)
    expect(page.get_by_test_id("user-message")).to_have_text(
        ["My name is Alice", suggestion, "What is my name?"]
    )
    expect(answers(page)).to_have_count(3)
    expect(answers(page).nth(2)).to_contain_text("Alice")
    expect(page.get_by_test_id("suggestion")).to_have_count(3)


def test_a_tool_call_shows_in_the_trace_with_its_args_and_latency(server, page):
    open_playground(page, f"{server.url}/")
    ask(page, "What is AI?")
    tool = page.get_by_test_id("trace-tool")
    expect(tool).to_have_count(1)
    expect(tool).to_have_attribute("data-tool", "db.find")
    expect(tool).to_have_attribute("data-state", "ok")
    expect(tool.locator(".detail")).to_have_text(re.compile(r"ok · [\d.]+ ms"))
    expect(tool.locator(".args")).to_contain_text('"collection":"messages"')


def test_a_wrong_token_shows_the_401_inline_with_what_to_do(server, page):
    page.goto(f"{server.url}/")
    expect(page.get_by_test_id("token")).to_have_attribute(
        "placeholder", "devkey on a development server, or your API key"
    )
    wait_until_idle(page)
    page.get_by_test_id("token").fill("not-the-token")
    page.get_by_test_id("prompt").fill("Hello")
    page.get_by_test_id("send").click()
    errors = page.get_by_test_id("error-message")
    expect(errors.last).to_have_text(
        "401: Unauthorized. Check the Token field: devkey on a development server (make run), "
        "otherwise an API key from `manage.py createapikey <user>`."
    )
    expect(errors.last).to_have_attribute("role", "alert")
    expect(answers(page)).to_have_count(0)
    wait_until_idle(page)
    expect(page.get_by_test_id("send")).to_be_enabled()


def test_shift_enter_adds_a_line_and_a_new_session_starts_empty(server, page):
    open_playground(page, f"{server.url}/")
    ask(page, "Remember that I like tea")
    first_session = page.get_by_test_id("session-id").input_value()
    prompt = page.get_by_test_id("prompt")
    prompt.type("first line")
    prompt.press("Shift+Enter")
    prompt.type("second line")
    expect(prompt).to_have_value("first line\nsecond line")
    expect(page.get_by_test_id("user-message")).to_have_count(1)

    page.get_by_test_id("new-session").click()
    wait_until_idle(page)
    assert page.get_by_test_id("session-id").input_value() != first_session
    expect(page.get_by_test_id("user-message")).to_have_count(0)
    expect(page.get_by_test_id("trace-agent")).to_have_count(0)


def test_an_error_event_shows_inline_and_the_page_can_send_again(tmp_path, template_db, page):
    failing = FakeOpenAI(replies_in_order(HTTPError(500, "the model is down")))
    provider = {
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": failing.base_url,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_MAX_RETRIES": "0",
    }
    with failing, live_server(tmp_path, template_db=template_db, **provider) as broken:
        open_playground(page, f"{broken.url}/")
        ask(page, "What is AI?")
        error = page.get_by_test_id("error-message")
        expect(error).to_have_count(1)
        expect(error).to_have_text(re.compile(r"^provider_error: .+"))
        expect(answers(page)).to_have_count(0)
        expect(page.get_by_test_id("send")).to_be_enabled()


def test_a_past_answers_trace_opens_after_a_reload(server, page):
    open_playground(page, f"{server.url}/")
    ask(page, "What is my name?")
    live = [row.split("\n")[0] for row in page.get_by_test_id("trace-agent").all_inner_texts()]
    page.reload()
    wait_until_idle(page)
    expect(page.get_by_test_id("trace").locator("li")).to_have_count(0)
    page.get_by_test_id("open-trace").last.click()
    expect(page.locator("#trace-title")).to_contain_text("Trace of")
    agents = page.get_by_test_id("trace-agent")
    expect(agents).to_have_count(len(AGENTS))
    stored = [row.split("\n")[0] for row in agents.all_inner_texts()]
    assert [name.split("+")[0].strip() for name in stored] == list(AGENTS)
    assert len(live) == len(stored)
    tool = page.get_by_test_id("trace-tool").first
    expect(tool).to_contain_text("db.find")
    expect(tool).to_have_attribute("data-state", "ok")
