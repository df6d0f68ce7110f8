"""API keys: created by the command or the service key, hashed at rest, revoked at once."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.keys import create_key, find_active_key
from accounts.models import ApiKey
from tests.conftest import ALICE


def me(client, key: str):
    """GET /v1/me with `key`."""
    return client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})


def test_createapikey_prints_a_working_key_once_and_stores_only_its_hash(client, db):
    out = io.StringIO()
    call_command("createapikey", ALICE, "--name", "cli", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    row = ApiKey.objects.get()
    assert (row.user_id, row.name) == (ALICE, "cli")
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert secret.startswith(row.prefix) and len(secret) >= 40
    assert me(client, secret).json()["userId"] == ALICE


def test_createapikey_refuses_a_malformed_user_id(db):
    with pytest.raises(CommandError, match="USER_ID"):
        call_command("createapikey", "../etc", stdout=io.StringIO())


def test_the_service_key_creates_a_key_that_acts_as_its_user(client, auth_headers, db):
    response = client.post(
        "/v1/keys",
        data={"userId": ALICE, "name": "web"},
        content_type="application/json",
        headers=auth_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "key", "prefix", "userId", "name", "createdAt"}
    assert (body["userId"], body["name"]) == (ALICE, "web")
    assert me(client, body["key"]).json()["keyId"] == body["id"]


def test_a_key_for_a_malformed_user_is_a_422(client, auth_headers, db):
    response = client.post(
        "/v1/keys", data={"userId": "a b"}, content_type="application/json", headers=auth_headers
    )
    assert response.status_code == 422


def test_a_revoked_key_stops_working_at_once(client, auth_headers, alice_key):
    key_id = me(client, alice_key).json()["keyId"]
    assert client.delete(f"/v1/keys/{key_id}", headers=auth_headers).status_code == 204
    response = me(client, alice_key)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert client.delete(f"/v1/keys/{key_id}", headers=auth_headers).status_code == 204


def test_revoking_an_unknown_key_is_a_404(client, auth_headers, db):
    response = client.delete("/v1/keys/000000000000000000000000", headers=auth_headers)
    assert response.status_code == 404


def test_an_unknown_key_of_the_right_shape_is_a_401(client, db):
    assert me(client, "oak_" + "x" * 43).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(db):
    new = create_key(ALICE)
    find = async_to_sync(find_active_key)
    find(new.secret)
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    find(new.secret)
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    find(new.secret)
    assert ApiKey.objects.get().last_used_at > first - timedelta(seconds=1)
    assert ApiKey.objects.get().last_used_at != first - timedelta(minutes=2)


def test_the_admin_lists_keys_and_revokes_them(admin_client, alice_key, bob_key):
    page = admin_client.get("/admin/accounts/apikey/")
    assert page.status_code == 200
    assert b"alice&#x27;s laptop" in page.content or b"alice's laptop" in page.content
    alice_row = ApiKey.objects.get(user_id=ALICE)
    response = admin_client.post(
        "/admin/accounts/apikey/",
        {"action": "revoke", "_selected_action": [alice_row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ApiKey.objects.get(pk=alice_row.pk).revoked
    assert not ApiKey.objects.get(user_id="bob").revoked
    assert admin_client.get(f"/admin/accounts/apikey/{alice_row.pk}/change/").status_code == 200
