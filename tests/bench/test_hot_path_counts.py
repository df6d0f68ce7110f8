"""Labels of SQL statements in the hot-path counts."""

from __future__ import annotations

from bench.studies.hot_path_counts import name_of, statement_label


def test_statements_are_labelled_by_verb_and_table():
    assert statement_label('SELECT "messages"."_id" FROM "messages" WHERE 1') == "SELECT messages"
    assert statement_label('INSERT INTO "tool_calls" ("_id") VALUES (%s)') == "INSERT tool_calls"
    assert statement_label('UPDATE "sessions" SET "updatedAt" = %s') == "UPDATE sessions"
    assert statement_label("BEGIN") == "BEGIN"
    assert statement_label('SAVEPOINT "s1_x1"') == "SAVEPOINT"


def test_callables_are_named_without_their_repr():
    class Loud:
        def __repr__(self) -> str:
            raise AssertionError("repr must not be called")

    assert name_of(Loud()) == "Loud"
    assert name_of(statement_label) == "statement_label"
