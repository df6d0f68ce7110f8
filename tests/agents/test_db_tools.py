"""The DB tools against the database: what alice can read and write, and never bob's data."""

from __future__ import annotations

import json
import threading

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection, connections

from agents.tools.base import ToolContext
from agents.tools.db_tools import db_aggregate, db_find, db_insert
from agents.tools.runner import DATABASE_ERROR, TOOLS, check_size, run_tool, shorten
from chat.models import Message
from memory.models import Note
from telemetry.models import RequestMetric, ToolCall
from tests.conftest import ALICE, BOB

find = db_find
insert = db_insert
aggregate = db_aggregate
run = async_to_sync(run_tool)

AS_ALICE = ToolContext(user_id=ALICE, session_id="alice-s1")


@pytest.fixture
def tool_calls(alice_session, bob_session) -> None:
    """Three of alice's tool calls (10, 20, 30 ms) and a slow one of bob's."""
    for tool, latency in [("db.find", 10.0), ("db.find", 20.0), ("db.aggregate", 30.0)]:
        ToolCall.objects.create(session=alice_session, user_id=ALICE, tool=tool, latency_ms=latency)
    ToolCall.objects.create(session=bob_session, user_id=BOB, tool="db.insert", latency_ms=999.0)


@pytest.fixture
def metrics(alice_session, bob_session) -> None:
    """Two request metrics of alice's (one without a TTFT) and one of bob's."""
    RequestMetric.objects.create(session=alice_session, ttft_ms=100.0, total_time_ms=400.0)
    RequestMetric.objects.create(session=alice_session, ttft_ms=None, total_time_ms=600.0)
    RequestMetric.objects.create(session=bob_session, ttft_ms=5.0, total_time_ms=9000.0)


def contents(result: dict) -> list[str]:
    return [document["content"] for document in result["documents"]]


def test_it_finds_the_callers_messages_with_readable_fields(alice_session):
    result = find({"collection": "messages", "sort": {"createdAt": 1}}, AS_ALICE)
    assert result["count"] == 2
    first = result["documents"][0]
    assert set(first) == {"id", "sessionId", "role", "content", "timestamp", "createdAt"}
    assert first["sessionId"] == "alice-s1"
    assert first["content"] == "My name is Alice"
    assert first["createdAt"].startswith(str(alice_session.created_at.year))


def test_it_never_returns_another_users_messages(alice_session, bob_session):
    everything = find({"collection": "messages", "limit": 50}, AS_ALICE)
    assert "Bob's secret plan" not in contents(everything)
    bobs = find({"collection": "messages", "filter": {"sessionId": "bob-s1"}}, AS_ALICE)
    assert bobs == {"documents": [], "count": 0}


def test_it_refuses_a_filter_that_mentions_user_id(alice_session, bob_session):
    outcome = run("db.find", {"collection": "messages", "filter": {"userId": BOB}}, AS_ALICE)
    assert not outcome.ok
    assert "userId" in outcome.error
    assert outcome.result == {"error": outcome.error}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"role": "user"}, ["My name is Alice"]),
        ({"role": {"$eq": "assistant"}}, ["Nice to meet you, Alice."]),
        ({"role": {"$ne": "assistant"}}, ["My name is Alice"]),
        ({"role": {"$in": ["user", "system"]}}, ["My name is Alice"]),
        ({"role": {"$nin": ["user"]}}, ["Nice to meet you, Alice."]),
        ({"content": {"$regex": "^My"}}, ["My name is Alice"]),
        ({"content": {"$regex": "^my", "$options": "i"}}, ["My name is Alice"]),
        ({"content": {"$regex": "^my"}}, []),
        ({"content": {"$regex": "NAME IS", "$options": "i"}}, ["My name is Alice"]),
        ({"content": {"$regex": "name is"}}, ["My name is Alice"]),
        ({"content": {"$regex": "NAME IS"}}, []),
        ({"content": {"$exists": True}, "role": "user"}, ["My name is Alice"]),
        ({"$or": [{"role": "assistant"}, {"content": "nothing"}]}, ["Nice to meet you, Alice."]),
        ({"$and": [{"role": "user"}, {"content": {"$regex": "Alice"}}]}, ["My name is Alice"]),
    ],
)
def test_it_filters_with_each_operator(alice_session, bob_session, condition, expected):
    result = find({"collection": "messages", "filter": condition}, AS_ALICE)
    assert contents(result) == expected


def test_it_compares_numbers_and_dates(tool_calls):
    slow = find({"collection": "tool_calls", "filter": {"latency_ms": {"$gte": 20}}}, AS_ALICE)
    assert slow["count"] == 2
    fast = find({"collection": "tool_calls", "filter": {"latency_ms": {"$lt": 20}}}, AS_ALICE)
    assert fast["count"] == 1
    recent = {"timestamp": {"$gt": "2000-01-01T00:00:00Z", "$lte": "2999-01-01"}}
    assert find({"collection": "tool_calls", "filter": recent}, AS_ALICE)["count"] == 3


