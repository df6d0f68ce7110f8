"""The server says where its pages are once it listens, and repeats `make run`'s admin note."""

from __future__ import annotations

import subprocess
import sys

from harness.live_server import ROOT, copy_database, free_port, server_env, stop
from orchestration_site.server import notes_out_of, where_to_go
from tests.support.waiting import until

NOTE = "Created admin user 'admin' with password 'Zq3-example' (this run only; set ADMIN_PASSWORD)."


def test_notes_are_taken_out_of_daphnes_arguments():
    notes, rest = notes_out_of(["--note", NOTE, "-b", "127.0.0.1", "--note", " ", "-p", "9000"])
    assert notes == [NOTE] and rest == ["-b", "127.0.0.1", "-p", "9000"]


def test_the_pages_are_listed_for_the_address_served_then_the_notes():
    text = where_to_go(["-b", "0.0.0.0", "-p", "9000"], [NOTE])
    lines = text.splitlines()
    assert lines[0] == "Serving http://127.0.0.1:9000/ (Ctrl-C to stop)"
    for page in ("/admin/", "/docs", "/admin/telemetry/requestmetric/dashboard/", "/metrics"):
        assert f"http://127.0.0.1:9000{page}" in text
    assert lines[-1] == NOTE
    assert where_to_go(["-b", "::1", "-p", "80"]).startswith("Serving http://[::1]:80/")


def test_a_served_port_prints_its_urls_and_the_note_last(tmp_path, template_db):
    copy_database(template_db, tmp_path / "db.sqlite3")
    port = free_port()
    log = (tmp_path / "out.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration_site.server", "--note", NOTE]
        + ["-b", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=server_env(tmp_path / "db.sqlite3"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        output = tmp_path / "out.log"
        until(lambda: NOTE in output.read_text(), timeout=30, what="the note")
        text = output.read_text()
        assert f"Serving http://127.0.0.1:{port}/" in text
        assert text.index(f"http://127.0.0.1:{port}/admin/") < text.index(NOTE)
    finally:
        stop(process)
        log.close()
