"""(Re)build the long-term summaries of chosen sessions."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agents.providers import get_provider
from operations.console import Console
from operations.summarise import Selection, parse_age, summarise_selection


def age_argument(text: str) -> timedelta:
    """Parse --older-than for argparse."""
    try:
        return parse_age(text)
    except ValueError as error:
        raise ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    """Fold turns outside the short-term window into the summaries of chosen sessions."""

    help = (
        "Update (or, with --rebuild, rebuild) long-term summaries of --session ID (repeatable), "
        "--user ID or --all sessions, optionally only those not updated for --older-than "
        "(e.g. 30m, 12h, 7d)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the selectors, the age filter and --rebuild."""
        parser.add_argument(
            "--session", action="append", default=[], help="A session id (repeatable)."
        )
        parser.add_argument("--user", help="Every session of this user.")
        parser.add_argument("--all", action="store_true", help="Every session.")
        parser.add_argument(
            "--older-than",
            type=age_argument,
            help="Only sessions whose updatedAt is older than this (30m, 12h, 7d, 2w).",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild each summary from scratch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Summarise the selected sessions and report the counts; fail if any failed."""
        selection = Selection(
            session_ids=tuple(options["session"]),
            user_id=options["user"],
            everything=options["all"],
            older_than=options["older_than"],
        )
        if selection.selectors() != 1:
            raise CommandError("Give exactly one of --session, --user or --all.")
        counts = summarise_selection(
            selection,
            get_provider(),
            rebuild=options["rebuild"],
            now=timezone.now(),
            errors=Console(self.stderr),
        )
        self.stdout.write(counts.line())
        if (why := counts.why(settings.SHORT_TERM_K)) is not None:
            self.stdout.write(why)
        if counts.failed:
            raise CommandError(f"{counts.failed} session(s) could not be summarised.")