def test_it_filters_on_missing_values_with_exists(metrics):
    query = {"collection": "metrics", "filter": {"ttft_ms": {"$exists": False}}}
    assert [doc["total_time_ms"] for doc in find(query, AS_ALICE)["documents"]] == [600.0]


def test_it_sorts_limits_and_projects(tool_calls):
    args = {
        "collection": "tool_calls",
        "sort": [["latency_ms", -1]],
        "limit": 2,
        "fields": ["latency_ms"],
    }
    result = find(args, AS_ALICE)
    assert [set(doc) for doc in result["documents"]] == [{"id", "latency_ms"}] * 2
    assert [doc["latency_ms"] for doc in result["documents"]] == [30.0, 20.0]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"collection": "auth_user"}, "not available"),
        ({"collection": "suggestions"}, "not available"),
        ({"collection": "messages", "limit": 51}, "between 1 and 50"),
        ({"collection": "messages", "filter": {"$where": "true"}}, "$where"),
        ({"collection": "messages", "filter": {"$expr": {"$eq": [1, 1]}}}, "$expr"),
        ({"collection": "messages", "filter": {"password": "x"}}, "unknown field"),
        ({"collection": "messages", "projection": {"content": 1}}, "does not accept projection"),
        ({"collection": "messages", "userId": BOB}, "userId"),
    ],
)
def test_it_refuses_calls_outside_the_subset(alice_session, args, reason):
    outcome = run("db.find", args, AS_ALICE)
    assert not outcome.ok
    assert reason in outcome.error


def test_it_inserts_a_note_for_the_caller_only(alice_session):
    document = {"content": "  Prefers short answers ", "tags": ["preference"]}
    result = insert({"collection": "notes", "document": document}, AS_ALICE)
    note = Note.objects.get(pk=result["insertedId"])
    assert (note.user_id, note.session_id) == (ALICE, "alice-s1")
    assert (note.content, note.tags) == ("Prefers short answers", ["preference"])
    as_bob = ToolContext(user_id=BOB, session_id="bob-s1")
    assert find({"collection": "notes"}, as_bob)["count"] == 0
    assert contents(find({"collection": "notes"}, AS_ALICE)) == ["Prefers short answers"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"collection": "messages", "document": {"content": "hi"}}, "only to notes"),
        ({"collection": "notes", "document": {"content": "hi", "userId": BOB}}, "userId"),
        ({"collection": "notes", "document": {"content": "hi", "pinned": True}}, "pinned"),
        ({"collection": "notes", "document": {"content": "hi"}, "upsert": True}, "upsert"),
        ({"collection": "notes", "document": {"content": "   "}}, "non-empty"),
        ({"collection": "notes", "document": {"content": "x" * 2001}}, "2000"),
        ({"collection": "notes", "document": {"content": "hi", "tags": ["t"] * 11}}, "tags"),
        ({"collection": "notes", "document": {"content": "hi", "tags": [3]}}, "tag"),
        ({"collection": "notes", "document": "remember this"}, "document"),
    ],
)
def test_it_refuses_inserts_outside_the_notes_contract(alice_session, args, reason):
    outcome = run("db.insert", args, AS_ALICE)
    assert not outcome.ok
    assert reason in outcome.error
    assert not Note.objects.exists()


def test_it_counts_messages_grouped_by_role(alice_session, bob_session):
    result = aggregate({"collection": "messages", "group_by": "role", "op": "count"}, AS_ALICE)
    assert result["groups"] == [{"key": "assistant", "value": 1}, {"key": "user", "value": 1}]


@pytest.mark.parametrize(("op", "value"), [("sum", 60.0), ("avg", 20.0), ("min", 10.0)])
def test_it_aggregates_a_numeric_field_of_tool_calls(tool_calls, op, value):
    args = {"collection": "tool_calls", "op": op, "field": "latency_ms"}
    assert aggregate(args, AS_ALICE) == {"groups": [{"key": None, "value": value}]}


def test_it_groups_the_max_by_tool(tool_calls):
    args = {"collection": "tool_calls", "op": "max", "field": "latency_ms", "group_by": "tool"}
    assert aggregate(args, AS_ALICE)["groups"] == [
        {"key": "db.aggregate", "value": 30.0},
        {"key": "db.find", "value": 20.0},
    ]


def test_it_never_shows_bobs_metrics_to_alice(metrics):
    args = {"collection": "metrics", "op": "max", "field": "total_time_ms"}
    assert aggregate(args, AS_ALICE)["groups"] == [{"key": None, "value": 600.0}]
    count = aggregate({"collection": "metrics", "op": "count", "group_by": "sessionId"}, AS_ALICE)
    assert count["groups"] == [{"key": "alice-s1", "value": 2}]
    assert (
        find({"collection": "metrics", "filter": {"sessionId": "bob-s1"}}, AS_ALICE)["count"] == 0
    )


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"collection": "messages", "op": "avg", "field": "content"}, "not numeric"),
        ({"collection": "messages", "op": "sum"}, "needs a numeric field"),
        ({"collection": "messages", "op": "median", "field": "timestamp"}, "op must be"),
        (
            {"collection": "messages", "op": "count", "group_by": "content"},
            "cannot be used to group",
        ),
        ({"collection": "messages", "op": "count", "group_by": "userId"}, "userId"),
        ({"collection": "messages", "op": "count", "pipeline": []}, "does not accept pipeline"),
    ],
)
def test_it_refuses_aggregates_outside_the_subset(alice_session, args, reason):
    outcome = run("db.aggregate", args, AS_ALICE)
    assert not outcome.ok
    assert reason in outcome.error


