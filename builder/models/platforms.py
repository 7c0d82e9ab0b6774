"""Third-party places to self-host vLLM (``platforms.yaml``)."""
from __future__ import annotations

from builder.models._base import Schema


class Platform(Schema):
    id: str
    name: str
    url: str
    blurb: str = ""
    install: str | None = None


class Platforms(Schema):
    platforms: list[Platform] = []
