"""Who calls, and which runs they may see: the one place run routes meet authentication.

Every run route resolves its caller here (`caller_from_headers` for the SSE join,
`caller_of_request` for the JSON routes) and finds runs only through `visible_runs(caller)`.
"""

from __future__ import annotations

from collections.abc import Mapping

from asgiref.sync import sync_to_async
from django.db.models import QuerySet
from django.http import HttpRequest

from chat.auth import is_valid_token, token_from_headers
from chat.models import Run
from chat.run_store import recover_if_stale

Caller = str
"""Today the caller is its valid token (every valid token acts for every user)."""


async def caller_from_headers(headers: Mapping[str, str]) -> Caller | None:
    """Return the caller a request's headers (lower-case names) authenticate; None if none."""
    token = token_from_headers(headers)
    return token if is_valid_token(token) else None


def caller_of_request(request: HttpRequest) -> Caller | None:
    """Return the caller Ninja's auth resolved for a JSON route."""
    return request.auth


def visible_runs(caller: Caller | None) -> QuerySet[Run]:
    """Return the runs `caller` (an authenticated credential) may see.

    Today every valid token acts for every user, as the original's did, so this is every
    run; per-user credentials filter here (`user_id=...`), and every run route answers 404
    for a run outside this set, exactly as for one that does not exist.
    """
    return Run.objects.all()


@sync_to_async
def get_run_for(caller: Caller | None, run_id: str) -> Run | None:
    """Return the caller's run, recording it interrupted first if its owner's lease ran out."""
    run = visible_runs(caller).filter(pk=run_id).first()
    if run is not None and not run.finished and recover_if_stale(run):
        run.refresh_from_db()
    return run


@sync_to_async
def list_session_runs(caller: Caller | None, session_id: str, limit: int) -> list[Run]:
    """Return the caller's runs of a session, newest first."""
    runs = visible_runs(caller).filter(session_id=session_id).order_by("-created_at", "-id")
    return list(runs[:limit])
