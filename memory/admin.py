"""Admin for the notes users asked the assistant to remember."""

from __future__ import annotations

from django.contrib import admin

from memory.models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Notes saved through `db.insert`, by user."""

    list_display = ("created_at", "user_id", "session_id", "content")
    list_filter = ("user_id",)
    search_fields = ("content", "user_id", "session_id")
    ordering = ("-created_at",)
    show_full_result_count = False
