"""Verify context-aware memory through the real pipeline, or load demo sessions."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.client import StreamRejected
from operations.console import Console
from operations.seed import SeedFailed, fresh_session_id, load_demo, seed_conversation
from operations.transport import ChatTarget, ServerUnreachable


class Command(BaseCommand):
    """Play the seed conversation (name recall, then a summary) or load the demo data."""

    help = (
        "Play 'My name is Alice' / 'What is my name?' / 'Summarize our conversation' through "
        "the pipeline (in-process, or against --url) and fail unless Alice is recalled. "
        "With --demo, load a few demo sessions in-process instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the session, user, server and demo options."""
        parser.add_argument("--session", help="Session id (default: a fresh seed-<hex> id).")
        parser.add_argument("--user", default="seed-user", help="User id (default: seed-user).")
        parser.add_argument("--url", default="", help="Base URL of a live server (HTTP mode).")
        parser.add_argument("--token", help="Bearer token (default: DEV_AUTH_TOKEN).")
        parser.add_argument(
            "--demo", action="store_true", help="Load the demo sessions in-process (idempotent)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the seed conversation or load the demo, turning failures into CommandError."""
        console = Console(self.stdout)
        try:
            if options["demo"]:
                self.load_demo(console, options)
            else:
                self.seed(console, options)
        except SeedFailed as failed:
            raise CommandError(f"Seed failed: {failed}") from failed
        except StreamRejected as rejected:
            raise CommandError(f"Seed failed: the request was rejected ({rejected}).") from None
        except ServerUnreachable as unreachable:
            raise CommandError(f"Seed failed: {unreachable}") from None

    def seed(self, console: Console, options: dict[str, Any]) -> None:
        """Play the three seed turns against the chosen target."""
        target = ChatTarget(url=options["url"], token=options["token"] or settings.DEV_AUTH_TOKEN)
        session_id = options["session"] or fresh_session_id("seed")
        async_to_sync(seed_conversation)(target, session_id, options["user"], console)

    def load_demo(self, console: Console, options: dict[str, Any]) -> None:
        """Load the demo sessions; they always run in this process."""
        if options["url"]:
            raise CommandError("--demo runs the pipeline in-process; drop --url.")
        async_to_sync(load_demo)(console)
