"""Chat with the pipeline from a terminal (or a pipe), in-process or against a live server."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from operations.console import Console
from operations.logfile import logs_to_file
from operations.seed import fresh_session_id
from operations.terminal import ChatLoop
from operations.transport import ChatTarget


class Command(BaseCommand):
    """An interactive client for one session: prompts in, tokens and a trace out."""

    help = (
        "Chat in one session: type a prompt, or a suggestion's number to send it; /quit or EOF "
        "ends. Runs in-process unless --url names a live server."
    )
    # Tests pass their own input through call_command(..., stdin=...).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the session, user and server options."""
        parser.add_argument("--session", help="Session id (default: a fresh cli-<hex> id).")
        parser.add_argument("--user", default="cli-user", help="User id (default: cli-user).")
        parser.add_argument("--url", default="", help="Base URL of a live server (HTTP mode).")
        parser.add_argument("--token", help="Bearer token (default: DEV_AUTH_TOKEN).")
        parser.add_argument(
            "--approve-writes",
            action="store_true",
            help="Ask before each write the worker makes (docs/checkpoints.md).",
        )
        parser.add_argument(
            "--pause-after",
            action="append",
            default=[],
            metavar="AGENT",
            help="Pause after this agent (planner, worker, critic, synthesizer); repeatable.",
        )
        parser.add_argument(
            "--log-file",
            default="var/chat.log",
            help="Where logs go while you chat, never between your lines (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chat loop until /quit, end of input or Ctrl-C."""
        stdin = options.get("stdin") or sys.stdin
        loop = ChatLoop(
            target=ChatTarget(
                url=options["url"], token=options["token"] or settings.DEV_AUTH_TOKEN
            ),
            session_id=options["session"] or fresh_session_id("cli"),
            user_id=options["user"],
            console=Console(self.stdout),
            echo=not stdin.isatty(),
            options=run_options(options),
        )
        with logs_to_file(Path(options["log_file"])):
            try:
                loop.run(stdin)
            except KeyboardInterrupt:
                self.stdout.write("")


def run_options(options: dict[str, Any]) -> dict[str, Any]:
    """The chat request's fields for the command's pause options."""
    fields: dict[str, Any] = {}
    if options["approve_writes"]:
        fields["approveWrites"] = True
    if options["pause_after"]:
        fields["interruptAfter"] = options["pause_after"]
    return fields