def test_run_tool_times_a_successful_call(alice_session):
    outcome = run("db.find", {"collection": "messages"}, AS_ALICE)
    assert outcome.ok and outcome.error is None
    assert outcome.result["count"] == 2
    assert outcome.latency_ms >= 0 and round(outcome.latency_ms, 3) == outcome.latency_ms


@pytest.mark.parametrize("args", [None, [], "find everything", {"collection": ["messages"]}])
def test_run_tool_never_raises_for_bad_arguments(alice_session, args):
    outcome = run("db.find", args, AS_ALICE)
    assert not outcome.ok and outcome.error


def test_run_tool_refuses_an_unknown_tool(db):
    outcome = run("db.drop", {"collection": "messages"}, AS_ALICE)
    assert not outcome.ok
    assert "unknown tool" in outcome.error and set(TOOLS) == {
        "db.find",
        "db.insert",
        "db.aggregate",
    }


def test_run_tool_reports_a_database_failure_without_details(alice_session, caplog):
    def broken_database(execute, sql, params, many, context):
        raise OperationalError("disk I/O error")

    with connection.execute_wrapper(broken_database):
        outcome = run("db.find", {"collection": "messages"}, AS_ALICE)
    assert not outcome.ok
    assert outcome.error == DATABASE_ERROR
    assert "disk I/O error" in caplog.text


CATASTROPHIC = ["(a+)+$", "((a+))+$", "(a|aa)+$", "(a|a?)+b$", "a*a*a*a*a*a*a*a*b", "(.*a){20}$"]
"""Patterns that Python's `re` takes hours over 60 a's and an x; RE2 runs them in linear time."""


def finishes(work, seconds: float = 30.0):
    """Run `work` in a thread; return its result, failing if it has not finished in `seconds`."""
    done: list = []

    def run() -> None:
        try:
            done.append(work())
        finally:
            connections.close_all()  # this thread's connection, not left to the collector

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, "the query did not finish: the regex backtracked"
    return done[0]


@pytest.mark.django_db(transaction=True)  # the query runs on another thread's connection
@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_pattern_that_backtracks_in_python_runs_on_re2_over_a_long_message(
    alice_session, pattern
):
    Message.objects.create(
        session=alice_session, user_id=ALICE, role="user", content="a" * 60 + "x"
    )
    for options in ("", "i"):
        query = {"content": {"$regex": pattern, "$options": options}}
        result = finishes(lambda q=query: find({"collection": "messages", "filter": q}, AS_ALICE))
        assert result["count"] == 0, "nothing ends in a's (and b never appears)"


def test_word_boundaries_and_named_groups_mean_the_same_on_every_backend(alice_session):
    query = {"content": {"$regex": r"\bmy (?P<what>\w+ )?name\b", "$options": "i"}}
    assert contents(find({"collection": "messages", "filter": query}, AS_ALICE)) == [
        "My name is Alice"
    ]
    query = {"content": {"$regex": r"\bam\b"}}  # "name" holds "am", but not as a word
    assert find({"collection": "messages", "filter": query}, AS_ALICE)["count"] == 0


def test_re2_keeps_the_meaning_of_the_regex_lookups(alice_session):
    query = {"content": {"$regex": "^my NAME", "$options": "i"}}
    assert contents(find({"collection": "messages", "filter": query}, AS_ALICE)) == [
        "My name is Alice"
    ]
    query = {"content": {"$regex": "[Aa]lice\\.?$"}}
    assert len(find({"collection": "messages", "filter": query}, AS_ALICE)["documents"]) == 2


@pytest.mark.parametrize(
    "args",
    [
        {"collection": "messages", "filter": {f"k{n}": n for n in range(400_000)}},
        {"collection": "messages", "filter": {"$or": [{"role": "user"}] * 5000}},
        {"collection": "notes", "document": {"content": "x" * 50_000}},
        {"collection": "messages", "deep": [[[[[[[[[[["x"] * 30] * 30]]]]]]]]]},
    ],
    ids=["400k-keys", "5000-items", "50k-chars", "wide-and-deep"],
)
def test_oversized_arguments_are_refused_and_stored_and_announced_bounded(alice_session, args):
    outcome = run("db.insert" if "document" in args else "db.find", args, AS_ALICE)
    assert not outcome.ok and "arguments too large" in outcome.error
    rendered = json.dumps(outcome.args)
    assert len(rendered) < 10_000, "the outcome keeps a bounded rendering of the arguments"
    assert len(json.dumps(shorten(args))) < 10_000, "what the event streams is bounded too"


def test_arguments_within_the_bounds_run():
    assert check_size({"collection": "messages", "filter": {"role": "user"}, "limit": 5}) is None
