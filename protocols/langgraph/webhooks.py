"""The webhook payload of a LangGraph run, as LangGraph's server sends it.

LangGraph's server POSTs the run object with its status, when it started and ended, when
the webhook was sent, the thread's final state (`values`) and, for a failed run, `error`
(langgraph_api/webhook.py). Runs started through other protocols are not this module's.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from protocols.langgraph.models import RunRecord
from protocols.langgraph.runs import STATUSES, final_state, run_object
from protocols.langgraph.threads import iso
from runs.models import Run


async def langgraph_payload(run: Run) -> dict[str, Any] | None:
    """The payload of a run started through `/langgraph`; None for any other run."""
    record = await RunRecord.objects.filter(run_id=run.pk).afirst()
    if record is None:
        return None
    payload = run_object(run, record) | {
        "status": STATUSES.get(run.status, "error"),
        "run_started_at": iso(run.started_at or run.created_at),
        "run_ended_at": iso(run.finished_at),
        "webhook_sent_at": timezone.now().isoformat(),
        "values": await final_state(run),
    }
    if run.status != Run.Status.OK:
        payload["error"] = {
            "error": run.status,
            "message": run.error or f"The run ended {run.status}.",
        }
    return payload
