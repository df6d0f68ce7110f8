"""The server says where its pages are once it listens, and repeats `make run`'s admin note.

The note (a new admin's password) reaches the server in a file only its user can read, which
the server removes once read: no secret of ours is ever on a command line, where any local
user reads it (`ps`, /proc/*/cmdline).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

from harness.live_server import ROOT, copy_database, free_port, server_env, stop
from orchestration_site.server import notes_out_of, where_to_go
from tests.support.waiting import until

NOTE = "Created admin user 'admin' with password 'Zq3-example' (this run only; set ADMIN_PASSWORD)."


def note_file(tmp_path: Path, text: str = NOTE, name: str = "admin-note") -> Path:
    """A note file as ensureadmin writes it."""
    path = tmp_path / name
    path.write_text(text + "\n")
    return path


def test_note_files_are_read_removed_and_taken_out_of_daphnes_arguments(tmp_path):
    path, blank = note_file(tmp_path), note_file(tmp_path, " ", "blank-note")
    argv = ["--note-file", str(path), "-b", "127.0.0.1", "--note-file", str(blank), "-p", "9000"]
    notes, rest = notes_out_of([*argv, "--note-file", str(tmp_path / "missing")])
    assert [note.strip() for note in notes] == [NOTE] and rest == ["-b", "127.0.0.1", "-p", "9000"]
    assert not path.exists() and not blank.exists()


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
        [sys.executable, "-m", "orchestration_site.server", "--note-file", str(note_file(tmp_path))]
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


def command_lines() -> list[str]:
    """Every process's command line on this machine (those we may read)."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # the process ended
    return lines


def test_ensureadmin_writes_its_note_to_a_file_only_its_user_reads(tmp_path, template_db):
    db = tmp_path / "db.sqlite3"
    copy_database(template_db, db)
    note = tmp_path / "note"
    subprocess.run(
        [sys.executable, "manage.py", "ensureadmin", "--note-file", str(note)],
        cwd=ROOT,
        env=server_env(db, ADMIN_USERNAME="note-admin", ADMIN_PASSWORD=""),
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    assert re.search(r"Created admin user 'note-admin' with password '[^']+'", note.read_text())


def test_make_run_never_puts_the_admin_password_on_a_command_line(tmp_path, template_db):
    db = tmp_path / "db.sqlite3"
    copy_database(template_db, db)
    port, output = free_port(), tmp_path / "make-run.log"
    env = server_env(db, ADMIN_USERNAME="ps-admin", ADMIN_PASSWORD="")
    env.pop("MAKEFLAGS", None)
    with output.open("wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}", f"ADMIN_NOTE={tmp_path / 'n'}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        said = re.compile(r"Created admin user 'ps-admin' with password '([^']+)'")
        until(lambda: said.search(output.read_text()), timeout=120, what="the admin's password")
        password = said.search(output.read_text()).group(1)
        assert f"http://127.0.0.1:{port}/admin/" in output.read_text()
        assert not (tmp_path / "n").exists(), "the note file is removed once read"
        leaked = [line for line in command_lines() if password in line]
        assert leaked == []
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        try:
            make.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
