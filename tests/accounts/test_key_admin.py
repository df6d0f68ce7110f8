"""The API keys page: active and revoked read right; Add creates a key and shows it once."""

from __future__ import annotations

from django.urls import reverse

from accounts.keys import create_key
from accounts.models import ApiKey

CHANGELIST = reverse("admin:accounts_apikey_changelist")
ADD = reverse("admin:accounts_apikey_add")


def test_an_active_key_reads_active_and_a_revoked_one_revoked(admin_client, db):
    active = create_key("alice", "laptop").row
    revoked = create_key("bob", "old phone").row
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at="2026-01-01T00:00:00Z")
    body = admin_client.get(CHANGELIST).content.decode()
    assert body.count('<span class="status status-active">active</span>') == 1
    assert body.count('<span class="status status-revoked">revoked</span>') == 1
    only_active = admin_client.get(CHANGELIST, {"status": "active"}).content.decode()
    assert active.prefix in only_active and revoked.prefix not in only_active


def test_add_creates_a_working_key_and_shows_its_secret_once(admin_client, client, db):
    response = admin_client.post(ADD, {"user_id": "carol", "name": "ci"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    key = ApiKey.objects.get(user_id="carol")
    start = body.index('class="secret-once">') + len('class="secret-once">')
    secret = body[start : body.index("</code>", start)]
    assert secret.startswith(key.prefix) and key.name == "ci"
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["userId"] == "carol"
    again = admin_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))
    assert secret not in again.content.decode()
    assert secret not in admin_client.get(CHANGELIST).content.decode()


def test_a_new_key_needs_a_user(admin_client, db):
    response = admin_client.post(ADD, {"user_id": "", "name": "x"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not ApiKey.objects.exists()
