"""Small SVG charts drawn on the server: line charts, horizontal bars and a run's waterfall.

Plain strings built with `format_html` (every label escaped), no JavaScript, nothing fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from console.figures import compact, grouped

COLOURS = ("#2b6cb0", "#dd6b20", "#c53030", "#2f855a", "#6b46c1", "#718096")
KIND_COLOURS = {"agent": "#2b6cb0", "tool": "#2f855a", "failed": "#c53030"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 760, 220, 56, 28, 12, 34
FEW_BUCKETS = 6
"""Up to this many buckets, a percentile chart draws columns with their values."""


def nice_ceiling(value: float) -> float:
    """Round a chart's maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def y_axis(top: float, unit: str) -> SafeString:
    """Four horizontal grid lines with their values."""
    plot = HEIGHT - BOTTOM - TOP
    rows = []
    for i in range(5):
        y = TOP + plot - plot * i / 4
        y = round(y, 1)
        rows.append((LEFT, y, WIDTH, y, LEFT - 6, round(y + 4, 1), f"{compact(top * i / 4)}{unit}"))
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e2e8f0"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#4a5568">{}</text>',
        rows,
    )


def line_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], unit: str = ""
) -> SafeString:
    """A line per series over evenly spaced labels (gaps where None); columns when few.

    Buckets before the first value are left out, so a fresh install's single hour is a
    readable column with its value, not a dot at the right edge.
    """
    filled = [i for points in series.values() for i, v in enumerate(points) if v is not None]
    if not labels or not filled:
        return empty_chart(title)
    first = min(filled)
    labels = labels[first:]
    series = {name: points[first:] for name, points in series.items()}
    if len(labels) <= FEW_BUCKETS:
        return column_chart(title, labels, series, unit)
    values = [v for points in series.values() for v in points if v is not None]
    top = nice_ceiling(max(values))
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels) - 1)
    plot = HEIGHT - BOTTOM - TOP

    def point(i: int, v: float) -> tuple[float, float]:
        return round(LEFT + i * step, 1), round(TOP + plot - plot * v / top, 1)

    parts = [y_axis(top, unit)]
    every = max(1, math.ceil(len(labels) / 8))
    ticks = [i for i in range(len(labels)) if i % every == 0 and len(labels) - 1 - i >= every / 2]
    parts += [x_label(point(i, 0)[0], label) for i, label in enumerate(labels) if i in ticks]
    parts.append(x_label(point(len(labels) - 1, 0)[0], labels[-1]))
    for colour, (name, points) in zip(COLOURS, series.items(), strict=False):
        coords = [(i, v) for i, v in enumerate(points) if v is not None]
        line = " ".join("{},{}".format(*point(i, v)) for i, v in coords)
        parts.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>', colour, line
            )
        )
        parts += [
            format_html(
                '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{} {}: {}{}</title></circle>',
                *point(i, v),
                colour,
                name,
                labels[i],
                round(v, 1),
                unit,
            )
            for i, v in coords
        ]
    return figure(title, mark_safe("".join(parts)), legend(series))


def x_label(x: float, label: str) -> SafeString:
    """A label under the x axis, centred on `x`."""
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#4a5568">{}</text>',
        x,
        HEIGHT - 8,
        label,
    )


def column_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], unit: str
) -> SafeString:
    """A group of columns per label, one per series, each with its value on top."""
    values = [v for points in series.values() for v in points if v is not None]
    top = nice_ceiling(max(values) * 1.12)  # room for the value over the tallest column
    plot = HEIGHT - BOTTOM - TOP
    group = (WIDTH - LEFT - RIGHT) / len(labels)
    width = min(48.0, group * 0.8 / len(series))
    parts = [y_axis(top, unit)]
    for i, label in enumerate(labels):
        middle = LEFT + group * (i + 0.5)
        parts.append(x_label(round(middle, 1), label))
        for k, (colour, (name, points)) in enumerate(zip(COLOURS, series.items(), strict=False)):
            value = points[i]
            if value is None:
                continue
            x = middle + (k - len(series) / 2) * width
            height = max(1.0, plot * value / top)
            parts.append(
                column(x, HEIGHT - BOTTOM - height, width, colour, f"{compact(value)}{unit}", name)
            )
    return figure(title, mark_safe("".join(parts)), legend(series))


