"""The native protocol as a Django app: the playground's template and static files."""

from __future__ import annotations

from django.apps import AppConfig


class NativeConfig(AppConfig):
    """The original's chat stream and JSON API, and the playground that drives them."""

    name = "protocols.native"
    label = "native"
    verbose_name = "Native protocol"
