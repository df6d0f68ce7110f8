"""The fixed-cost benchmark measures the real graph topology and a chat's real records."""

from __future__ import annotations

import asyncio

import pytest

from bench.studies.fixed_costs import graph_cpu_us, no_op_graph, records_cpu_ms
from chat.models import Message, Session
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall


def test_the_no_op_graph_visits_the_pipelines_four_nodes_in_order():
    async def visited() -> list[str]:
        return [
            name
            async for chunk in no_op_graph().astream({"prompt": "hi"}, stream_mode="updates")
            for name in chunk
        ]

    assert asyncio.run(visited()) == ["planner", "worker", "critic", "synthesizer"]
    assert asyncio.run(graph_cpu_us(3)) > 0


@pytest.mark.django_db(transaction=True)
def test_a_measured_chat_stores_what_a_new_sessions_chat_stores():
    cpu_ms, statements = records_cpu_ms(1, "What is Server-Sent Events? How many sessions?")
    assert cpu_ms > 0
    chats = Session.objects.count()
    assert chats == Run.objects.filter(status="ok").count() == RequestMetric.objects.count()
    assert Message.objects.count() == 2 * chats, "a prompt and an answer per chat"
    assert ToolCall.objects.count() == 2 * chats, "the two planned tool calls, each stored"
    assert statements[0].startswith("BEGIN") and statements[-1] == "COMMIT"
    assert sum(sql.startswith("INSERT") for sql in statements) == 8
