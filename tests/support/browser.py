"""Debian's Chromium driven by Playwright, offline (no `playwright install`)."""

from __future__ import annotations

import shutil

from playwright.sync_api import Browser, Page, Playwright, expect

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, which this offline
# machine refuses; --no-sandbox because tests run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Playwright) -> Browser:
    """Launch headless Chromium; fail with the fix when it is missing (never skip).

    `make test` installs Debian's chromium first (scripts/install-system-packages).
    """
    if shutil.which("chromium") is None:
        raise RuntimeError("Debian's chromium is not installed: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_playground(page: Page, url: str, token: str = "devkey") -> None:
    """Open the playground and type the token, as a user does once (the page never has it)."""
    page.goto(url)
    field = page.get_by_test_id("token")
    field.fill(token)
    field.blur()  # `change` reloads the history with the token; let that finish first
    expect(page.locator("body")).to_have_attribute("data-state", "idle")


def ask(page: Page, prompt: str) -> None:
    """Send one prompt with Enter and wait until its run has ended."""
    expect(page.locator("body")).to_have_attribute("data-state", "idle")
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("prompt").press("Enter")
    expect(page.locator("body")).to_have_attribute("data-state", "idle")
