"""Admin for the notes users asked the assistant to remember."""

from __future__ import annotations

from django.contrib import admin
from django.utils.safestring import SafeString

from console.toolkit import short, user_link
from memory.models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Notes saved through `db.insert`, newest first, each linked to its user's page."""

    list_display = ("created_at", "user_column", "session_id", "content_column")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("content", "user_id", "session_id")
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="user", ordering="user_id")
    def user_column(self, note: Note) -> str:
        """Link to the user's page."""
        return user_link(note.user_id)

    @admin.display(description="content")
    def content_column(self, note: Note) -> SafeString:
        """The note's first 80 characters, all of it on hover."""
        return short(note.content, 80)
