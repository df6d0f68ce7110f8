"""Run a command (the test suite) with DATABASE_URL on a fresh PostgreSQL cluster of its own.

`python -m harness.on_postgres pytest -q` starts a cluster (harness/postgres_server.py), runs
the command with DATABASE_URL pointing at it, stops and removes the cluster, and exits with
the command's status. `make test` runs the suite this way after its SQLite run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from harness.postgres_server import postgres_server


def main(argv: list[str]) -> int:
    """Run `argv` against a fresh cluster; return its exit status."""
    if not argv:
        sys.stderr.write("usage: python -m harness.on_postgres COMMAND [ARGS...]\n")
        return 2
    with postgres_server() as server:
        url = server.url("orchestrator")
        sys.stderr.write(f"PostgreSQL cluster on 127.0.0.1:{server.port}: {url}\n")
        environment = {**os.environ, "DATABASE_URL": url, "MONGO_URI": ""}
        return subprocess.run(argv, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
