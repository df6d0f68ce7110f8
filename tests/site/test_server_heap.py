"""The server entry freezes its start-up heap out of later garbage collections."""

from __future__ import annotations

import gc

import pytest

from orchestration_site.server import GC_GEN0_THRESHOLD, settle_start_up_heap


@pytest.fixture
def restored_collector():
    """Give the test process its collector back as it was."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_application_and_what_it_imported_are_frozen_before_serving(restored_collector):
    settle_start_up_heap("orchestration_site.asgi:application")
    assert gc.get_freeze_count() > 100_000, "Django, LangGraph and the project are frozen"
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
    assert gc.get_count()[0] < 1_000, "collected just before freezing"


def test_an_application_that_does_not_import_stops_the_server(restored_collector):
    with pytest.raises(ModuleNotFoundError):
        settle_start_up_heap("no_such_module:application")
