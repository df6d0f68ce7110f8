"""The console's figures read the same in every locale: grouped thousands, fitting units."""

from __future__ import annotations

import pytest

from console.figures import compact, grouped, milliseconds


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [(1_672_618, 0, "1,672,618"), (999, 0, "999"), (1234.56, 1, "1,234.6"), (None, 0, "—")],
)
def test_figures_are_grouped_by_thousands(value, decimals, shown):
    assert grouped(value, decimals) == shown


@pytest.mark.parametrize(
    ("ms", "shown"),
    [(842.14, "842.1 ms"), (12_400, "12.4 s"), (200_000, "3.3 min"), (7_200_000, "2.0 h")],
)
def test_durations_take_the_unit_that_reads_best(ms, shown):
    assert milliseconds(ms) == shown


def test_chart_labels_are_compact():
    assert [compact(v) for v in (950, 2.5, 12_000.0, 1_672_618)] == ["950", "2.5", "12k", "1.67M"]
