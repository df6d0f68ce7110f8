"""Issue #11's targets: pipeline ÷ bare ratios, absolute limits, PASS/MISS, medians of repeats.

Pure functions over the rows of `bench.common.report`; nothing here starts a server or reads /proc.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bench.common.report import LevelStats, cpu_per_request

CPU_RATIO_LIMIT = 4.0
TTFT_RATIO_LIMIT = 5.0
THROUGHPUT_RATIO_LIMIT = 0.35
STRESS_RSS_LIMIT_MIB = 160.0
CONTEXT_RATIO_LIMIT = 1.2
"""Flat context cost: a chat with 100k stored messages costs at most 1.2× one with 100."""
RECALL_P95_LIMIT_MS = 5.0
"""Recall over 10,000 memories of one user (1M in the table) adds at most 5 ms CPU to a run."""
EMBED_LIMIT_MS = 0.2
"""The built-in embedder: at most 0.2 ms CPU per item."""
MEMORY_RATIO_LIMIT = 1.1
"""Memory on costs at most 10 % more CPU per chat than memory off."""
NOISY_OTHERS = 0.2
"""Cores busy with other processes above which a row's latency and throughput are suspect."""


@dataclass(frozen=True)
class Check:
    """One target: the measured figure, its reference, the compared value and the verdict."""

    name: str
    measured: float | None
    """The pipeline's figure (or the 100k-message session's, for the context check)."""
    reference: float | None
    """The bare floor's figure (or the 100-message session's); None for absolute limits."""
    value: float | None
    """What is compared with `limit`: measured ÷ reference, or `measured` itself."""
    limit: float
    at_most: bool
    """True: value ≤ limit passes; False: value ≥ limit passes."""
    others: float | None = None
    """Largest load of other processes (cores) over the rows behind this check."""
    digits: int = 2
    """Decimals to print the figures with."""
    absolute: bool = False
    """True: `value` is the measured figure itself, not a ratio."""
    load_sensitive: bool = False
    """True for latency and throughput: other load on the machine distorts them."""

    @property
    def noisy(self) -> bool:
        """Whether other processes were busy enough to make this figure unreliable."""
        return self.others is not None and self.others > NOISY_OTHERS

    @property
    def verdict(self) -> str:
        """PASS or MISS, "?" added for a load-sensitive figure of a busy run; n/a if unknown."""
        if self.value is None:
            return "n/a"
        verdict = "PASS" if passes(self.value, self.limit, at_most=self.at_most) else "MISS"
        return verdict + "?" if self.load_sensitive and self.noisy else verdict


def passes(value: float, limit: float, *, at_most: bool) -> bool:
    """Whether `value` meets `limit` (≤ when `at_most`, else ≥)."""
    return value <= limit if at_most else value >= limit


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator ÷ denominator, or None when either is unknown or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def median(values: Iterable[float | None]) -> float | None:
    """Median of the known values (None when there are none)."""
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def largest(values: Iterable[float | None]) -> float | None:
    """The largest known value (None when there are none)."""
    return max((value for value in values if value is not None), default=None)


def busiest(rows: Iterable[LevelStats]) -> float | None:
    """The largest `others` of `rows` (None when none was measured)."""
    return largest(row.other_cores for row in rows)


def at_level(rows: Sequence[LevelStats], concurrency: int) -> LevelStats | None:
    """The row of `rows` at `concurrency` streams in flight, if measured."""
    return next((row for row in rows if row.concurrency == concurrency), None)


def ratio_check(
    name: str,
    pipeline: LevelStats | None,
    bare: LevelStats | None,
    field: str,
    *,
    limit: float,
    at_most: bool,
) -> Check:
    """Compare one figure (`field` of LevelStats) of the pipeline with the bare floor's."""
    measured = getattr(pipeline, field) if pipeline else None
    reference = getattr(bare, field) if bare else None
    others = busiest([row for row in (pipeline, bare) if row is not None])
    value = ratio(measured, reference)
    return Check(name, measured, reference, value, limit, at_most, others, load_sensitive=True)


def speed_checks(
    pipeline: Sequence[LevelStats], bare: Sequence[LevelStats], *, stress: int | None
) -> list[Check]:
    """The three ratios: CPU per chat (levels below `stress`), TTFT p50 at 1, req/s at 32."""
    main_p = [row for row in pipeline if row.concurrency != stress]
    main_b = [row for row in bare if row.concurrency != stress]
    levels = ",".join(str(row.concurrency) for row in main_p)
    cpu_p, cpu_b = cpu_per_request(main_p), cpu_per_request(main_b)
    return [
        Check(
            f"server CPU per chat, ms (levels {levels})",
            cpu_p,
            cpu_b,
            ratio(cpu_p, cpu_b),
            CPU_RATIO_LIMIT,
            True,
            busiest([*main_p, *main_b]),
        ),
        ratio_check(
            "TTFT p50 at 1 in flight, ms",
            at_level(pipeline, 1),
            at_level(bare, 1),
            "ttft_p50",
            limit=TTFT_RATIO_LIMIT,
            at_most=True,
        ),
        ratio_check(
            "throughput at 32 in flight, req/s",
            at_level(pipeline, 32),
            at_level(bare, 32),
            "per_second",
            limit=THROUGHPUT_RATIO_LIMIT,
            at_most=False,
        ),
    ]


