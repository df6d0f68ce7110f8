"""The webhook payload of a native run: its resource, as `GET /v1/runs/{id}` gives it.

With the answer's text when it has one, so that a receiver need not call back for it.
The fallback builder: it answers for any run no protocol claimed (webhooks/payloads.py).
"""

from __future__ import annotations

from typing import Any

from chat.models import Message
from runs.api import RunOut
from runs.models import Run


async def run_resource(run: Run) -> dict[str, Any]:
    """The run's resource, its answer's text included (`answer`, null without one)."""
    answer = None
    if run.answer_message_id:
        found = Message.objects.filter(pk=run.answer_message_id).values_list("content", flat=True)
        answer = await found.afirst()
    return RunOut.from_orm(run).model_dump(mode="json") | {"answer": answer}
