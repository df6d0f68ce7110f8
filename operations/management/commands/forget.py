"""Forget a user: their memories and notes, and with --sessions every chat of theirs."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operations.forgetting import forget_user


class Command(BaseCommand):
    """Delete what the assistant remembers of a user (and, asked, their sessions)."""

    help = (
        "Forget USER: delete their long-term memories and notes; with --sessions, also every "
        "session of theirs and its records (a session with an active run is left: cancel it)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the user and --sessions."""
        parser.add_argument("user", help="The user id.")
        parser.add_argument(
            "--sessions", action="store_true", help="Also delete every session of the user."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Forget the user and report what went; fail when a session had to be left."""
        forgotten = forget_user(options["user"], sessions=options["sessions"])
        line = f"Forgot {options['user']}: {forgotten.memories} memories, {forgotten.notes} notes"
        if options["sessions"]:
            line += f", {forgotten.sessions} sessions"
        self.stdout.write(line + ".")
        if forgotten.busy:
            busy = ", ".join(forgotten.busy)
            raise CommandError(f"Left sessions with an active run (cancel them first): {busy}")