def column(x: float, y: float, width: float, colour: str, shown: str, name: str) -> SafeString:
    """One column with its value written over it."""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#2d3748">{}</text>',
        round(x, 1),
        round(y, 1),
        round(width - 2, 1),
        round(HEIGHT - BOTTOM - y, 1),
        colour,
        name,
        shown,
        round(x + width / 2 - 1, 1),
        round(y - 4, 1),
        shown,
    )


def legend(series: dict[str, Any]) -> SafeString:
    """Colour keys of the series."""
    return format_html_join(
        "",
        '<span class="legend"><i style="background:{}"></i>{}</span>',
        zip(COLOURS, series, strict=False),
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> SafeString:
    """Horizontal bars, one per labelled value, in the order given."""
    if not rows:
        return empty_chart(title)
    top = max(value for _, value in rows) or 1.0
    bars = [
        bar_row(i, label, value, 500 * value / top, unit) for i, (label, value) in enumerate(rows)
    ]
    svg = format_html(
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        24 * len(rows) + 8,
        title,
        mark_safe("".join(bars)),
    )
    return format_html('<figure class="chart"><figcaption>{}</figcaption>{}</figure>', title, svg)


def bar_row(index: int, label: str, value: float, width: float, unit: str) -> SafeString:
    """One labelled bar with its value."""
    shown = grouped(value) if isinstance(value, int) else grouped(value, 1)
    return format_html(
        '<text x="0" y="{ty}" font-size="12" fill="#2d3748">{label}</text>'
        '<rect x="150" y="{y}" width="{w}" height="16" fill="{colour}">'
        "<title>{label}: {shown}{unit}</title></rect>"
        '<text x="{tx}" y="{ty}" font-size="11" fill="#4a5568">{shown}{unit}</text>',
        ty=24 * index + 16,
        label=label,
        y=24 * index + 4,
        w=round(max(1.0, width), 1),
        colour=COLOURS[index % len(COLOURS)],
        shown=shown,
        unit=unit,
        tx=round(156 + max(1.0, width), 1),
    )


def figure(title: str, body: SafeString, caption_extra: SafeString) -> SafeString:
    """Wrap chart parts in an SVG inside a captioned figure."""
    return format_html(
        '<figure class="chart"><figcaption>{} {}</figcaption>'
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">{}</svg></figure>',
        title,
        caption_extra,
        WIDTH,
        HEIGHT,
        title,
        body,
    )


def empty_chart(title: str) -> SafeString:
    """A chart with nothing to draw says so."""
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>'
        '<p class="empty">No runs in this period.</p></figure>',
        title,
    )


def waterfall(timeline: Sequence[dict[str, Any]], total_ms: float) -> SafeString:
    """Each agent and tool call of a run as a bar on one time axis, first token as a line."""
    bars = [entry for entry in timeline if entry.get("kind") in ("agent", "tool")]
    if not bars:
        return format_html('<p class="empty">{}</p>', "No timeline was recorded for this run.")
    span = max([total_ms, *(entry["end_ms"] for entry in timeline)]) or 1.0
    scale = (WIDTH - 190 - 90) / span
    rows = [waterfall_row(i, entry, scale) for i, entry in enumerate(bars)]
    height = 22 * len(bars) + 30
    marks = [
        format_html(
            '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="#805ad5" '
            'stroke-dasharray="4 3">'
            "<title>first token at {ms} ms</title></line>"
            '<text x="{x}" y="{t}" font-size="11" fill="#805ad5" text-anchor="{anchor}">'
            "first token {ms} ms</text>",
            x=round(190 + entry["start_ms"] * scale, 1),
            anchor="end" if 190 + entry["start_ms"] * scale > WIDTH - 120 else "start",
            h=height - 14,
            t=height - 2,
            ms=round(entry["start_ms"], 1),
        )
        for entry in timeline
        if entry.get("kind") == "mark"
    ]
    return format_html(
        '<svg class="waterfall" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="Run waterfall">{axis}{rows}{marks}</svg>',
        w=WIDTH,
        h=height + 22,
        axis=time_axis(span, scale, height + 10),
        rows=mark_safe("".join(rows)),
        marks=mark_safe("".join(marks)),
    )


def time_axis(span: float, scale: float, y: float) -> SafeString:
    """Ticks at 0, ¼, ½, ¾ and all of the run's time under the waterfall."""
    ticks = [span * i / 4 for i in range(5)]
    return format_html_join(
        "",
        '<line x1="{x}" y1="0" x2="{x}" y2="{y}" stroke="#edf2f7"/>'
        '<text x="{x}" y="{ty}" text-anchor="middle" font-size="10" fill="#718096">{ms} ms</text>',
        ({"x": round(190 + t * scale, 1), "y": y, "ty": y + 10, "ms": round(t, 1)} for t in ticks),
    )


