"""Server-side figures read from Linux's /proc: CPU time and resident memory of one process.

CPU time comes from the per-thread nanosecond counters (`schedstat`) where they exist: the
process-wide `utime + stime` moves in 10 ms ticks, a tenth of the bare server's whole level.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.02
SETTLE_SECONDS = 0.2
"""Pause before and after a measurement: a run's after-work (the summary) follows its `done`."""


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds `pid` has used so far (all its threads)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    fields = stat.rpartition(")")[2].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def task_cpu_ns(pid: int) -> dict[int, int]:
    """Return each live thread's on-CPU nanoseconds (`/proc/<pid>/task/<tid>/schedstat`)."""
    times = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            times[int(task.name)] = int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue  # the thread ended meanwhile, or the kernel keeps no schedstat
    return times


def precise_cpu_seconds(start: dict[int, int], end: dict[int, int], tick_seconds: float) -> float:
    """CPU seconds from per-thread nanosecond counters, unless threads that ended took some.

    `tick_seconds` is the same stretch from /proc/<pid>/stat, which counts ended threads
    too but only in clock ticks (10 ms): when it exceeds the per-thread sum by more than
    two ticks, time went to threads that are gone, and the tick figure is returned.
    """
    if not end:
        return tick_seconds
    precise = sum(ns - start.get(tid, 0) for tid, ns in end.items()) / 1e9
    return tick_seconds if tick_seconds - precise > 2 / CLOCK_TICKS else precise


def named_cpu_seconds(name: str) -> float:
    """The user + system CPU seconds of every live process called `name` (e.g. `postgres`)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended meanwhile
        command, _, rest = stat.partition(" (")[2].rpartition(")")
        if command == name:
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """Return the CPU seconds all processes on this machine have spent busy (not idle or iowait)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def memory_mib(pid: int) -> dict[str, float]:
    """Return `VmRSS` (resident now) and `VmHWM` (resident peak since start) of `pid` in MiB."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) / 1024  # reported in kB
    return figures


@dataclass
class ProcessUsage:
    """What a process used during a stretch of time."""

    cpu_seconds: float = 0.0
    rss_peak_mib: float = 0.0
    """Largest VmRSS seen while sampling every SAMPLE_SECONDS."""
    hwm_mib: float = 0.0
    """VmHWM at the end: the kernel's own peak since the process started."""
    machine_cpu_seconds: float = 0.0
    """Busy CPU time of the whole machine meanwhile, to tell how much else was running."""
    wall_seconds: float = 0.0


@contextlib.asynccontextmanager
async def measure_process(pid: int | None) -> AsyncIterator[ProcessUsage | None]:
    """Measure `pid`'s CPU time and peak memory over the block (None when pid is None)."""
    if pid is None:
        yield None
        return
    usage = ProcessUsage()
    await asyncio.sleep(SETTLE_SECONDS)
    start, machine_start, wall_start = cpu_seconds(pid), machine_busy_seconds(), time.monotonic()
    tasks_start = task_cpu_ns(pid)
    sampler = asyncio.create_task(_sample_rss(pid, usage))
    try:
        yield usage
        await asyncio.sleep(SETTLE_SECONDS)
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        tick_seconds = cpu_seconds(pid) - start
        usage.cpu_seconds = precise_cpu_seconds(tasks_start, task_cpu_ns(pid), tick_seconds)
        usage.machine_cpu_seconds = machine_busy_seconds() - machine_start
        usage.wall_seconds = time.monotonic() - wall_start
        memory = memory_mib(pid)
        usage.rss_peak_mib = max(usage.rss_peak_mib, memory["VmRSS"])
        usage.hwm_mib = memory["VmHWM"]


async def _sample_rss(pid: int, usage: ProcessUsage) -> None:
    """Keep the largest VmRSS of `pid` in `usage` until cancelled."""
    while True:
        usage.rss_peak_mib = max(usage.rss_peak_mib, memory_mib(pid)["VmRSS"])
        await asyncio.sleep(SAMPLE_SECONDS)
