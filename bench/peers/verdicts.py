"""The peer benchmark's figures, tables and verdicts: pure functions over what was measured."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.common.report import LevelStats, cell
from bench.gate import verdict
from bench.peers.floor import Floor

PEER_CPU_LIMIT = {"SQLite": 0.5, "PostgreSQL": 0.7}
"""Server CPU per run through langgraph-sdk ÷ `langgraph dev`'s, by this service's database."""
THREAD_CPU_LIMIT_MS = 2.0
PROTOCOL_RATIO_LIMIT = 1.2
TTFT_RATIO_LIMIT = 0.2
THROUGHPUT_RATIO_LIMIT = 2.0
STRESS_RSS_LIMIT_MIB = 180.0
PEER = "langgraph dev"


@dataclass
class Side:
    """One server's figures: the SDK levels, thread creation and (ours) each protocol."""

    name: str
    langgraph_path: str = "/langgraph"
    rows: list[LevelStats] = field(default_factory=list)
    thread_ms: float | None = None
    """Server CPU ms per `threads.create()`, measured alone."""
    status_ms: float | None = None
    """Server CPU ms per `runs.get()` of a finished run (the SDK's read after each stream)."""
    protocols: dict[str, list[float]] = field(default_factory=dict)
    """Server CPU ms per run through each protocol's client, one figure per round."""
    errors: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    """Why runs and requests failed, with how many times (warm-up and small requests too)."""
    answer_tokens: int = 0
    database_ms: dict[str, float] = field(default_factory=dict)
    """CPU ms per run of the PostgreSQL server's processes, by level (not in the server's)."""

    def at(self, concurrency: int) -> LevelStats | None:
        """The SDK row at `concurrency` runs in flight."""
        return verdict.at_level(self.rows, concurrency)

    def failed(self, reasons: list[str]) -> None:
        """Count failures, each with its reason."""
        self.errors += len(reasons)
        for reason in reasons:
            self.failures[reason[:160]] = self.failures.get(reason[:160], 0) + 1

    @property
    def backend(self) -> str:
        """SQLite or PostgreSQL (this service's sides), from the name."""
        return self.name.rpartition(", ")[2]


HEADER = (
    f"{'server':<28} {'conc':>4} {'runs':>5} {'errs':>4} {'cpu ms/run':>10} {'+db ms':>6} "
    f"{'ttft p50':>9} {'ttft p95':>9} {'total p50':>9} {'total p95':>9} {'runs/s':>7} "
    f"{'rss MiB':>8}"
)


def peer_table(sides: list[Side]) -> list[str]:
    """One line per server and level, the SDK's figures."""
    lines = [HEADER]
    for side in sides:
        for row in side.rows:
            lines.append(
                f"{side.name:<28} {row.concurrency:>4} {row.requests:>5} {row.errors:>4} "
                f"{cell(row.cpu_ms_per_request, '>10', 2)} "
                f"{cell(side.database_ms.get(str(row.concurrency)) or None, '>6', 2)} "
                f"{cell(row.ttft_p50, '>9')} "
                f"{cell(row.ttft_p95, '>9')} {cell(row.total_p50, '>9')} "
                f"{cell(row.total_p95, '>9')} {cell(row.per_second, '>7')} "
                f"{cell(row.rss_peak_mib, '>8')}"
            )
        for reason, times in sorted(side.failures.items(), key=lambda item: -item[1])[:5]:
            lines.append(f"  {side.name}: {times} x {reason}")
    lines.append("")
    for side in sides:
        lines.append(
            f"{side.name}: threads.create() {cell(side.thread_ms, '', 2)} ms, "
            f"runs.get() {cell(side.status_ms, '', 2)} ms server CPU"
        )
    return lines


def protocol_table(side: Side) -> list[str]:
    """Each protocol's server CPU per run (median of the rounds) and its ratio to native."""
    lines = [f"\n{side.name}: server CPU ms per run through each protocol's own client"]
    for name, figures in side.protocols.items():
        rounds = ", ".join(f"{figure:.2f}" for figure in figures)
        ratio = cell(native_ratio(side, name), ">5", 2)
        lines.append(
            f"  {name:<36} {cell(verdict.median(figures), '>7', 2)}  ({rounds})  {ratio}× native"
        )
    return lines + langgraph_extra(side)


def langgraph_extra(side: Side) -> list[str]:
    """What a LangGraph run costs over a native one, and the SDK's two extra requests' part.

    The thread and the read of the run after its stream: the native stream makes neither.
    """
    native = verdict.median(side.protocols.get("native stream", []))
    langgraph = verdict.median(side.protocols.get("LangGraph (langgraph-sdk)", []))
    if native is None or langgraph is None or side.thread_ms is None or side.status_ms is None:
        return []
    extra, requests = langgraph - native, side.thread_ms + side.status_ms
    return [
        f"  LangGraph - native: {extra:.2f} ms; threads.create() {side.thread_ms:.2f} ms and "
        f"runs.get() {side.status_ms:.2f} ms of it ({requests:.2f} ms: the SDK's requests the "
        f"native stream does not make); the rest {extra - requests:.2f} ms"
    ]


def native_ratio(side: Side, name: str) -> float | None:
    """The median over rounds of a protocol's CPU per run ÷ the native stream's that round."""
    native = side.protocols.get("native stream", [])
    pairs = zip(side.protocols.get(name, []), native, strict=False)
    return verdict.median(verdict.ratio(figure, reference) for figure, reference in pairs)


