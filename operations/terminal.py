"""An interactive terminal client for one chat session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TextIO

from asgiref.sync import async_to_sync

from operations.client import StreamRejected, chat_body
from operations.console import Console
from operations.render import TurnPrinter, numbered
from operations.transport import ChatTarget, ServerUnreachable, TurnOutcome, run_turn

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
    options: dict[str, Any] = field(default_factory=dict)
    """More fields of every chat request (`approveWrites`, `interruptAfter`)."""
    stdin: TextIO | None = None

    def run(self, stdin: TextIO) -> None:
        """Serve prompts from `stdin` until `/quit` or end of input."""
        self.stdin = stdin
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
        """Stream one turn (answering any pause it makes); its suggestions, or why it failed."""
        body: dict[str, Any] | None = chat_body(
            self.session_id, self.user_id, prompt, **self.options
        )
        while body is not None:
            outcome = self.turn(body)
            if outcome is None:
                return
            paused = outcome.of("interrupted")
            body = self.answer(paused[-1].data) if paused else None
        if outcome.done is not None:
            self.suggestions = list(outcome.done["suggestions"])
            self.console.line(numbered(self.suggestions))

    def turn(self, body: dict[str, Any]) -> TurnOutcome | None:
        """Stream one request; None (and why, printed) when it could not run."""
        printer = TurnPrinter(self.console, trace=True)
        try:
            return async_to_sync(run_turn)(self.target, body, printer)
        except StreamRejected as rejected:
            self.console.line(f"rejected: {rejected}")
        except ServerUnreachable as unreachable:
            self.console.line(f"unreachable: {unreachable}")
        return None

    def answer(self, paused: dict[str, Any]) -> dict[str, Any] | None:
        """Ask the person what a paused run waits for; the resume's body (None: leave it)."""
        requests = [
            action
            for waiting in paused.get("interrupts") or []
            if isinstance(waiting.get("value"), dict)
            for action in waiting["value"].get("action_requests", [])
        ]
        if not requests:
            upcoming = ", ".join(paused.get("next") or [])
            value = None if self.confirm(f"paused before {upcoming}: go on?") else False
        else:
            value = {"decisions": [self.decide(action) for action in requests]}
        if value is False:
            self.console.line("left paused: a resume (docs/checkpoints.md) goes on later")
            return None
        body = {"sessionId": self.session_id, "userId": self.user_id, "resume": value}
        return body | {k: v for k, v in self.options.items() if k != "approveWrites"}

    def decide(self, action: dict[str, Any]) -> dict[str, Any]:
        """One write's decision: approve, or reject."""
        args = action.get("args") or {}
        what = (args.get("document") or {}).get("content", args)
        if self.confirm(
            f"the worker asks to run {action['name']} on {args.get('collection')}: "
            f"{what!r}. Approve?"
        ):
            return {"type": "approve"}
        return {"type": "reject", "message": "rejected in the terminal"}

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (anything but y or yes is no; end of input is no)."""
        self.console.write(f"{question} [y/n] ")
        raw = self.stdin.readline() if self.stdin is not None else ""
        if self.echo:
            self.console.write(raw if raw.endswith("\n") else f"{raw}\n")
        return raw.strip().lower() in {"y", "yes"}
