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
    """A running redis-server: its URL and process (stopped and started again on its port)."""

    url: str
    process: subprocess.Popen[bytes]
    port: int
    workdir: Path

    def client(self) -> redis.Redis:
        """Return a synchronous client of this server (the caller closes it)."""
        return redis.Redis.from_url(self.url)

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a crash would: its data is gone (no persistence)."""
        self.process.kill()
        self.process.wait(timeout=10)

    def start(self) -> None:
        """Start it again on the same port, and wait until it answers."""
        self.process = launch(self.port, self.workdir)
        _wait_until_ready(self)


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
    server = RedisServer(f"redis://127.0.0.1:{port}/0", launch(port, workdir), port, workdir)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop(server.process)


def launch(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """Start redis-server on `port` (loopback), logging to `workdir`/redis.log."""
    return subprocess.Popen(
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
        stdout=(workdir / "redis.log").open("ab"),
        stderr=subprocess.STDOUT,
    )


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
