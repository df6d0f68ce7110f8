"""Template filters of the console's figures (console/figures.py): `{% load figures %}`."""

from __future__ import annotations

from django import template

from console import figures

register = template.Library()


@register.filter
def grouped(value: float | None, decimals: int = 0) -> str:
    """`{{ runs|grouped }}` → 1,672,618; `{{ avg|grouped:1 }}` → 1,234.5."""
    return figures.grouped(value, int(decimals))


@register.filter
def ms(value: float | None) -> str:
    """`{{ metric.total_time_ms|ms }}` → 842.1 ms, 12.4 s."""
    return figures.milliseconds(value)
