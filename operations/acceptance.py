"""The acceptance run against a live server: a context for the checks, and the runner."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from operations.client import StreamRejected, chat_body
from operations.transport import ChatTarget, ServerUnreachable, TurnOutcome, run_turn

CHECK_TIMEOUT_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 30.0


class CheckFailed(Exception):
    """The server behaved other than the documented contract says."""


def expect(condition: bool, reason: str) -> None:
    """Raise CheckFailed with `reason` unless `condition` holds."""
    if not condition:
        raise CheckFailed(reason)


@dataclass
class AcceptanceContext:
    """What every check needs: the server, its token, a shared client and this run's id."""

    url: str
    token: str
    client: httpx.AsyncClient
    run_id: str
    sessions: set[str] = field(default_factory=set)
    """The sessions this run's checks used (deleted at the end unless kept)."""

    @property
    def headers(self) -> dict[str, str]:
        """Return the authentication headers."""
        return {"Authorization": f"Bearer {self.token}"}

    def session_id(self, check: str) -> str:
        """Return the session id a check uses in this run (fresh each run)."""
        session_id = f"acceptance-{self.run_id}-{check}"
        self.sessions.add(session_id)
        return session_id

    async def clean_up(self) -> int:
        """Delete the sessions the checks used, with their records; return how many."""
        deleted = 0
        for session_id in sorted(self.sessions):
            with contextlib.suppress(httpx.HTTPError):
                response = await self.client.delete(
                    f"{self.url}/v1/sessions/{session_id}", headers=self.headers
                )
                deleted += response.status_code in (200, 204)
        return deleted

    async def turn(self, session_id: str, prompt: str) -> TurnOutcome:
        """Stream one turn in `session_id` as the acceptance user; it must end with `done`."""
        target = ChatTarget(url=self.url, token=self.token, client=self.client)
        outcome = await run_turn(target, chat_body(session_id, "acceptance-user", prompt))
        error = outcome.error
        expect(error is None, f"{prompt!r} ended in error: {error}")
        expect(outcome.done is not None, f"{prompt!r} ended without a done event")
        return outcome

    async def get_json(self, path: str) -> Any:
        """GET a JSON endpoint with the token; it must answer 200."""
        response = await self.client.get(f"{self.url}{path}", headers=self.headers)
        expect(response.status_code == 200, f"GET {path} answered {response.status_code}")
        return response.json()


Check = Callable[[AcceptanceContext], Awaitable[None]]


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, with the reason when it failed."""

    name: str
    passed: bool
    reason: str = ""

    def line(self) -> str:
        """Describe the verdict as `PASS name` or `FAIL name: reason`."""
        return f"PASS {self.name}" if self.passed else f"FAIL {self.name}: {self.reason}"


async def run_check(name: str, check: Check, context: AcceptanceContext) -> CheckResult:
    """Run one check; any exception it raises makes it fail with that exception as reason."""
    try:
        await asyncio.wait_for(check(context), CHECK_TIMEOUT_SECONDS)
    except (CheckFailed, StreamRejected, ServerUnreachable) as failed:
        return CheckResult(name, False, str(failed))
    except TimeoutError:
        return CheckResult(name, False, f"no verdict within {CHECK_TIMEOUT_SECONDS:.0f} s")
    except Exception as error:  # noqa: BLE001 - a broken check is reported, never fatal
        return CheckResult(name, False, f"{type(error).__name__}: {error}")
    return CheckResult(name, True)


async def run_acceptance(
    url: str,
    token: str,
    checks: Sequence[tuple[str, Check]],
    report: Callable[[CheckResult], None],
    *,
    keep: bool = False,
) -> tuple[list[CheckResult], int]:
    """Run every check in order against `url`, reporting each verdict as it is reached.

    Returns the verdicts and how many of the checks' sessions were deleted afterwards (none
    with `keep`: they stay for inspection).
    """
    results = []
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
        context = AcceptanceContext(url.rstrip("/"), token, client, secrets.token_hex(4))
        for name, check in checks:
            result = await run_check(name, check, context)
            report(result)
            results.append(result)
        deleted = 0 if keep else await context.clean_up()
    return results, deleted


def summary_line(results: Sequence[CheckResult]) -> str:
    """The closing verdict: `RESULTS: p/n passed (f failed)`."""
    passed = sum(result.passed for result in results)
    return f"RESULTS: {passed}/{len(results)} passed ({len(results) - passed} failed)"
