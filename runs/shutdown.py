"""Ending runs cleanly when daphne stops (SIGTERM or SIGINT).

daphne runs Twisted's reactor, whose signal handlers turn SIGTERM into `reactor.stop()`.
Stopping fires the reactor's "before shutdown" triggers and waits for the Deferreds they
return; daphne's own trigger (registered when its server starts) cancels every application
instance. Ours is registered earlier, when the ASGI application is imported, so it runs
first: each run of this process stops at its last checkpoint and is handed over (another
process, or this server when it starts again, resumes it), each live stream ends with
`error` `server_shutdown` without an id (its client resumes elsewhere), within
RUN_SHUTDOWN_GRACE_SECONDS.

The same hook starts the run runtime as soon as the reactor runs, and a server's background
work with it: taking over the runs of stopped or dead processes (at once: a restarted single
server resumes its own), the webhook deliveries and the cron scheduler (a command's runtime
starts none of them).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import time
from typing import Any

from django.conf import settings

from crons.scheduler import Scheduler
from runs.executor import current_runtime, get_runtime
from runs.pruning import CheckpointPruner
from runs.recovery import Recovery
from webhooks.delivery import DeliveryWorker

DRAIN_SECONDS = 2.0
"""How long shutdown waits, at most, for the streams' last bytes to be written."""
DRAIN_POLL_SECONDS = 0.01


def install_server_hooks() -> bool:
    """Start runs with daphne's reactor and end them before it stops, if there is one.

    Returns False outside daphne (no reactor imported), where there is nothing to hook.
    """
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None:
        return False
    reactor.callWhenRunning(start_runs)
    reactor.addSystemEventTrigger("before", "shutdown", shutdown_runs)
    return True


def start_runs() -> None:
    """Start this process's run runtime (lease sweep, heartbeats, signals) and its workers."""
    asyncio.ensure_future(start_server_runtime())


async def start_server_runtime() -> None:
    """Start the runtime, then a server's background work.

    Taking over the runs of stopped or dead processes, webhook deliveries, crons, and the
    pruning of old checkpoints.
    """
    runtime = await get_runtime()
    runtime.start_workers(
        Recovery().run, DeliveryWorker().run, Scheduler().run, CheckpointPruner().run
    )


def shutdown_runs() -> Any:
    """Interrupt this process's runs; return a Deferred that fires once they are recorded.

    It fires only once every stream's last bytes have left the process: the reactor's next
    phase drops every connection at once, with whatever its transport still buffers.
    """
    runtime = current_runtime()
    if runtime is None:
        return None
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    async def shutdown() -> None:
        await runtime.shutdown(settings.RUN_SHUTDOWN_GRACE_SECONDS)
        await drained(reactor, DRAIN_SECONDS)

    # In a context of its own: the trigger runs inside whatever callback the reactor was in,
    # and a context copied from one inside `sync_to_async` makes every later call of it
    # refuse ("would deadlock"): the hand-over and the last rollups would be lost.
    task = asyncio.get_event_loop().create_task(shutdown(), context=contextvars.Context())
    return Deferred.fromFuture(task)


async def drained(reactor: Any, timeout: float) -> bool:
    """Wait until no transport has bytes left to write (at most `timeout` s); say if none has.

    Twisted writes a transport's buffer when its socket is writable, in a later turn of the
    loop; a transport with bytes pending is one of the reactor's writers until then.
    """
    deadline = time.monotonic() + timeout
    while reactor.getWriters():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(DRAIN_POLL_SECONDS)
    return True
