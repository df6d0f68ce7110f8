"""Observability settings: bad values stop the process with the variable's name."""

from __future__ import annotations

import pytest

from tests.site.test_settings import run_manage


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_FORMAT", "xml"),
        ("METRICS_ALLOWED_IPS", "not-an-address"),
        ("MODEL_PRICES", "{not json"),
        ("MODEL_PRICES", '{"gpt-4o": 3}'),
    ],
)
def test_a_bad_observability_setting_names_the_variable(name, value):
    done = run_manage("check", **{name: value})
    assert done.returncode != 0
    assert name in done.stderr


def test_text_logs_and_a_price_table_are_accepted():
    done = run_manage("check", LOG_FORMAT="text", MODEL_PRICES='{"gpt-4o-mini": [0.15, 0.6]}')
    assert done.returncode == 0, done.stderr
