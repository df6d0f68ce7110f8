"""Regenerate docs/playground.png: a live daphne, headless Chromium, three turns, one PNG.

Run from the repository root: `.venv/bin/python docs/make_screenshot.py [output.png]`.
Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`); works offline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: import the project's modules

from playwright.sync_api import sync_playwright  # noqa: E402

from harness.live_server import live_server, migrate  # noqa: E402
from tests.support.browser import ask, launch, open_playground  # noqa: E402

# The last prompt calls db.find, so the trace beside the answer shows a tool call too.
PROMPTS = ("My name is Alice", "What is my name?", "What is AI?")
VIEWPORT = {"width": 1280, "height": 860}


def capture(base_url: str, output: Path) -> None:
    """Drive the playground at `base_url` through PROMPTS and save a screenshot to `output`."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            open_playground(page, f"{base_url}/?user=alice&session=demo-session")
            for prompt in PROMPTS:
                ask(page, prompt)
            page.get_by_test_id("prompt").fill("")
            page.get_by_test_id("prompt").blur()
            page.screenshot(path=str(output))
        finally:
            browser.close()


def main() -> None:
    """Start a throwaway server with a fresh database and capture the playground."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=ROOT / "docs" / "playground.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        template = Path(workdir) / "template.sqlite3"
        migrate(template)
        with live_server(Path(workdir) / "server", template_db=template) as server:
            capture(server.url, args.output)


if __name__ == "__main__":
    main()