def waterfall_row(index: int, entry: dict[str, Any], scale: float) -> SafeString:
    """One bar of the waterfall with its label, duration, tokens and outcome."""
    kind, ok = entry["kind"], entry.get("ok", True)
    duration = max(0.0, entry["end_ms"] - entry["start_ms"])
    tokens = ""
    if entry.get("input_tokens") or entry.get("output_tokens"):
        tokens = f" · {entry.get('input_tokens', 0)}→{entry.get('output_tokens', 0)} tok"
    label = f"{'  ' if kind == 'tool' else ''}{entry['name']}"
    x, y = round(190 + entry["start_ms"] * scale, 1), 22 * index + 4
    width = round(max(1.5, duration * scale), 1)
    return format_html(
        '<g class="bar {kind}{failed}">'
        '<text x="{lx}" y="{ty}" font-size="12" fill="#2d3748">{label}</text>'
        '<rect x="{x}" y="{y}" width="{w}" height="14" rx="2" fill="{colour}">'
        "<title>{name}: {start} → {end} ms ({outcome}){tokens}</title></rect>"
        '<text x="{tx}" y="{ty}" font-size="11" fill="#4a5568" text-anchor="{anchor}">'
        "{ms} ms{tokens}{refused}</text></g>",
        kind=kind,
        failed="" if ok else " failed",
        lx=16 if kind == "tool" else 0,
        ty=y + 12,
        label=label.strip(),
        x=x,
        y=y,
        w=width,
        colour=KIND_COLOURS[kind if ok else "failed"],
        name=entry["name"],
        start=round(entry["start_ms"], 1),
        end=round(entry["end_ms"], 1),
        outcome="ok" if ok else "failed",
        tokens=tokens,
        **beside(x, width, f"{round(duration, 1)} ms{tokens} · unfinished"),
        ms=round(duration, 1),
        refused="" if ok else " · refused" if kind == "tool" else " · unfinished",
    )


def beside(x: float, width: float, text: str) -> dict[str, Any]:
    """Where a bar's figures go: after it, or before it when they would run off the right."""
    needed = 6.2 * len(text)  # about one 11 px character each
    if x + width + 4 + needed <= WIDTH:
        return {"tx": round(x + width + 4, 1), "anchor": "start"}
    if x - 4 - needed >= 190:
        return {"tx": round(x - 4, 1), "anchor": "end"}
    return {"tx": WIDTH, "anchor": "end"}


AGENT_ORDER = ("planner", "worker", "critic", "synthesizer")


def agent_timings_bar(timings: dict[str, float], *, legend: bool = True) -> SafeString:
    """`agent_bar` of a metric's `agent_timings`, in pipeline order."""
    names = [n for n in AGENT_ORDER if n in timings] + sorted(set(timings) - set(AGENT_ORDER))
    return agent_bar([(name, timings[name]) for name in names], legend=legend)


def agent_bar(timings: Sequence[tuple[str, float]], *, legend: bool = True) -> SafeString:
    """A small stacked bar of each agent's time, with the figures under it unless `legend=False`.

    Without the figures (a list column) each agent's milliseconds show on hover.
    """
    whole = sum(ms for _, ms in timings) or 1.0
    x, parts = 0.0, []
    for colour, (name, ms) in zip(COLOURS, timings, strict=False):
        width = round(120 * ms / whole, 1)
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="8" fill="{}"><title>{} {} ms</title></rect>',
                round(x, 1),
                width,
                colour,
                name,
                round(ms, 1),
            )
        )
        x += width
    legend_items = (
        format_html_join(
            " · ",
            '<span style="color:{}"><b>{}</b> {}</span>',
            ((c, name, f"{ms:.1f}") for c, (name, ms) in zip(COLOURS, timings, strict=False)),
        )
        if legend
        else ""
    )
    return format_html(
        '<div class="agent-times" style="min-width:124px;font-size:11px;line-height:1.3">'
        '<svg width="120" height="8" role="img" aria-label="per-agent time">{}</svg>'
        "<div>{}</div></div>",
        mark_safe("".join(parts)),
        legend_items,
    )
