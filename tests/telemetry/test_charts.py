"""The dashboard's charts read on day one: columns for few points, no label off the edge."""

from __future__ import annotations

import re

from console.charts import WIDTH, line_chart, waterfall

CHAR_PX = 6.2
"""About one 11 px character: what a label is estimated to need."""


def texts(svg: str) -> list[tuple[float, str, str]]:
    """Every text of an SVG: x, anchor and content."""
    found = []
    for attrs, content in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        x = float(re.search(r'x="([\d.]+)"', attrs).group(1))
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        found.append((x, anchor.group(1) if anchor else "start", content))
    return found


def inside(x: float, anchor: str, content: str) -> bool:
    """Whether a text of that anchor and length stays within the chart's width."""
    width = CHAR_PX * len(content)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left >= 0 and left + width <= WIDTH


def test_a_single_hour_of_data_is_columns_with_their_values():
    labels = [f"05 {h:02}:00" for h in range(24)]
    series = {"p50": [None] * 23 + [120.0], "p95": [None] * 23 + [480.5]}
    svg = line_chart("TTFT by hour (ms)", labels, series)
    assert "<polyline" not in svg
    assert svg.count("<rect") == 2
    assert ">120<" in svg and ">480.5<" in svg and ">05 23:00<" in svg
    assert "05 00:00" not in svg, "the empty hours before the first run are left out"


def test_many_points_are_lines_and_no_axis_label_runs_off_the_edge():
    labels = [f"12-{d:02}" for d in range(1, 31)]
    series = {"p50": [float(d) for d in range(30)], "p99": [float(3 * d) for d in range(30)]}
    svg = line_chart("Total time by day (ms)", labels, series)
    assert "<polyline" in svg
    assert ">12-30<" in svg, "the last day is always labelled"
    for x, anchor, content in texts(svg):
        assert inside(x, anchor, content), content


def test_the_waterfall_keeps_every_figure_inside_its_box():
    timeline = [
        {"kind": "agent", "name": "planner", "start_ms": 0.0, "end_ms": 40.0, "ok": True},
        {"kind": "tool", "name": "db.find", "start_ms": 40.0, "end_ms": 60.0, "ok": False},
        {
            "kind": "agent",
            "name": "synthesizer",
            "start_ms": 60.0,
            "end_ms": 2921.0,
            "ok": True,
            "input_tokens": 1200,
            "output_tokens": 340,
        },
        {"kind": "mark", "name": "first_token", "start_ms": 2900.0, "end_ms": 2900.0},
    ]
    svg = waterfall(timeline, 2921.0)
    assert "2861.0 ms · 1200→340 tok" in svg
    for x, anchor, content in texts(svg):
        assert inside(x, anchor, content), content
