"""Numbers as the console shows them to people: grouped thousands and units, in any locale.

Grouping is always `1,672,618` (a comma every three digits, a point before decimals),
whatever the server's or browser's locale, so that figures read the same in every screenshot,
log excerpt and bug report.
"""

from __future__ import annotations

from decimal import Decimal

MISSING = "—"


def grouped(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """`value` with its thousands grouped by commas and `decimals` decimals ("—" when None)."""
    if value is None:
        return MISSING
    return f"{float(value):,.{decimals}f}" if decimals else f"{round(value):,}"


def milliseconds(value: float | None) -> str:
    """A duration in milliseconds, in the unit that reads best ("842.1 ms", "12.4 s", "3.2 min")."""
    if value is None:
        return MISSING
    if abs(value) < 1_000:
        return f"{grouped(value, 1)} ms"
    if abs(value) < 60_000:
        return f"{grouped(value / 1_000, 1)} s"
    if abs(value) < 3_600_000:
        return f"{grouped(value / 60_000, 1)} min"
    return f"{grouped(value / 3_600_000, 1)} h"


def compact(value: float | int) -> str:
    """A chart's figure in few characters: 950, 1.2k, 3.4M (axis labels and column values)."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:g}" if isinstance(value, float) else str(value)
