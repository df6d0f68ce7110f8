"""An interactive terminal client for one chat session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from asgiref.sync import async_to_sync

from operations.client import StreamRejected, chat_body
from operations.console import Console
from operations.render import TurnPrinter, numbered
from operations.transport import ChatTarget, ServerUnreachable, run_turn

QUIT = "/quit"
PROMPT = "you> "


@dataclass
class ChatLoop:
    """Read prompts, stream each answer, and offer its suggestions by number.

    `echo` repeats each line read, so a transcript of piped input reads like a session.
    """

    target: ChatTarget
    session_id: str
    user_id: str
    console: Console
    echo: bool = False
    suggestions: list[str] = field(default_factory=list)

    def run(self, stdin: TextIO) -> None:
        """Serve prompts from `stdin` until `/quit` or end of input."""
        self.console.line(
            f"Chat session {self.session_id} as {self.user_id} ({self.target.describe()}). "
            f"Type a prompt, a suggestion's number, or {QUIT}."
        )
        while (line := self.read(stdin)) is not None:
            if line == QUIT:
                break
            prompt = self.resolve(line)
            if prompt:
                self.send(prompt)

    def read(self, stdin: TextIO) -> str | None:
        """Prompt for and return the next non-empty line; None at end of input."""
        while True:
            self.console.write(PROMPT)
            raw = stdin.readline()
            if not raw:
                self.console.line()
                return None
            if self.echo:
                self.console.write(raw if raw.endswith("\n") else f"{raw}\n")
            if line := raw.strip():
                return line

    def resolve(self, line: str) -> str | None:
        """Turn a suggestion's number into its text; other lines are prompts as they are."""
        if not line.isdigit():
            return line
        number = int(line)
        if not 1 <= number <= len(self.suggestions):
            self.console.line(f"No suggestion {number}; there are {len(self.suggestions)}.")
            return None
        prompt = self.suggestions[number - 1]
        self.console.line(f"→ {prompt}")
        return prompt

    def send(self, prompt: str) -> None:
        """Stream one turn; print its suggestions, or why it failed."""
        body = chat_body(self.session_id, self.user_id, prompt)
        printer = TurnPrinter(self.console, trace=True)
        try:
            outcome = async_to_sync(run_turn)(self.target, body, printer)
        except StreamRejected as rejected:
            self.console.line(f"rejected: {rejected}")
            return
        except ServerUnreachable as unreachable:
            self.console.line(f"unreachable: {unreachable}")
            return
        if outcome.done is not None:
            self.suggestions = list(outcome.done["suggestions"])
            self.console.line(numbered(self.suggestions))
