"""manage.py forget USER: their memories and notes go; with --sessions, their idle chats too."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chat.models import Message, Session
from memory import longterm
from memory.models import MemoryItem, Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_and_bob(db) -> None:
    """Memories, notes and sessions of alice and of bob (bob's must outlive alice's)."""
    for user in ("alice", "bob"):
        longterm.put(user, longterm.MEMORIES, "k", {"text": f"My name is {user}."})
        Note.objects.create(user_id=user, content="buy milk")
        session = Session.objects.create(session_id=f"{user}-s", user_id=user)
        Message.objects.create(session=session, user_id=user, role="user", content="hi")


def forget(*args: str) -> str:
    """Run the command; what it printed."""
    out = StringIO()
    call_command("forget", *args, stdout=out)
    return out.getvalue()


def test_it_forgets_the_users_memories_and_notes_and_keeps_their_chats(alice_and_bob):
    assert forget("alice") == "Forgot alice: 1 memories, 1 notes.\n"
    assert list(MemoryItem.objects.values_list("user_id", flat=True)) == ["bob"]
    assert list(Note.objects.values_list("user_id", flat=True)) == ["bob"]
    assert Session.objects.filter(user_id="alice").exists()


def test_with_sessions_it_deletes_every_idle_chat_of_theirs(alice_and_bob):
    assert forget("alice", "--sessions").endswith("1 sessions.\n")
    assert list(Session.objects.values_list("user_id", flat=True)) == ["bob"]
    assert list(Message.objects.values_list("user_id", flat=True)) == ["bob"]


def test_a_session_with_an_active_run_is_left_and_named(alice_and_bob):
    Session.objects.filter(session_id="alice-s").update(active_run_id="a" * 24)
    with pytest.raises(CommandError, match="alice-s"):
        forget("alice", "--sessions")
    assert Session.objects.filter(session_id="alice-s").exists()
    assert not MemoryItem.objects.filter(user_id="alice").exists()
