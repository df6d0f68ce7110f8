"""SSE framing and parsing agree (no database)."""

from __future__ import annotations

import json

from edge.sse import HEARTBEAT, encode_event
from operations.client import SSEParser


def test_an_event_is_one_line_of_json_after_its_id_and_type():
    frame = encode_event(3, "token", {"text": "a\nb ü"})
    assert frame == 'id: 3\nevent: token\ndata: {"text":"a\\nb ü"}\n\n'.encode()


def test_the_parser_reads_events_split_across_chunks_and_skips_heartbeats():
    stream = encode_event(1, "agent", {"name": "planner"}) + HEARTBEAT
    stream += encode_event(2, "done", {"fullText": "hi"})
    parser = SSEParser()
    events = []
    text = stream.decode()
    for start in range(0, len(text), 7):
        events += parser.feed(text[start : start + 7])
    assert [(e.id, e.event, e.data) for e in events] == [
        (1, "agent", {"name": "planner"}),
        (2, "done", {"fullText": "hi"}),
    ]
    assert parser.comments == 1


def test_event_data_is_encoded_exactly_as_json_dumps_would():
    value = object()
    data = {"f": 1.5, "n": float("nan"), "big": 10**30, "s": 'é"\u2028', "k": {1: [None, True]}}
    data["other"] = value
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    assert encode_event(7, "done", data) == f"id: 7\nevent: done\ndata: {expected}\n\n".encode()
    assert encode_event(8, "token", {}) == b"id: 8\nevent: token\ndata: {}\n\n"
