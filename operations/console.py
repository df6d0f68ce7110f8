"""Raw text output for the operator commands, over a command's stdout or stderr."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


def unstyled(text: str) -> str:
    """Return `text` as it is (stderr's red error style would colour a progress bar)."""
    return text


class Console:
    """Write text as given (no implicit newline) and flush, so streamed tokens show at once."""

    def __init__(self, stream: OutputWrapper) -> None:
        """Write to `stream`, a command's `self.stdout` or `self.stderr`."""
        self.stream = stream

    def write(self, text: str) -> None:
        """Write `text` as it is."""
        self.stream.write(text, style_func=unstyled, ending="")
        self.stream.flush()

    def line(self, text: str = "") -> None:
        """Write `text` and end the line."""
        self.write(f"{text}\n")

    def flush(self) -> None:
        """Flush the underlying stream (for tqdm, which writes to any file-like object)."""
        self.stream.flush()

    def isatty(self) -> bool:
        """Return whether the underlying stream is a terminal."""
        return self.stream.isatty()
