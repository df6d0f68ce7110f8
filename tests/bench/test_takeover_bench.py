"""The take-over benchmark measures a chat's real records, with and without fencing."""

from __future__ import annotations

import pytest

from bench.studies.takeover_bench import one_chats_records
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fenced", [False, True])
def test_a_measured_chat_stores_a_whole_chat_either_way(fenced):
    one_chats_records(1, fenced)
    run = Run.objects.get()
    assert run.status == "ok" and RequestMetric.objects.get().run_id == run.pk
    assert ToolCall.objects.count() == 2, "the two planned tool calls, each stored"
    assert bool(run.request) is fenced, "the request is stored only as the service does now"
