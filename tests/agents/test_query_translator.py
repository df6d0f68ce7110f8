"""The MongoDB-subset translator, checked without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import Q

from agents.tools.base import ToolRefused
from agents.tools.collections import COLLECTIONS, get_collection
from agents.tools.patterns import for_database
from agents.tools.query import (
    DEFAULT_LIMIT,
    translate_fields,
    translate_filter,
    translate_limit,
    translate_sort,
)

MESSAGES = COLLECTIONS["messages"]
TOOL_CALLS = COLLECTIONS["tool_calls"]
NOTES = COLLECTIONS["notes"]


def refused(call, *args) -> str:
    with pytest.raises(ToolRefused) as caught:
        call(*args)
    return str(caught.value)


def test_it_treats_a_missing_filter_as_everything_of_the_caller():
    assert translate_filter(None, MESSAGES) == Q()
    assert translate_filter({}, MESSAGES) == Q()


def test_it_maps_readable_names_to_orm_fields_with_implicit_eq():
    assert translate_filter({"sessionId": "s1"}, MESSAGES) == Q(session_id="s1")
    assert translate_filter({"role": {"$eq": "user"}}, MESSAGES) == Q(role="user")


def test_it_translates_ne_as_a_negation():
    assert translate_filter({"role": {"$ne": "user"}}, MESSAGES) == ~Q(role="user")


@pytest.mark.parametrize(
    ("op", "lookup"), [("$gt", "gt"), ("$gte", "gte"), ("$lt", "lt"), ("$lte", "lte")]
)
def test_it_translates_comparisons(op, lookup):
    query = translate_filter({"latency_ms": {op: 12.5}}, TOOL_CALLS)
    assert query == Q(**{f"latency_ms__{lookup}": 12.5})


def test_it_combines_several_operators_on_one_field_with_and():
    query = translate_filter({"timestamp": {"$gt": 1, "$lt": 5}}, MESSAGES)
    assert query == Q(timestamp__gt=1) & Q(timestamp__lt=5)


def test_it_translates_in_and_nin():
    assert translate_filter({"role": {"$in": ["user"]}}, MESSAGES) == Q(role__in=["user"])
    assert translate_filter({"role": {"$nin": ["user"]}}, MESSAGES) == ~Q(role__in=["user"])


def test_it_matches_null_in_an_in_list_as_missing():
    query = translate_filter({"sessionId": {"$in": ["s1", None]}}, MESSAGES)
    assert query == Q(session_id__in=["s1"]) | Q(session_id__isnull=True)


def test_it_translates_exists_and_null_equality():
    assert translate_filter({"sessionId": {"$exists": True}}, NOTES) == Q(session_id__isnull=False)
    assert translate_filter({"sessionId": None}, NOTES) == Q(session_id__isnull=True)


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "((a+))+$", "(a|aa)+$", "(a|a?)+$", "a*a*a*a*a*a*a*b", "(.*a){12}$", "(\\w+\\s?)+$"],
)
def test_patterns_that_backtrack_for_ever_in_python_are_accepted_for_re2(pattern):
    # RE2 runs them in linear time (tests/agents/test_db_tools.py runs them over messages).
    query = translate_filter({"content": {"$regex": pattern}}, MESSAGES)
    assert query == Q(content__regex=pattern)


def test_it_translates_regex_with_optional_case_insensitivity():
    assert translate_filter({"content": {"$regex": "^My"}}, MESSAGES) == Q(content__regex="^My")
    query = translate_filter({"content": {"$regex": "ali.e", "$options": "i"}}, MESSAGES)
    assert query == Q(content__iregex="ali.e")


def test_a_case_insensitive_plain_ascii_word_is_a_like_not_a_regex():
    query = translate_filter({"content": {"$regex": "alice", "$options": "i"}}, MESSAGES)
    assert query == Q(content__icontains="alice")
    escaped = translate_filter({"content": {"$regex": "Server\\-Sent", "$options": "i"}}, MESSAGES)
    assert escaped == Q(content__icontains="Server-Sent")
    for pattern in ("caf\u00e9", "^alice", "a.b", "\\d+"):
        query = translate_filter({"content": {"$regex": pattern, "$options": "i"}}, MESSAGES)
        assert query == Q(content__iregex=pattern), pattern


def test_it_translates_and_or_lists():
    query = translate_filter({"$or": [{"role": "user"}, {"$and": [{"timestamp": 1}]}]}, MESSAGES)
    assert query == Q(role="user") | Q(timestamp=1)


def test_it_parses_iso_dates_as_utc_datetimes():
    query = translate_filter({"createdAt": {"$gte": "2024-05-01"}}, MESSAGES)
    assert query == Q(created_at__gte=datetime(2024, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize("operator", ["$where", "$expr", "$function", "$nor", "$text"])
def test_it_refuses_top_level_operators_outside_the_subset(operator):
    assert operator in refused(translate_filter, {operator: "1 == 1"}, MESSAGES)


@pytest.mark.parametrize("operator", ["$elemMatch", "$where", "$size", "$type"])
def test_it_refuses_field_operators_outside_the_subset(operator):
    assert operator in refused(translate_filter, {"role": {operator: 1}}, MESSAGES)


def test_it_refuses_any_mention_of_user_id():
    reason = refused(translate_filter, {"$or": [{"userId": "bob"}]}, MESSAGES)
    assert "userId" in reason and "server-side" in reason


def test_it_refuses_unknown_and_dotted_fields():
    assert "unknown field 'password'" in refused(translate_filter, {"password": "x"}, MESSAGES)
    assert "metadata.secret" in refused(translate_filter, {"metadata.secret": 1}, MESSAGES)


def test_it_refuses_values_of_the_wrong_kind():
    assert "number" in refused(translate_filter, {"timestamp": "soon"}, MESSAGES)
    assert "not an object" in refused(translate_filter, {"role": {"first": "user"}}, MESSAGES)
    refused(translate_filter, {"role": ["user"]}, MESSAGES)
    refused(translate_filter, {"ok": "yes"}, TOOL_CALLS)
    refused(translate_filter, {"createdAt": "last tuesday"}, MESSAGES)


def test_it_refuses_filters_on_returned_only_fields():
    assert "cannot be used to filter" in refused(translate_filter, {"tags": "x"}, NOTES)


def test_it_bounds_nesting_depth():
    deep = {"$and": [{"$or": [{"$and": [{"role": "user"}]}]}]}
    assert "3 levels" in refused(translate_filter, deep, MESSAGES)
    assert translate_filter({"$and": [{"$or": [{"role": "user"}]}]}, MESSAGES) == Q(role="user")


def test_it_bounds_list_sizes():
    assert "at most 50" in refused(translate_filter, {"role": {"$in": ["user"] * 51}}, MESSAGES)
    refused(translate_filter, {"$or": []}, MESSAGES)
    refused(translate_filter, {"$or": {"role": "user"}}, MESSAGES)


def test_it_refuses_long_regexes_and_those_re2_cannot_run():
    assert "200" in refused(translate_filter, {"content": {"$regex": "a" * 201}}, MESSAGES)
    assert "RE2" in refused(translate_filter, {"content": {"$regex": "(unclosed"}}, MESSAGES)
    assert "RE2" in refused(translate_filter, {"content": {"$regex": r"(a)\1"}}, MESSAGES)
    assert "RE2" in refused(translate_filter, {"content": {"$regex": "a(?=b)"}}, MESSAGES)
    refused(translate_filter, {"content": {"$regex": "a", "$options": "s"}}, MESSAGES)
    refused(translate_filter, {"content": {"$options": "i"}}, MESSAGES)
    refused(translate_filter, {"timestamp": {"$regex": "1"}}, MESSAGES)


def test_it_translates_sort_as_a_dict_or_a_list_of_pairs():
    assert translate_sort({"createdAt": -1}, MESSAGES) == ["-created_at"]
    assert translate_sort([["role", 1], ["timestamp", -1]], MESSAGES) == ["role", "-timestamp"]
    assert translate_sort(None, MESSAGES) == []


def test_it_refuses_bad_sorts():
    assert "cannot be used to sort" in refused(translate_sort, {"content": 1}, MESSAGES)
    assert "1 or -1" in refused(translate_sort, {"createdAt": "desc"}, MESSAGES)
    refused(translate_sort, {"createdAt": True}, MESSAGES)
    refused(translate_sort, "createdAt", MESSAGES)
    refused(translate_sort, {"userId": 1}, MESSAGES)


def test_it_defaults_and_bounds_the_limit():
    assert translate_limit(None) == DEFAULT_LIMIT
    assert translate_limit(50) == 50


@pytest.mark.parametrize("limit", [0, -1, 51, 1000, 2.5, "10", True])
def test_it_refuses_limits_out_of_range_instead_of_clamping(limit):
    refused(translate_limit, limit)


def test_it_always_projects_the_id_first():
    assert translate_fields(["content", "id"], MESSAGES) == ["id", "content"]
    assert translate_fields(None, NOTES) == ["id", "sessionId", "content", "tags", "createdAt"]
    refused(translate_fields, [], MESSAGES)
    refused(translate_fields, ["userId"], MESSAGES)


def test_it_refuses_collections_off_the_allow_list():
    assert "collections:" in refused(get_collection, "auth_user")
    refused(get_collection, None)


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        (r"\bmy (\w+ )?colou?r\b", r"\ymy (\w+ )?colou?r\y"),
        (r"\Bness\z", r"\Yness\Z"),
        (r"(?P<word>\w+) (?<other>\d)", r"(\w+) (\d)"),
        (r"[\b\d]x", r"[\b\d]x"),
        (r"[]\b]", r"[]\b]"),
        (r"a\\b", r"a\\b"),
    ],
)
def test_postgresql_reads_an_re2_pattern_in_its_own_spelling(pattern, spelled):
    assert for_database(pattern, "postgresql") == spelled
    assert for_database(pattern, "sqlite") == pattern
