"""Keys of the named users: alice's key must never reach bob's data (see tests/conftest.py)."""

from __future__ import annotations

import pytest

from accounts.keys import create_key
from tests.conftest import ALICE, BOB


@pytest.fixture
def alice_key(db) -> str:
    """A user key acting as alice."""
    return create_key(ALICE, "alice's laptop").secret


@pytest.fixture
def bob_key(db) -> str:
    """A user key acting as bob."""
    return create_key(BOB, "bob's phone").secret


def header_forms(key: str) -> list[dict[str, str]]:
    """Both ways of presenting a key: `Authorization: Bearer` and the original `token:`."""
    return [{"Authorization": f"Bearer {key}"}, {"token": key}]
