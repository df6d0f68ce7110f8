"""Translate the documented subset of MongoDB's query language into Django `Q` objects.

Only portable lookups come out of here, so the same call runs on SQLite and on MongoDB.
Anything outside the subset raises `ToolRefused` with a message the model can act on.
"""

from __future__ import annotations

import math
import operator
from datetime import UTC, datetime, time
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from agents.tools.base import ToolRefused
from agents.tools.collections import CollectionSpec, FieldSpec
from agents.tools.patterns import compile_pattern, for_database

MAX_DEPTH = 3
MAX_CLAUSES = 10
MAX_KEYS = 20
MAX_LIST = 50
MAX_STRING = 1000
MAX_REGEX = 200
MAX_SORT_KEYS = 3
DEFAULT_LIMIT = 10
MAX_LIMIT = 50

LOGICAL = ("$and", "$or")
COMPARISONS = {"$gt": "gt", "$gte": "gte", "$lt": "lt", "$lte": "lte"}
FIELD_OPERATORS = ("$eq", "$ne", *COMPARISONS, "$in", "$nin", "$exists", "$regex", "$options")
ORDERED_KINDS = ("string", "number", "datetime")
REGEX_OPERATORS = frozenset(".^$*+?{}[]|()")


def translate_filter(filter_doc: Any, collection: CollectionSpec) -> Q:
    """Translate a filter document over `collection` into a `Q` (empty when no filter)."""
    if filter_doc is None:
        return Q()
    return _filter(filter_doc, collection, depth=1)


def translate_sort(sort: Any, collection: CollectionSpec) -> list[str]:
    """Translate `{"field": 1|-1}` or `[[field, 1|-1], …]` into `order_by` arguments."""
    if sort is None:
        return []
    pairs = _sort_pairs(sort)
    if len(pairs) > MAX_SORT_KEYS:
        raise ToolRefused(f"sort takes at most {MAX_SORT_KEYS} fields")
    order = []
    for name, direction in pairs:
        spec = collection.field(name, "sort")
        if isinstance(direction, bool) or direction not in (1, -1):
            raise ToolRefused(f"sort direction of {name} must be 1 or -1, not {direction!r}")
        order.append(spec.orm if direction == 1 else f"-{spec.orm}")
    return order


