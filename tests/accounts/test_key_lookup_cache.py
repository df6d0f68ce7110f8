"""Each process reuses a looked-up API key for API_KEY_CACHE_SECONDS; revocations still count."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import keys
from accounts.keys import create_key, lookup_active_key, revoke_key
from accounts.models import ApiKey
from tests.conftest import ALICE
from tests.support.waiting import until

lookup = async_to_sync(lookup_active_key)


@pytest.fixture(autouse=True)
def no_recent_keys():
    """Every test starts and ends with an empty per-process key cache."""
    keys._recent.clear()
    yield
    keys._recent.clear()


def revoke_elsewhere(key_id: str) -> None:
    """Revoke the key the way another process does: a database write this one never sees."""
    ApiKey.objects.filter(pk=key_id).update(revoked_at=timezone.now())


def test_a_key_looked_up_again_within_the_bound_costs_no_query(db):
    new = create_key(ALICE)
    assert lookup(new.secret).pk == new.row.pk
    with CaptureQueriesContext(connection) as queries:
        assert lookup(new.secret).pk == new.row.pk
    assert len(queries) == 0


def test_a_key_revoked_by_another_process_stops_working_once_the_bound_has_passed(db, settings):
    settings.API_KEY_CACHE_SECONDS = 1.0
    new = create_key(ALICE)
    assert lookup(new.secret) is not None
    revoke_elsewhere(new.row.pk)
    assert lookup(new.secret) is not None, "within the bound, the cached key is served"
    until(lambda: lookup(new.secret) is None, timeout=5, what="the revocation was seen")


def test_a_key_revoked_through_this_process_stops_working_at_once(db):
    new = create_key(ALICE)
    assert lookup(new.secret) is not None
    assert async_to_sync(revoke_key)(new.row.pk)
    assert lookup(new.secret) is None


def test_with_the_cache_off_every_lookup_reads_the_database(db, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    new = create_key(ALICE)
    assert lookup(new.secret) is not None
    revoke_elsewhere(new.row.pk)
    assert lookup(new.secret) is None


def test_an_unknown_key_is_not_remembered_so_a_new_key_works_at_once(db):
    assert lookup("oak_" + "y" * 43) is None
    assert keys._recent == {}


def test_the_admin_revoke_action_stops_the_key_at_once(admin_client, db):
    new = create_key(ALICE)
    assert lookup(new.secret) is not None
    admin_client.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [new.row.pk]}
    )
    assert ApiKey.objects.get(pk=new.row.pk).revoked
    assert lookup(new.secret) is None