def checks(sides: list[Side]) -> list[verdict.Check]:
    """The issue's targets over the sides measured (a target whose side is missing is n/a)."""
    by_backend = {side.backend: side for side in sides if side.name != PEER}
    peer = next((side for side in sides if side.name == PEER), None)
    level, busy = _levels(sides)
    found: list[verdict.Check] = []
    for backend, limit in PEER_CPU_LIMIT.items():
        found.append(_vs_peer(f"CPU/run, {backend} ÷ {PEER}", by_backend.get(backend), peer,
                              level[0], "cpu_ms_per_request", limit, at_most=True))  # fmt: skip
    for backend, side in by_backend.items():
        found.append(verdict.Check(
            f"threads.create() server CPU ms, {backend}", side.thread_ms, None, side.thread_ms,
            THREAD_CPU_LIMIT_MS, True, absolute=True,
        ))  # fmt: skip
    for backend, side in by_backend.items():
        found.extend(_protocol_checks(backend, side))
    sqlite = by_backend.get("SQLite")
    found.append(_vs_peer(f"TTFT p50 at {level[0]}, SQLite ÷ {PEER}", sqlite, peer, level[0],
                          "ttft_p50", TTFT_RATIO_LIMIT, at_most=True))  # fmt: skip
    found.append(_vs_peer(f"runs/s at {level[-1]}, SQLite ÷ {PEER}", sqlite, peer, level[-1],
                          "per_second", THROUGHPUT_RATIO_LIMIT, at_most=False))  # fmt: skip
    stress = sqlite.at(busy) if sqlite and busy else None
    rss = stress.rss_peak_mib if stress else None

    found.append(verdict.Check(f"peak RSS MiB at {busy} in flight, SQLite", rss, None, rss,
                               STRESS_RSS_LIMIT_MIB, True, digits=1, absolute=True))  # fmt: skip
    return found


def _levels(sides: list[Side]) -> tuple[list[int], int | None]:
    """The measured levels (the stress level, the largest, apart)."""
    levels = sorted({row.concurrency for side in sides for row in side.rows})
    if len(levels) > 2:
        return levels[:-1], levels[-1]
    return levels or [0], None


def _vs_peer(
    name: str, ours: Side | None, peer: Side | None, level: int, figure: str, limit: float,
    *, at_most: bool,
) -> verdict.Check:  # fmt: skip
    row, peer_row = (ours.at(level) if ours else None), (peer.at(level) if peer else None)
    check = verdict.ratio_check(name, row, peer_row, figure, limit=limit, at_most=at_most)
    return check


def _protocol_checks(backend: str, side: Side) -> list[verdict.Check]:
    native = verdict.median(side.protocols.get("native stream", []))
    return [
        verdict.Check(
            f"{name.split(' (')[0]} ÷ native, {backend}",
            verdict.median(figures),
            native,
            native_ratio(side, name),
            PROTOCOL_RATIO_LIMIT,
            True,
        )  # fmt: skip
        for name, figures in side.protocols.items()
        if name != "native stream"
    ]


def tables(sides: list[Side], floor: Floor | None = None) -> list[str]:
    """One sitting's printout: the peer table, each side's protocols, what stands in the way."""
    lines = ["", *peer_table(sides)]
    for side in sides:
        if side.protocols:
            lines.extend(protocol_table(side))
    return lines + obstacles(sides, floor)


def summary(repeats: list[list[Side]]) -> list[str]:
    """The targets over every sitting: the median of each figure, PASS/MISS."""
    folded = verdict.median_checks([checks(sides) for sides in repeats])
    title = "issue #34 targets"
    return ["", *verdict.format_checks(folded, runs=len(repeats), title=title, reference="against")]


def obstacles(sides: list[Side], floor: Floor | None) -> list[str]:
    """The CPU budget of a run on SQLite against the fixed costs measured apart."""
    peer = next((side for side in sides if side.name == PEER), None)
    ours = next((side for side in sides if side.backend == "SQLite"), None)
    level = _levels(sides)[0][0]
    peer_row, our_row = (peer.at(level) if peer else None), (ours.at(level) if ours else None)
    if floor is None or not (peer_row and our_row and peer_row.cpu_ms_per_request):
        return []
    budget = PEER_CPU_LIMIT["SQLite"] * peer_row.cpu_ms_per_request
    measured = our_row.cpu_ms_per_request or 0.0
    parts = [
        ("HTTP on daphne: 3 requests, the stream's events (bare SSE)", floor.http_ms),
        ("LangGraph's loop, the pipeline's 4 nodes doing nothing", floor.graph_ms),
        ("a chat's records through the ORM (make bench-fixed)", floor.records_ms),
        ("fixed, before any code of ours", floor.total_ms),
        (f"this service's run through langgraph-sdk, {level} in flight", measured),
    ]
    return [
        f"\nwhat stands in the way: CPU per run on SQLite must fit in {budget:.2f} ms "
        f"({PEER_CPU_LIMIT['SQLite']} x {PEER}'s {peer_row.cpu_ms_per_request:.2f} ms)",
        *(f"  {name:<62} {ms:6.2f} ms  {100 * ms / budget:4.0f} %" for name, ms in parts),
        f"  {'the pipeline and protocol work above the fixed costs':<62} "
        f"{measured - floor.total_ms:6.2f} ms",
    ]
