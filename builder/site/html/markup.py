"""Small helpers for writing HTML fragments into generated Markdown pages.

Every recipe string is contributor input, so nothing reaches a page without going through
:func:`esc` (text and attribute values) or :func:`href` (URLs). Fragments are emitted as single
lines so Python-Markdown treats each block as raw HTML and leaves it alone.
"""
from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

AttrValue = str | int | bool | None


def esc(value: object) -> str:
    """Escape text for HTML element content and quoted attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def attrs(values: Mapping[str, AttrValue]) -> str:
    """Render `key="value"` pairs; `None`/`False` drop the attribute, `True` writes it bare."""
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        parts.append(key if value is True else f'{key}="{esc(value)}"')
    return (" " + " ".join(parts)) if parts else ""


def tag(name: str, content: str = "", /, **values: AttrValue) -> str:
    """An element with already-safe `content`; `class_` stands for `class`."""
    fixed = {k.rstrip("_").replace("_", "-"): v for k, v in values.items()}
    return f"<{name}{attrs(fixed)}>{content}</{name}>"


def url_path(*segments: str) -> str:
    """Percent-encode path segments (hf ids are `org/repo`, both parts may hold odd characters)."""
    return "/".join(quote(s, safe="-._~") for s in segments)


def rel(from_url: str, to_url: str) -> str:
    """Relative link between two site-root URLs such as `zai-org/GLM-5.2/` and `browse/`.

    Relative links keep the site working under any base path and with `mkdocs serve`.
    """
    src_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    target = posixpath.relpath("/" + to_url, "/" + src_dir) if to_url else posixpath.relpath("/", "/" + src_dir)
    if to_url.endswith("/") or to_url == "":
        target = "./" if target == "." else target + "/"
    return target


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(value: str) -> str:
    """A stable id fragment for element ids (hf ids contain `/` and `.`)."""
    return _SLUG.sub("-", value.lower()).strip("-")


def blocks(parts: Iterable[str]) -> str:
    """Markdown blocks separated by blank lines; empty parts are skipped."""
    return "\n\n".join(p.strip("\n") for p in parts if p and p.strip()) + "\n"
