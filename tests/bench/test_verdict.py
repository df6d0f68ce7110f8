"""Issue #11's verdicts: ratios of pipeline to bare, PASS/MISS, medians of repeated runs."""

from __future__ import annotations

from collections import Counter

from bench.common.report import LevelStats
from bench.gate import verdict


def row(target: str, concurrency: int, **figures: float | None) -> LevelStats:
    values = {
        "requests": 64,
        "errors": 0,
        "per_second": 100.0,
        "events": 43.0,
        "ttft_p50": 5.0,
        "ttft_p95": 6.0,
        "total_p50": 8.0,
        "total_p95": 9.0,
        "cpu_ms_per_request": 10.0,
        "client_cpu_ms_per_request": 2.0,
        "rss_peak_mib": 120.0,
        "hwm_mib": 120.0,
        "other_cores": 0.0,
    } | figures
    return LevelStats(target=target, concurrency=concurrency, error_kinds=Counter(), **values)


def test_ratio_is_unknown_without_both_figures_or_with_a_zero_floor():
    assert verdict.ratio(8.0, 2.0) == 4.0
    assert verdict.ratio(None, 2.0) is None
    assert verdict.ratio(8.0, None) is None
    assert verdict.ratio(8.0, 0.0) is None


def test_median_skips_unknown_figures():
    assert verdict.median([3.0, None, 1.0, 2.0]) == 2.0
    assert verdict.median([None]) is None


def test_cpu_ratio_at_the_limit_passes_and_just_above_misses():
    bare = [row("bare", 1, cpu_ms_per_request=2.0)]
    at_limit = verdict.speed_checks([row("pipeline", 1, cpu_ms_per_request=8.0)], bare, stress=None)
    above = verdict.speed_checks([row("pipeline", 1, cpu_ms_per_request=8.2)], bare, stress=None)
    assert (at_limit[0].value, at_limit[0].verdict) == (4.0, "PASS")
    assert above[0].verdict == "MISS"


def test_cpu_ratio_leaves_out_the_stress_level():
    pipeline = [row("pipeline", 1), row("pipeline", 256, cpu_ms_per_request=100.0)]
    bare = [row("bare", 1, cpu_ms_per_request=5.0), row("bare", 256)]
    cpu = verdict.speed_checks(pipeline, bare, stress=256)[0]
    assert (cpu.measured, cpu.reference, cpu.value) == (10.0, 5.0, 2.0)
    assert "levels 1)" in cpu.name


def test_throughput_must_reach_at_least_its_share_of_the_floor():
    pipeline = [row("pipeline", 1), row("pipeline", 32, per_second=35.0)]
    bare = [row("bare", 1), row("bare", 32, per_second=100.0)]
    ttft, throughput = verdict.speed_checks(pipeline, bare, stress=None)[1:]
    assert (ttft.value, ttft.verdict) == (1.0, "PASS")
    assert (throughput.value, throughput.verdict) == (0.35, "PASS")
    slower = [row("pipeline", 1), row("pipeline", 32, per_second=34.0)]
    assert verdict.speed_checks(slower, bare, stress=None)[2].verdict == "MISS"


def test_a_level_that_was_not_run_gives_no_verdict():
    checks = verdict.speed_checks([row("pipeline", 8)], [row("bare", 8)], stress=None)
    assert [check.verdict for check in checks] == ["PASS", "n/a", "n/a"]


def test_stress_checks_want_no_errors_and_bounded_memory():
    pipeline = [row("pipeline", 256, errors=1, rss_peak_mib=150.0)]
    errors, rss = verdict.stress_checks(pipeline, [row("bare", 256)], 256)
    assert (errors.measured, errors.verdict) == (1.0, "MISS")
    assert (rss.value, rss.verdict) == (150.0, "PASS")


def test_checks_carry_the_busiest_load_of_their_rows():
    pipeline = [row("pipeline", 1, other_cores=0.1), row("pipeline", 32, other_cores=0.7)]
    bare = [row("bare", 1, other_cores=0.3), row("bare", 32, other_cores=None)]
    cpu, ttft, throughput = verdict.speed_checks(pipeline, bare, stress=None)
    assert (cpu.others, ttft.others, throughput.others) == (0.7, 0.3, 0.7)


def test_medians_of_runs_judge_the_median_ratio_and_keep_the_noisiest_load():
    runs = [
        [verdict.context_check(large, 10.0, large_count=100_000, small_count=100)]
        for large in (13.0, 11.0, 30.0)
    ]
    runs[2][0] = verdict.Check(**{**runs[2][0].__dict__, "others": 0.9})
    (folded,) = verdict.median_checks(runs)
    assert (folded.measured, folded.value, folded.verdict) == (13.0, 1.3, "MISS")
    assert folded.others == 0.9


def test_the_summary_prints_each_target_with_its_verdict_and_flags_noise():
    checks = [
        verdict.Check("cpu", 10.0, 2.0, 5.0, 4.0, True, 0.5),
        verdict.Check("errors", 0.0, None, 0.0, 0.0, True, 0.0, 0, True),
    ]
    lines = verdict.format_checks(checks, runs=3)
    assert "median of 3 runs" in lines[0]
    assert "5.00×" in lines[1] and "≤ 4.00" in lines[1] and "MISS" in lines[1]
    assert "PASS" in lines[2] and "×" not in lines[2]
    assert lines[-2].startswith("NOISY") and "cpu" in lines[-2]
    assert lines[-1] == "1 of 2 targets missed"


def test_a_quiet_run_meeting_every_target_says_so():
    checks = [verdict.Check("cpu", 6.0, 2.0, 3.0, 4.0, True, 0.0)]
    lines = verdict.format_checks(checks, runs=1)
    assert "one run" in lines[0]
    assert lines[-1] == "ALL TARGETS MET"


def test_latency_verdicts_of_a_busy_run_are_marked_unreliable_but_cpu_ones_are_not():
    pipeline = [row("pipeline", 1, other_cores=0.9), row("pipeline", 32)]
    bare = [row("bare", 1, cpu_ms_per_request=1.0), row("bare", 32, cpu_ms_per_request=1.0)]
    cpu, ttft, throughput = verdict.speed_checks(pipeline, bare, stress=None)
    assert (cpu.verdict, ttft.verdict, throughput.verdict) == ("MISS", "PASS?", "PASS")
    assert verdict.conclusion([cpu, ttft, throughput]) == (
        "1 of 3 targets missed; 1 verdict(s) unreliable (busy machine)"
    )
    assert (
        verdict.conclusion([ttft])
        == "0 of 1 targets missed; 1 verdict(s) unreliable (busy machine)"
    )
