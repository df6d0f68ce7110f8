"""CPU time of a server from per-thread nanosecond counters, with the tick figure as a guard."""

from __future__ import annotations

import os

from bench.common.procstat import CLOCK_TICKS, precise_cpu_seconds, task_cpu_ns


def test_per_thread_counters_are_summed_new_threads_from_zero():
    start = {1: 1_000_000_000, 2: 500_000_000}
    end = {1: 1_004_000_000, 2: 500_500_000, 3: 1_500_000}
    assert precise_cpu_seconds(start, end, tick_seconds=0.0) == 0.006


def test_time_of_threads_that_ended_falls_back_to_the_ticks():
    start = {1: 0, 2: 0}
    end = {1: 1_000_000}  # thread 2 ended after using CPU the tick figure saw
    ticks = 5 / CLOCK_TICKS
    assert precise_cpu_seconds(start, end, tick_seconds=ticks) == ticks


def test_without_counters_the_ticks_are_the_figure():
    assert precise_cpu_seconds({}, {}, tick_seconds=0.25) == 0.25


def test_this_process_has_counters_for_its_threads():
    assert os.getpid() in task_cpu_ns(os.getpid())
