"""Which runs a caller may see: the one place an owner filter applies to every run route."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db.models import QuerySet

from chat.models import Run
from chat.run_store import recover_if_stale


def visible_runs(caller: str | None) -> QuerySet[Run]:
    """Return the runs `caller` (an authenticated credential) may see.

    Today every valid token acts for every user, as the original's did, so this is every
    run; per-user credentials filter here (`user_id=...`), and every run route answers 404
    for a run outside this set, exactly as for one that does not exist.
    """
    return Run.objects.all()


@sync_to_async
def get_run_for(caller: str | None, run_id: str) -> Run | None:
    """Return the caller's run, recording it interrupted first if its owner's lease ran out."""
    run = visible_runs(caller).filter(pk=run_id).first()
    if run is not None and not run.finished and recover_if_stale(run):
        run.refresh_from_db()
    return run


@sync_to_async
def list_session_runs(caller: str | None, session_id: str, limit: int) -> list[Run]:
    """Return the caller's runs of a session, newest first."""
    runs = visible_runs(caller).filter(session_id=session_id).order_by("-created_at", "-id")
    return list(runs[:limit])
