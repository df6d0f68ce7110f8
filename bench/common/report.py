"""Figures of a benchmark level and the tables that print them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.common.load import LevelRun, percentile
from bench.common.procstat import ProcessUsage

COLUMNS = (
    ("target", "<8"),
    ("conc", ">4"),
    ("reqs", ">5"),
    ("errs", ">5"),
    ("req/s", ">7"),
    ("ev/req", ">6"),
    ("ttft p50", ">9"),
    ("ttft p95", ">9"),
    ("total p50", ">9"),
    ("total p95", ">9"),
    ("cpu ms/req", ">10"),
    ("client cpu", ">10"),
    ("rss MiB", ">8"),
    ("hwm MiB", ">8"),
    ("others", ">6"),
)


@dataclass
class LevelStats:
    """The printed figures of one concurrency level against one server (times in ms)."""

    target: str
    concurrency: int
    requests: int
    errors: int
    per_second: float
    events: float
    ttft_p50: float | None
    ttft_p95: float | None
    total_p50: float | None
    total_p95: float | None
    cpu_ms_per_request: float | None
    client_cpu_ms_per_request: float
    rss_peak_mib: float | None
    hwm_mib: float | None
    other_cores: float | None
    """CPU cores busy with other processes than server and client, on average over the level."""
    error_kinds: Counter[str]


def summarise(target: str, level: LevelRun, usage: ProcessUsage | None) -> LevelStats:
    """Turn one level's streams and server usage into its figures."""
    ok, count = level.ok, len(level.results)
    ttfts = [r.ttft_ms for r in ok if r.ttft_ms is not None]
    totals = [r.total_ms for r in ok if r.total_ms is not None]
    return LevelStats(
        target=target,
        concurrency=level.concurrency,
        requests=count,
        errors=count - len(ok),
        per_second=len(ok) / level.seconds,
        events=sum(r.events for r in ok) / len(ok) if ok else 0.0,
        ttft_p50=percentile(ttfts, 50),
        ttft_p95=percentile(ttfts, 95),
        total_p50=percentile(totals, 50),
        total_p95=percentile(totals, 95),
        cpu_ms_per_request=usage.cpu_seconds * 1000 / count if usage else None,
        client_cpu_ms_per_request=level.client_cpu_seconds * 1000 / count,
        rss_peak_mib=usage.rss_peak_mib if usage else None,
        hwm_mib=usage.hwm_mib if usage else None,
        other_cores=other_cores(level, usage),
        error_kinds=Counter(r.error for r in level.results if r.error),
    )


def other_cores(level: LevelRun, usage: ProcessUsage | None) -> float | None:
    """Average CPU cores the rest of the machine used during the level (None if unmeasured)."""
    if usage is None:
        return None
    others = usage.machine_cpu_seconds - usage.cpu_seconds - level.client_cpu_seconds
    return max(0.0, others) / usage.wall_seconds


def cell(value: object, spec: str, digits: int = 1) -> str:
    """Format one table cell; None prints as "-", floats with `digits` decimals."""
    if value is None:
        return format("-", spec)
    if isinstance(value, float):
        return format(value, f"{spec}.{digits}f")
    return format(value, spec)


def print_table(rows: list[LevelStats]) -> None:
    """Print one line per level and target, then the errors seen, if any."""
    print("  ".join(format(name, spec) for name, spec in COLUMNS))
    for row in rows:
        values = (
            row.target,
            row.concurrency,
            row.requests,
            row.errors,
            row.per_second,
            row.events,
            row.ttft_p50,
            row.ttft_p95,
            row.total_p50,
            row.total_p95,
            row.cpu_ms_per_request,
            row.client_cpu_ms_per_request,
            row.rss_peak_mib,
            row.hwm_mib,
            row.other_cores,
        )
        print(
            "  ".join(cell(value, spec) for value, (_, spec) in zip(values, COLUMNS, strict=True))
        )
    for row in rows:
        for kind, times in row.error_kinds.most_common(5):
            print(f"  {row.target} c={row.concurrency}: {times} x {kind}")


def cpu_per_request(rows: list[LevelStats]) -> float | None:
    """Server CPU ms per request over all levels (None when it was not measured)."""
    pairs = [(r.cpu_ms_per_request, r.requests) for r in rows if r.cpu_ms_per_request is not None]
    if not pairs:
        return None
    return sum(ms * count for ms, count in pairs) / sum(count for _, count in pairs)


def difference(a: float | None, b: float | None) -> float | None:
    """Return a - b, or None when either is unknown."""
    return None if a is None or b is None else a - b


def print_overhead(pipeline: list[LevelStats], bare: list[LevelStats]) -> None:
    """Print pipeline - bare for each level, then server CPU per request over all levels."""
    print("\noverhead = pipeline - bare (ms)")
    specs = (">9", ">9", ">9", ">10")
    print(f"{'conc':>4}  {'ttft p50':>9}  {'total p50':>9}  {'total p95':>9}  {'cpu ms/req':>10}")
    for p, b in zip(pipeline, bare, strict=True):
        deltas = (
            difference(p.ttft_p50, b.ttft_p50),
            difference(p.total_p50, b.total_p50),
            difference(p.total_p95, b.total_p95),
            difference(p.cpu_ms_per_request, b.cpu_ms_per_request),
        )
        print(f"{p.concurrency:>4}  " + "  ".join(map(cell, deltas, specs)))
    pipe_cpu, bare_cpu = cpu_per_request(pipeline), cpu_per_request(bare)
    overhead = difference(pipe_cpu, bare_cpu)
    print(
        f"\nserver CPU per chat request, all levels: pipeline {cell(pipe_cpu, '', 2)} ms, "
        f"bare SSE {cell(bare_cpu, '', 2)} ms, overhead {cell(overhead, '', 2)} ms"
    )