def translate_limit(limit: Any) -> int:
    """Return the validated limit: default 10; anything but an integer in 1..50 is refused."""
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ToolRefused(f"limit must be an integer, not {limit!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ToolRefused(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def translate_fields(fields: Any, collection: CollectionSpec) -> list[str]:
    """Return the readable fields to return: `id` plus those listed, or all when none are."""
    if fields is None:
        return list(collection.fields)
    if not isinstance(fields, list) or not fields:
        raise ToolRefused("fields must be a non-empty list of field names")
    for name in fields:
        collection.field(name, "return")
    return ["id", *dict.fromkeys(name for name in fields if name != "id")]


def _sort_pairs(sort: Any) -> list[tuple[Any, Any]]:
    if isinstance(sort, dict):
        return list(sort.items())
    if isinstance(sort, list) and all(
        isinstance(pair, list | tuple) and len(pair) == 2 for pair in sort
    ):
        return [tuple(pair) for pair in sort]
    raise ToolRefused('sort must be {"field": 1|-1} or a list of [field, 1|-1] pairs')


def _filter(doc: Any, collection: CollectionSpec, depth: int) -> Q:
    if not isinstance(doc, dict):
        raise ToolRefused(f"a filter must be an object, not {type(doc).__name__}")
    if depth > MAX_DEPTH:
        raise ToolRefused(f"filters nest at most {MAX_DEPTH} levels deep")
    if len(doc) > MAX_KEYS:
        raise ToolRefused(f"a filter takes at most {MAX_KEYS} keys")
    query = Q()
    for key, condition in doc.items():
        query &= _clause(key, condition, collection, depth)
    return query


def _clause(key: Any, condition: Any, collection: CollectionSpec, depth: int) -> Q:
    if key in LOGICAL:
        return _logical(key, condition, collection, depth)
    if isinstance(key, str) and key.startswith("$"):
        raise ToolRefused(f"operator {key} is not allowed; top-level operators: $and, $or")
    return _condition(key, collection.field(key, "filter"), condition)


def _logical(key: str, clauses: Any, collection: CollectionSpec, depth: int) -> Q:
    if not isinstance(clauses, list) or not 1 <= len(clauses) <= MAX_CLAUSES:
        raise ToolRefused(f"{key} takes a list of 1 to {MAX_CLAUSES} filters")
    parts = [_filter(clause, collection, depth + 1) for clause in clauses]
    return reduce(operator.and_ if key == "$and" else operator.or_, parts)


def _condition(name: str, spec: FieldSpec, condition: Any) -> Q:
    if not isinstance(condition, dict):
        return _equals(spec, _scalar(name, spec, condition))
    if not condition:
        raise ToolRefused(f"the condition on {name} has no operator")
    if "$options" in condition and "$regex" not in condition:
        raise ToolRefused(f"$options on {name} needs a $regex")
    query = Q()
    for op, operand in condition.items():
        if not str(op).startswith("$"):
            raise ToolRefused(f"{name} compares with a {_describe(spec)}, not an object")
        if op not in FIELD_OPERATORS:
            raise ToolRefused(
                f"operator {op} is not allowed on {name}; operators: {', '.join(FIELD_OPERATORS)}"
            )
        if op != "$options":
            query &= _operator(name, spec, op, operand, condition.get("$options"))
    return query


def _operator(name: str, spec: FieldSpec, op: str, operand: Any, options: Any) -> Q:
    if op == "$eq":
        return _equals(spec, _scalar(name, spec, operand))
    if op == "$ne":
        return ~_equals(spec, _scalar(name, spec, operand))
    if op in COMPARISONS:
        return _comparison(name, spec, op, operand)
    if op == "$in":
        return _in(name, spec, op, operand)
    if op == "$nin":
        return ~_in(name, spec, op, operand)
    if op == "$exists":
        if not isinstance(operand, bool):
            raise ToolRefused(f"$exists on {name} takes true or false")
        return Q(**{f"{spec.orm}__isnull": not operand})
    return _regex(name, spec, operand, options)


def _equals(spec: FieldSpec, value: Any) -> Q:
    if value is None:
        return Q(**{f"{spec.orm}__isnull": True})
    return Q(**{spec.orm: value})


def _comparison(name: str, spec: FieldSpec, op: str, operand: Any) -> Q:
    if spec.kind not in ORDERED_KINDS:
        raise ToolRefused(f"{op} does not apply to {name}, a {spec.kind}")
    value = _scalar(name, spec, operand)
    if value is None:
        raise ToolRefused(f"{op} on {name} needs a value, not null")
    return Q(**{f"{spec.orm}__{COMPARISONS[op]}": value})


def _in(name: str, spec: FieldSpec, op: str, operand: Any) -> Q:
    if not isinstance(operand, list) or len(operand) > MAX_LIST:
        raise ToolRefused(f"{op} on {name} takes a list of at most {MAX_LIST} values")
    values = [_scalar(name, spec, item) for item in operand]
    query = Q(**{f"{spec.orm}__in": [value for value in values if value is not None]})
    if None in values:
        query |= Q(**{f"{spec.orm}__isnull": True})
    return query


def _regex(name: str, spec: FieldSpec, pattern: Any, options: Any) -> Q:
    if spec.kind != "string":
        raise ToolRefused(f"$regex does not apply to {name}, a {spec.kind}")
    if not isinstance(pattern, str) or len(pattern) > MAX_REGEX:
        raise ToolRefused(f"$regex on {name} takes a string of at most {MAX_REGEX} characters")
    if options not in (None, "", "i"):
        raise ToolRefused(f'$options on {name} may only be "i", not {options!r}')
    if options == "i" and (text := ascii_literal(pattern)) is not None:
        # The same match, as SQL LIKE: no regex engine at all for a plain word.
        return Q(**{f"{spec.orm}__icontains": text})
    try:
        compile_pattern(pattern)  # what the database will run it with (agents/tools/patterns.py)
    except ValueError as error:
        raise ToolRefused(
            f"$regex on {name} is not a pattern RE2 can run (no backreferences or "
            f"look-arounds): {error}"
        ) from None
    lookup = "iregex" if options == "i" else "regex"
    return Q(**{f"{spec.orm}__{lookup}": for_database(pattern, connection.vendor)})


def ascii_literal(pattern: str) -> str | None:
    r"""Return the text a pattern matches literally, if it is plain ASCII with no operator.

    Case-insensitive, such a pattern is `icontains` exactly (SQL LIKE folds ASCII case only,
    hence ASCII). Escaped punctuation (`re.escape`'s output) counts as literal; `\d`, `.`,
    anchors and the like do not.
    """
    text, escaped = [], False
    for char in pattern:
        if escaped:
            if char.isalnum():
                return None  # \d, \w, \b…: classes and anchors
            text.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in REGEX_OPERATORS:
            return None
        else:
            text.append(char)
    literal = "".join(text)
    return literal if literal and literal.isascii() and not escaped else None


def _scalar(name: str, spec: FieldSpec, value: Any) -> Any:
    """Check that `value` is null or a JSON scalar of the field's kind; parse datetimes."""
    if value is None:
        return None
    if spec.kind == "string" and isinstance(value, str) and len(value) <= MAX_STRING:
        return value
    if spec.kind == "number" and _is_number(value):
        return value
    if spec.kind == "boolean" and isinstance(value, bool):
        return value
    if spec.kind == "datetime" and isinstance(value, str):
        return _datetime(name, value)
    raise ToolRefused(f"{name} compares with a {_describe(spec)}, not {value!r:.60}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _describe(spec: FieldSpec) -> str:
    if spec.kind == "datetime":
        return "ISO 8601 date or datetime string"
    if spec.kind == "string":
        return f"string of at most {MAX_STRING} characters"
    return spec.kind


def _datetime(name: str, text: str) -> datetime:
    try:
        moment = parse_datetime(text)
        day = None if moment else parse_date(text)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise ToolRefused(f"{name} needs an ISO 8601 date or datetime, not {text!r:.60}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
