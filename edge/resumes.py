"""The rules every protocol checks pauses and resumes by, before anything is stored.

A run that continues a paused one (`RunRequest.resume`) is admitted only if the session's
graph has work left at the checkpoint it names (409 otherwise), and a resume value must
answer what the paused run waits for: a review of writes wants one decision per write (422
naming what is wrong otherwise). Nothing is stored when either check fails.
"""

from __future__ import annotations

from typing import Any

from edge.errors import RequestRejected
from runs import engine
from runs.engine import AGENTS, Resume


def agent_pauses(raw: Any, name: str, *, status: int) -> tuple[str, ...]:
    """The agents a run pauses at (`interrupt_before`, `interruptAfter`, …), without repeats.

    `"*"` or a list of agent names; `status` naming the field otherwise.
    """
    if raw in (None, [], ""):
        return ()
    agents = [raw] if isinstance(raw, str) else raw
    if not isinstance(agents, list) or not all(isinstance(a, str) for a in agents):
        raise RequestRejected(status, f'{name}: "*" or a list of agent names')
    unknown = [agent for agent in agents if agent != "*" and agent not in AGENTS]
    if unknown:
        known = ", ".join(AGENTS)
        raise RequestRejected(status, f"{name}: no agent {unknown[0]!r} (the agents: {known})")
    return tuple(dict.fromkeys(agents))


async def checked_resume(
    session_id: str, resume: Resume, *, checkpoint_id: str = "", field: str = "resume"
) -> engine.Paused:
    """What the session's paused run waits for; 409 if nothing waits, 422 for a bad answer."""
    paused = await engine.paused_at(session_id, checkpoint_id)
    if paused is None:
        where = f"checkpoint {checkpoint_id}" if checkpoint_id else "its latest checkpoint"
        raise RequestRejected(
            409,
            f"Session {session_id} has no paused run to resume at {where}: a resume continues "
            "a run that paused for a person; send a prompt to start a new run",
            code="not_paused",
        )
    if resume.has_value:
        try:
            engine.check_resume(paused, resume.value)
        except engine.BadDecisions as exc:
            detail = str(exc).removeprefix("resume")
            raise RequestRejected(422, f"{field}{detail}") from None
    return paused
