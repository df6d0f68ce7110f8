"""A real `redis-server` on a free loopback port, for tests of what crosses processes."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from harness.live_server import free_port, stop


@dataclass
class RedisServer:
    """A running redis-server: its URL and process."""

    url: str
    process: subprocess.Popen[bytes]

    def client(self) -> redis.Redis:
        """Return a synchronous client of this server (the caller closes it)."""
        return redis.Redis.from_url(self.url)


def redis_server_binary() -> str:
    """Return the path of Debian's redis-server; fail loudly when it is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: apt-get install redis-server")
    return binary


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    """Run redis-server on a free loopback port, without persistence, until the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=(workdir / "redis.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = RedisServer(f"redis://127.0.0.1:{port}/0", process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop(process)


def _wait_until_ready(server: RedisServer, timeout: float = 10) -> None:
    """Ping the server until it answers."""
    deadline = time.monotonic() + timeout
    with server.client() as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {server.process.returncode}")
            with contextlib.suppress(redis.ConnectionError):
                client.ping()
                return
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer in time")
