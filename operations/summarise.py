"""Rebuilding or updating the long-term summaries of chosen sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from tqdm import tqdm

from chat.models import Session
from llm.base import LLMProvider, ProviderError
from memory.summarizer import rebuild_summary, update_summary
from operations.console import Console

AGE_PATTERN = re.compile(r"(\d+)([smhdw])")
AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """Parse an age such as `30m`, `12h`, `7d` or `2w` (s, m, h, d, w; a whole number).

    Raises:
        ValueError: when `text` is not such an age.
    """
    matched = AGE_PATTERN.fullmatch(text.strip().lower())
    if matched is None:
        raise ValueError(f"{text!r} is not an age such as 30m, 12h, 7d or 2w")
    amount, unit = matched.groups()
    return timedelta(**{AGE_UNITS[unit]: int(amount)})


@dataclass(frozen=True)
class Selection:
    """Which sessions to summarise: named ones, one user's, or all; optionally only old ones."""

    session_ids: tuple[str, ...] = ()
    user_id: str | None = None
    everything: bool = False
    older_than: timedelta | None = None

    def selectors(self) -> int:
        """Count the selectors given (exactly one is valid)."""
        return sum([bool(self.session_ids), self.user_id is not None, self.everything])


@dataclass
class SummaryCounts:
    """How many sessions a run updated, left unchanged, or failed on."""

    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """Return how many sessions the run covered, failures included."""
        return self.updated + self.unchanged + self.failed

    def line(self) -> str:
        """Describe the run in its closing line."""
        return (
            f"Summarised {self.total} session(s): {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed."
        )

    def why(self, short_term_k: int) -> str | None:
        """Why nothing happened to some sessions, when that is the case (None otherwise)."""
        if self.total == 0:
            return "No session matched: nothing to summarise."
        if not self.unchanged:
            return None
        return (
            f"Unchanged sessions have nothing new to fold in: a summary takes only the turns "
            f"older than the last {short_term_k} messages (SHORT_TERM_K), and theirs already "
            "holds those, or all their turns are still in that window."
        )


def select_sessions(selection: Selection, now: datetime) -> tuple[list[Session], list[str]]:
    """Return the selected sessions (oldest update first) and the named ids that do not exist."""
    sessions = Session.objects.order_by("updated_at", "session_id")
    if selection.session_ids:
        sessions = sessions.filter(session_id__in=selection.session_ids)
    elif selection.user_id is not None:
        sessions = sessions.filter(user_id=selection.user_id)
    known = set(
        Session.objects.filter(session_id__in=selection.session_ids).values_list(
            "session_id", flat=True
        )
    )
    missing = [session_id for session_id in selection.session_ids if session_id not in known]
    if selection.older_than is not None:
        sessions = sessions.filter(updated_at__lt=now - selection.older_than)
    return list(sessions), list(dict.fromkeys(missing))


async def summarise_session(session: Session, provider: LLMProvider, *, rebuild: bool) -> bool:
    """Fold the session's turns outside the window into its summary; return whether it changed.

    With `rebuild`, the summary is rebuilt from scratch; otherwise only unsummarised turns are
    folded in. Both are idempotent for a deterministic provider. A `ProviderError` propagates.
    """
    if rebuild:
        return await rebuild_summary(session, provider)
    changed = False
    while await update_summary(session, provider):
        changed = True
    return changed


def summarise_selection(
    selection: Selection, provider: LLMProvider, *, rebuild: bool, now: datetime, errors: Console
) -> SummaryCounts:
    """Summarise every selected session, reporting problems to `errors`; return the counts.

    Unknown session ids and sessions whose model call fails count as failed; a progress bar
    is drawn on `errors` when it is a terminal.
    """
    sessions, missing = select_sessions(selection, now)
    counts = SummaryCounts(failed=len(missing))
    for session_id in missing:
        errors.line(f"Session {session_id!r} not found.")
    bar = tqdm(sessions, file=errors, disable=not errors.isatty(), unit="session")
    for session in bar:
        try:
            changed = async_to_sync(summarise_session)(session, provider, rebuild=rebuild)
        except ProviderError as error:
            bar.write(f"Session {session.session_id!r} failed: {error}", file=errors)
            counts.failed += 1
            continue
        counts.updated += changed
        counts.unchanged += not changed
    return counts
