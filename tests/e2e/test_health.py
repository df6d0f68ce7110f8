"""/health, /docs and /admin served by a real daphne with DEBUG off."""

from __future__ import annotations

import json

import httpx
import pytest

from harness.live_server import DATABASE_URL, MONGO_URI, live_server


def test_health_reports_the_database_up(server):
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.skipif(bool(MONGO_URI), reason="makes the SQL database unreachable")
def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    if DATABASE_URL:  # the suite's PostgreSQL pass: a server that does not listen
        env, backend = {"DATABASE_URL": "postgres://app@127.0.0.1:1/orchestrator"}, "postgresql"
    else:
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file where the database directory should be")
        env, backend = {"SQLITE_PATH": str(blocker / "db.sqlite3")}, "sqlite"
    with live_server(tmp_path / "down", **env) as down:
        response = httpx.get(f"{down.url}/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unreachable", "backend": backend}


def test_health_is_503_when_mongodb_is_unreachable(tmp_path):
    unreachable = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"
    with live_server(tmp_path / "mongo-down", MONGO_URI=unreachable, DATABASE_URL="") as down:
        response = httpx.get(f"{down.url}/health")
    assert response.status_code == 503
    assert response.json()["backend"] == "mongodb"


def test_docs_and_admin_are_served_with_static_files(server):
    assert httpx.get(f"{server.url}/docs").status_code == 200
    login = httpx.get(f"{server.url}/admin/login/")
    assert login.status_code == 200
    css = httpx.get(f"{server.url}/static/admin/css/base.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]


def test_the_server_ends_its_start_up_by_saying_where_each_page_is(server):
    log = server.log()
    assert f"Serving {server.url}/ (Ctrl-C to stop)" in log
    after = log[log.index("Serving ") :].splitlines()[1:]
    lines = [line for line in after if line.startswith("  ") and "http://" in line]
    urls = dict(line.rsplit(maxsplit=1) for line in lines)
    assert {name.strip() for name in urls} >= {"playground", "admin", "API docs", "metrics"}
    for url in urls.values():
        assert url.startswith(server.url)
        assert httpx.get(url).status_code in (200, 302), url  # the admin's pages ask for a login


def test_the_servers_access_lines_are_log_records_in_its_log_format(server):
    httpx.get(f"{server.url}/health?probe=access-log")
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith('{"time"')]
    access = [r for r in records if r.get("event") == "access" and "access-log" in r["path"]]
    assert access, "no access record for the request"
    assert access[-1]["logger"] == "access" and access[-1]["level"] == "INFO"
    assert (access[-1]["method"], access[-1]["status"]) == ("GET", 200)
    assert access[-1]["client"].startswith("127.0.0.1")
    assert not [line for line in server.log().splitlines() if '] "GET /health' in line]
