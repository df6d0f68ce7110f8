"""Which runs a caller may see: the one place run routes meet owner scoping.

Every run route finds runs only through `visible_runs(caller)`: a user key sees its user's
runs, the service key every run; a run outside that set answers 404, exactly as one that
does not exist.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db.models import QuerySet

from accounts.callers import Caller
from runs.models import Run


def visible_runs(caller: Caller) -> QuerySet[Run]:
    """Return the runs `caller` may see."""
    return Run.objects.filter(**caller.owner_filter())


@sync_to_async
def get_run_for(caller: Caller, run_id: str) -> Run | None:
    """Return the caller's run (None when it does not exist or is another user's)."""
    return visible_runs(caller).filter(pk=run_id).first()


@sync_to_async
def list_session_runs(caller: Caller, session_id: str, limit: int) -> list[Run]:
    """Return the caller's runs of a session, newest first."""
    runs = visible_runs(caller).filter(session_id=session_id).order_by("-created_at", "-id")
    return list(runs[:limit])
