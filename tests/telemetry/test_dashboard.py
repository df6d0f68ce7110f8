"""The admin's dashboard, per-user page and waterfall, over metrics stored at known times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.models import Session
from console.dashboard import dashboard, user_overview
from telemetry.models import RequestMetric
from telemetry.rollups import rebuild_all
from tests.support.rollups import read_from_buckets

TIMELINE = [
    {"kind": "agent", "name": "planner", "start_ms": 1.0, "end_ms": 5.0, "ok": True},
    {"kind": "agent", "name": "worker", "start_ms": 5.0, "end_ms": 20.0, "ok": True},
    {"kind": "tool", "name": "db.find", "start_ms": 6.0, "end_ms": 9.0, "ok": False},
    {"kind": "mark", "name": "first_token", "start_ms": 25.0, "end_ms": 25.0, "ok": True},
    {
        "kind": "agent",
        "name": "synthesizer",
        "start_ms": 21.0,
        "end_ms": 40.0,
        "ok": True,
        "input_tokens": 120,
        "output_tokens": 30,
    },
]


@pytest.fixture
def runs(db):
    """alice: 10 runs an hour ago (one error); bob: 2 runs yesterday (one cancelled)."""
    alice = Session.objects.create(session_id="dash-a", user_id="alice")
    bob = Session.objects.create(session_id="dash-b", user_id="bob")
    now = timezone.now()
    metrics = [
        RequestMetric(
            session=alice,
            user_id="alice",
            ttft_ms=float(n * 10),
            total_time_ms=float(n * 100),
            status="error" if n == 10 else "ok",
            agent_timings={"planner": 10.0, "synthesizer": 30.0},
            timestamp=now - timedelta(hours=1),
            output_tokens=5,
            timeline=TIMELINE,
        )
        for n in range(1, 11)
    ]
    metrics += [
        RequestMetric(
            session=bob,
            user_id="bob",
            ttft_ms=None if cancelled else 50.0,
            total_time_ms=5000.0,
            status="cancelled" if cancelled else "ok",
            timestamp=now - timedelta(days=1, hours=2),
        )
        for cancelled in (True, False)
    ]
    RequestMetric.objects.bulk_create(metrics)
    rebuild_all()
    return metrics


def test_the_dashboard_counts_rates_and_percentiles_of_the_period(runs):
    day = dashboard("24h")
    assert day["runs"] == 10
    assert day["status_counts"] == {"ok": 9, "error": 1, "cancelled": 0, "interrupted": 0}
    assert day["rates"] == {"error": 10.0, "cancel": 0.0}
    week = dashboard("7d")
    assert week["runs"] == 12 and week["rates"]["cancel"] == pytest.approx(8.3)
    assert [row["user_id"] for row in week["heaviest"]] == ["alice", "bob"]
    assert week["heaviest"][0]["errors"] == 1
    assert week["slowest"][0].user_id == "bob"
    assert dict(week["agent_share"]) == {"planner": 25.0, "synthesizer": 75.0}


def test_percentiles_by_hour_are_read_from_each_hours_histogram(runs):
    series = dashboard("24h")["hourly"]
    filled = [i for i, value in enumerate(series.ttft["p50"]) if value is not None]
    assert len(filled) == 1, "alice's ten runs share one hour"
    hour = filled[0]
    assert read_from_buckets(series.ttft["p50"][hour], 50.0)
    assert read_from_buckets(series.ttft["p95"][hour], 100.0)
    assert read_from_buckets(series.total["p99"][hour], 1000.0)
    assert len(series.labels) in (24, 25)


def test_an_unknown_period_means_the_last_24_hours(runs):
    assert dashboard("forever")["period"] == "24h"


def test_a_users_overview_rolls_up_their_runs(runs):
    alice = user_overview("alice")
    assert alice["session_count"] == 1
    assert alice["averages"]["runs"] == 10
    assert alice["averages"]["total"] == pytest.approx(550.0)
    assert alice["status_counts"]["error"] == 1
    assert alice["tokens"]["output_tokens"] == 50
    assert len(alice["recent"]) == 10


def test_the_admin_index_links_the_dashboard(admin_client, runs):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:telemetry_dashboard") in page


@pytest.mark.parametrize("period", ["24h", "7d", "30d"])
def test_the_dashboard_page_draws_its_charts(admin_client, runs, period):
    response = admin_client.get(reverse("admin:telemetry_dashboard") + f"?period={period}")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<figure class="chart">') == 6
    assert page.count("<svg viewBox") == 6
    assert "TTFT by hour" in page and "Total time by day" in page
    if period == "24h":  # alice's hour alone: columns with their values
        assert "<polyline" not in page and "<rect" in page
    else:  # bob's runs a day earlier: a line over the hours between
        assert "<polyline" in page
    assert reverse("admin:telemetry_user", args=["alice"]) in page


def test_the_dashboard_of_an_empty_period_says_so(admin_client, db):
    page = admin_client.get(reverse("admin:telemetry_dashboard")).content.decode()
    assert "No runs in this period." in page


def test_the_dashboard_needs_a_staff_login(client, db):
    response = client.get(reverse("admin:telemetry_dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_user_page_lists_sessions_and_runs(admin_client, runs):
    response = admin_client.get(reverse("admin:telemetry_user", args=["alice"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "dash-a" in page and "dash-b" not in page


def test_a_metrics_page_shows_its_waterfall(admin_client, runs):
    metric = RequestMetric.objects.filter(user_id="alice").first()
    url = reverse("admin:telemetry_requestmetric_change", args=[metric.pk])
    page = admin_client.get(url).content.decode()
    assert 'class="waterfall"' in page
    for name in ("planner", "worker", "db.find", "synthesizer", "first token"):
        assert name in page
    assert "refused" in page and "120→30 tok" in page


def test_the_metric_list_shows_users_tokens_and_agents_and_filters_by_date(admin_client, runs):
    url = reverse("admin:telemetry_requestmetric_changelist")
    page = admin_client.get(url + "?user_id=bob").content.decode()
    assert reverse("admin:telemetry_user", args=["bob"]) in page
    assert "dash-a" not in page
    listing = admin_client.get(url).content.decode()
    assert "<title>planner 10.0 ms</title>" in listing, "each agent's time on hover"
    assert "xfull" not in listing
    since = (timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S%z")
    recent = admin_client.get(url, {"timestamp__gte": since}).content.decode()
    alice, bob = (reverse("admin:telemetry_user", args=[user]) for user in ("alice", "bob"))
    assert alice in recent and bob not in recent, "alice's runs of an hour ago, not bob's"


def test_large_figures_are_grouped_for_people(admin_client, db):
    carol = Session.objects.create(session_id="dash-c", user_id="carol")
    RequestMetric.objects.create(
        session=carol,
        user_id="carol",
        ttft_ms=1234.5,
        total_time_ms=83_500.0,
        status="ok",
        input_tokens=1_672_618,
        output_tokens=317_100,
        timestamp=timezone.now() - timedelta(minutes=5),
    )
    rebuild_all()
    page = admin_client.get(reverse("admin:telemetry_dashboard")).content.decode()
    assert "1,672,618 → 317,100" in page
    assert "1,234.5" in page and "1.4 min" in page  # the slowest run; the heaviest user's time
    user_page = admin_client.get(reverse("admin:telemetry_user", args=["carol"])).content.decode()
    assert "1,672,618 → 317,100" in user_page
    listing = admin_client.get(reverse("admin:telemetry_requestmetric_changelist")).content
    assert "1,672,618 → 317,100" in listing.decode()
