"""The rules every protocol checks a resume by, before anything is stored.

A run that continues a paused one (`RunRequest.resume`) is admitted only if the session's
graph has work left at the checkpoint it names (409 otherwise), and a resume value must
answer what the paused run waits for: a review of writes wants one decision per write (422
naming what is wrong otherwise). Nothing is stored when either check fails.
"""

from __future__ import annotations

from edge.errors import RequestRejected
from runs import engine
from runs.engine import Resume


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
