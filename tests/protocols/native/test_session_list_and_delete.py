"""GET /v1/sessions (newest first, by cursor) and DELETE /v1/sessions/{id} (every record)."""

from __future__ import annotations

from chat.models import Message, Session, Suggestion
from memory.models import Note
from runs.forget import SESSION_RECORDS
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall
from tests.conftest import ALICE


def test_sessions_come_newest_first_page_by_page(client, auth_headers, db):
    for number in range(5):
        Session.objects.create(session_id=f"s{number}", user_id=ALICE)
    seen, cursor = [], ""
    while True:
        page = client.get(f"/v1/sessions?limit=2{cursor}", headers=auth_headers).json()
        seen += [row["sessionId"] for row in page["sessions"]]
        if page["nextCursor"] is None:
            break
        cursor = f"&cursor={page['nextCursor']}"
    assert seen == ["s4", "s3", "s2", "s1", "s0"]


def test_a_bad_page_size_is_a_422(client, auth_headers, db):
    assert client.get("/v1/sessions?limit=0", headers=auth_headers).status_code == 422


def test_deleting_a_session_deletes_every_record_of_it_and_nothing_else(
    client, auth_headers, alice_session, bob_session
):
    message = alice_session.messages.first()
    Suggestion.objects.create(session=alice_session, message=message, suggestions=["a", "b", "c"])
    ToolCall.objects.create(session=alice_session, user_id=ALICE, tool="db.find")
    run = Run.objects.create(
        session=alice_session, user_id=ALICE, status="ok", user_message=message
    )
    RequestMetric.objects.create(session=alice_session, message=message, run=run)
    Note.objects.create(user_id=ALICE, session_id="alice-s1", content="kept: notes are the user's")
    response = client.delete("/v1/sessions/alice-s1", headers=auth_headers)
    assert response.status_code == 204
    for model in (*SESSION_RECORDS, Session):
        assert not model.objects.filter(session_id="alice-s1").exists(), model
    assert Message.objects.filter(session_id="bob-s1").count() == 1
    assert Note.objects.filter(user_id=ALICE).count() == 1
    assert client.get("/v1/sessions/alice-s1", headers=auth_headers).status_code == 404


def test_a_session_with_an_active_run_is_not_deleted(client, auth_headers, alice_session):
    run = Run.objects.create(session=alice_session, user_id=ALICE, status="running")
    Session.objects.filter(pk=alice_session.pk).update(active_run_id=run.pk)
    response = client.delete("/v1/sessions/alice-s1", headers=auth_headers)
    assert response.status_code == 409
    assert "active run" in response.json()["detail"]
    assert Run.objects.filter(pk=run.pk).exists()
    assert Message.objects.filter(session_id="alice-s1").count() == 2
