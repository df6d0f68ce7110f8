"""The profile summary: py-spy's collapsed stacks sorted into where the server's CPU goes."""

from __future__ import annotations

from bench.gate.profile import ROOT, format_profile, parse_collapsed

SITE = "/venv/lib/python3.11/site-packages"
STDLIB = "/usr/lib/python3.11"
LOOP = ";".join(
    [
        f"BaseEventLoop._run_once ({STDLIB}/asyncio/base_events.py:1922)",
        f"Handle._run ({STDLIB}/asyncio/events.py:84)",
    ]
)
WORKER = ";".join(
    [
        f"Thread.run ({STDLIB}/threading.py:982)",
        f"_worker ({STDLIB}/concurrent/futures/thread.py:83)",
        f"_WorkItem.run ({STDLIB}/concurrent/futures/thread.py:58)",
    ]
)


def stack(*frames: str, count: int) -> str:
    return ";".join(frames) + f" {count}"


def test_samples_go_to_the_innermost_known_package_passing_over_the_standard_library():
    text = "\n".join(
        [
            stack(
                LOOP,
                f"emit ({ROOT}/agents/events.py:21)",
                f"stream_writer ({SITE}/langgraph/pregel/main.py:3395)",
                f"call_soon_threadsafe ({STDLIB}/asyncio/base_events.py:807)",
                f"_write_to_self ({STDLIB}/asyncio/selector_events.py:139)",
                count=3,
            ),
            stack(
                WORKER,
                f"store_answer ({ROOT}/runs/records.py:60)",
                f"SQLCompiler.as_sql ({SITE}/django/db/models/sql/compiler.py:700)",
                count=2,
            ),
            stack(
                WORKER,
                f"SQLiteCursorWrapper.execute ({SITE}/django/db/backends/sqlite3/base.py:360)",
                count=1,
            ),
        ]
    )
    profile = parse_collapsed(text)
    assert profile.samples == 6
    assert profile.categories["LangGraph / LangChain internals"] == 3
    assert profile.categories["Django ORM (query building, compiling, model code)"] == 2
    assert profile.categories["SQLite (statements, commits)"] == 1


def test_dispatching_machinery_with_nothing_below_is_its_own_category():
    text = "\n".join(
        [
            stack(LOOP, f"_read_from_self ({STDLIB}/asyncio/selector_events.py:119)", count=2),
            stack(WORKER, f"Future.set_result ({STDLIB}/concurrent/futures/_base.py:550)", count=1),
        ]
    )
    categories = parse_collapsed(text).categories
    assert categories["asyncio event loop (scheduling, self-pipe wake-ups)"] == 2
    assert categories["thread hops (asgiref, executor hand-offs)"] == 1


def test_waiting_threads_are_counted_apart():
    text = "\n".join(
        [
            stack(
                f"Thread.run ({STDLIB}/threading.py:982)",
                f"_worker ({STDLIB}/concurrent/futures/thread.py:81)",
                count=40,
            ),
            stack(LOOP, f"wrapper ({ROOT}/protocols/native/consumers.py:90)", count=4),
        ]
    )
    profile = parse_collapsed(text)
    assert (profile.samples, profile.idle) == (4, 40)
    assert profile.categories == {"our code (the project's packages)": 4}


def test_every_package_of_the_project_is_our_code_and_the_benchmarks_are_not():
    from pathlib import Path

    assert Path(ROOT, "manage.py").is_file(), "ROOT is the repository's root"
    for package in ("runs/engine.py", "edge/streams.py", "console/charts.py", "llm/base.py"):
        profile = parse_collapsed(stack(LOOP, f"f ({ROOT}/{package}:1)", count=1))
        assert profile.categories == {"our code (the project's packages)": 1}, package
    assert parse_collapsed(stack(LOOP, f"f ({ROOT}/bench/gate/x.py:1)", count=1)).categories != {
        "our code (the project's packages)": 1
    }


def test_the_summary_lists_shares_and_short_names():
    text = stack(
        LOOP,
        f"encode_event ({ROOT}/edge/sse.py:19)",
        f"dumps ({STDLIB}/json/__init__.py:238)",
        count=3,
    )
    lines = format_profile(parse_collapsed(text), top=5)
    assert lines[0].startswith("3 busy samples")
    assert "  100.0 %  JSON" in lines
    assert any(line.endswith("encode_event (edge/sse.py)") for line in lines)
    assert not any(ROOT in line or "site-packages" in line for line in lines)
