"""LangGraph's own server, `langgraph dev` (langgraph-cli[inmem]), over the reference graph.

It runs from a virtualenv of its own (`.venv-peers`, requirements/peers.txt; `make bench-peers`
builds it), in a copy of `bench/peers/reference` (the server writes `.langgraph_api/` beside
its config), on a free loopback port, with tracing and analytics off (this machine reaches no
network, and the figures are the server's own).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from harness.live_server import ROOT, LiveServer, stop
from harness.ports import free_port

VENV = ROOT / ".venv-peers"
REFERENCE = Path(__file__).resolve().parent / "reference"
QUIET = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGSMITH_API_KEY": "",
    "PYTHONUNBUFFERED": "1",
}


def available(venv: Path = VENV) -> bool:
    """Whether the peer's virtualenv is installed."""
    return (venv / "bin" / "langgraph").exists()


@contextlib.contextmanager
def langgraph_dev(workdir: Path, *, answer_tokens: int, venv: Path = VENV) -> Iterator[LiveServer]:
    """Run `langgraph dev --no-reload` over a copy of the reference graph; yield it."""
    app = workdir / "langgraph-dev"
    shutil.copytree(REFERENCE, app, ignore=shutil.ignore_patterns("__pycache__"))
    port = free_port()
    log_path = app / "server.log"
    command = [str(venv / "bin" / "langgraph"), "dev", "--config", "langgraph.json"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"]
    environment = {**os.environ, **QUIET, "PEER_ANSWER_TOKENS": str(answer_tokens)}
    environment.pop("VIRTUAL_ENV", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=app, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, app / "none")
    try:
        wait_until_ok(server)
        yield server
    finally:
        stop(process)


def wait_until_ok(server: LiveServer, timeout: float = 90) -> None:
    """Poll `/ok` until the server answers 200 (it loads the graph first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"langgraph dev exited: {server.log()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/ok", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"langgraph dev did not start in time: {server.log()[-2000:]}")
