"""The server listens with a deep accept queue, so a burst of connections is not dropped."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlparse

from orchestration_site.server import LISTEN_BACKLOG, with_backlog


def listen_queue_size(port: int) -> int:
    """The accept-queue size (`ss` Send-Q) of the socket listening on 127.0.0.1:`port`.

    `ss` is Debian's iproute2, which `make test` installs when it is missing.
    """
    assert shutil.which("ss"), "ss is not installed: apt-get install iproute2"
    out = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return int(out.split()[2])


def test_the_running_server_listens_with_the_larger_backlog(server):
    assert listen_queue_size(urlparse(server.url).port) == LISTEN_BACKLOG


def test_only_tcp_endpoints_without_a_backlog_get_one():
    assert with_backlog(["tcp:port=80:interface=127.0.0.1", "unix:/tmp/s", "tcp:8:backlog=5"]) == [
        f"tcp:port=80:interface=127.0.0.1:backlog={LISTEN_BACKLOG}",
        "unix:/tmp/s",
        "tcp:8:backlog=5",
    ]
