"""What a run did without, though it still answered: clamped model output, a skipped step.

Each is logged (a warning, with what happened) and counted in Prometheus as
`chat_degraded_total{agent, what}`, so that an operator sees a model that over-produces or a
follow-up step that keeps failing before a user reports it.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter

logger = logging.getLogger("agents.degraded")

DEGRADED = Counter(
    "chat_degraded",
    "Runs that answered without part of what they make (clamped output, a skipped step).",
    ["agent", "what"],
)


def clamped(agent: str, notes: list[str]) -> None:
    """Note that `agent`'s structured answer was cut to fit its schema (nothing when not)."""
    if not notes:
        return
    logger.warning("the %s's answer was clamped: %s", agent, "; ".join(notes))
    DEGRADED.labels(agent, "clamped").inc()


def skipped(agent: str, what: str, reason: str) -> None:
    """Note that `agent` went on without `what` (for example "follow_ups") because of `reason`."""
    logger.warning("the %s went on without its %s: %s", agent, what.replace("_", "-"), reason)
    DEGRADED.labels(agent, what).inc()
