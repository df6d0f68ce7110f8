"""Check a live server against the original project's acceptance criteria."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.acceptance import CheckResult, run_acceptance, summary_line
from operations.acceptance_checks import CHECKS


class Command(BaseCommand):
    """Run every acceptance check against --url and print a verdict per check."""

    help = (
        "Run the acceptance checks (health, SSE events, memory, DB tools, persistence, shapes, "
        "rejections) against a live server; exit non-zero if any fails."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the server and token options."""
        parser.add_argument("--url", required=True, help="Base URL of the live server.")
        parser.add_argument("--token", help="Bearer token (default: DEV_AUTH_TOKEN).")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the checks' acceptance-… sessions (deleted afterwards by default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the checks, print each verdict, then the totals once (as the error if one failed)."""
        token = options["token"] or settings.DEV_AUTH_TOKEN
        self.stdout.write(f"Acceptance checks against {options['url']}")
        results, deleted = async_to_sync(run_acceptance)(
            options["url"], token, CHECKS, self.report, keep=options["keep"]
        )
        if deleted:
            self.stdout.write(f"Deleted the checks' {deleted} acceptance-… session(s).")
        verdict = summary_line(results)
        if not all(result.passed for result in results):
            raise CommandError(verdict)  # printed once, on stderr, with a non-zero exit
        self.stdout.write(verdict)

    def report(self, result: CheckResult) -> None:
        """Print one verdict as soon as it is reached."""
        self.stdout.write(result.line())