def stress_checks(
    pipeline: Sequence[LevelStats], bare: Sequence[LevelStats], stress: int
) -> list[Check]:
    """No errors and peak RSS ≤ the limit at `stress` in flight (the bare figures beside)."""
    row, floor = at_level(pipeline, stress), at_level(bare, stress)
    others = busiest([r for r in (row, floor) if r is not None])
    errors = float(row.errors) if row else None
    rss = row.rss_peak_mib if row else None
    return [
        Check(f"errors at {stress} in flight", errors, None, errors, 0.0, True, others, 0, True),
        Check(
            f"peak RSS at {stress} in flight, MiB",
            rss,
            floor.rss_peak_mib if floor else None,
            rss,
            STRESS_RSS_LIMIT_MIB,
            True,
            others,
            1,
            True,
        ),
    ]


def context_check(
    large: float | None,
    small: float | None,
    *,
    large_count: int,
    small_count: int,
    others: float | None = None,
) -> Check:
    """CPU per chat in a session of `large_count` stored messages ÷ one of `small_count`."""
    return Check(
        f"context cost: CPU/chat {large_count:,} ÷ {small_count:,} stored msgs",
        large,
        small,
        ratio(large, small),
        CONTEXT_RATIO_LIMIT,
        True,
        others,
    )


def median_checks(runs: Sequence[Sequence[Check]]) -> list[Check]:
    """Fold the checks of repeated runs into one list: the median of each figure.

    The verdict is on the median of the compared values (not on the ratio of medians); the
    `others` shown is the largest of the runs, so one noisy run stays visible.
    """
    if not runs:
        return []
    folded = []
    for column in zip(*runs, strict=True):
        first = column[0]
        folded.append(
            replace(
                first,
                measured=median(c.measured for c in column),
                reference=median(c.reference for c in column),
                value=median(c.value for c in column),
                others=largest(c.others for c in column),
            )
        )
    return folded


def number(value: float | None, digits: int = 2) -> str:
    """Format a figure, "-" when unknown."""
    return "-" if value is None else f"{value:.{digits}f}"


def limit_text(check: Check) -> str:
    """Return the target as text, e.g. `≤ 4.00` or `≥ 0.35`."""
    return f"{'≤' if check.at_most else '≥'} {number(check.limit, check.digits)}"


def format_checks(
    checks: Sequence[Check],
    *,
    runs: int,
    title: str = "issue #11 targets",
    reference: str = "floor",
) -> list[str]:
    """The summary table: one line per target with PASS/MISS, then a note on noisy runs."""
    title += f" (median of {runs} runs)" if runs > 1 else " (one run)"
    header = f"{title:<50} {'measured':>9} {reference:>9} {'value':>7} {'target':>7} verdict others"
    lines = [header]
    for check in checks:
        absolute = number(check.value, check.digits) + " "
        value = absolute if check.absolute or check.value is None else f"{number(check.value)}×"
        lines.append(
            f"{check.name:<50} {number(check.measured, check.digits):>9} "
            f"{number(check.reference, check.digits):>9} {value:>7} {limit_text(check):>7} "
            f"{check.verdict:<7} {number(check.others):>6}"
        )
    noisy = [check.name.split(", ")[0] for check in checks if check.noisy]
    if noisy:
        lines.append(
            f"NOISY: other processes kept > {NOISY_OTHERS} cores busy during: {'; '.join(noisy)}. "
            "CPU figures hold under load; latency and throughput (marked ?) do not: rerun."
        )
    lines.append(conclusion(checks))
    return lines


def conclusion(checks: Sequence[Check]) -> str:
    """The last line: all met, or how many were missed and how many are unreliable."""
    if all(check.verdict == "PASS" for check in checks):
        return "ALL TARGETS MET"
    missed = sum(check.verdict.startswith(("MISS", "n/a")) for check in checks)
    unsure = sum(check.verdict.endswith("?") for check in checks)
    text = f"{missed} of {len(checks)} targets missed"
    return text + (f"; {unsure} verdict(s) unreliable (busy machine)" if unsure else "")
