"""A Content-Security-Policy for recipe pages: scripts from the site itself, and no other inline code.

Recipe text is untrusted, so even if some of it ever reached the page as markup, nothing in it
may run. The policy allows scripts from our own origin plus the inline scripts the theme itself
writes, each pinned by its SHA-256 hash (computed from the finished page, so a theme update
cannot silently widen it). Inline event handlers and `javascript:` URLs are never allowed. The
builder's data sits in a `<template>`, which is inert and needs no exception.
"""
from __future__ import annotations

import base64
import hashlib
import re

_INLINE = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")


def inline_hashes(html: str) -> list[str]:
    """`'sha256-…'` sources for every inline script that a browser would execute."""
    out = []
    for attrs, body in _INLINE.findall(html):
        kind = re.search(r"type=[\"']?([^\"' >]+)", attrs)
        if kind and kind.group(1).lower() in _DATA_TYPES:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out


def policy(html: str) -> str:
    scripts = " ".join(["'self'", *inline_hashes(html)])
    return (f"default-src 'self'; script-src {scripts}; script-src-attr 'none'; object-src 'none'; "
            "base-uri 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
            "font-src 'self' data:; connect-src 'self'; frame-src 'none'")


def with_csp(html: str) -> str:
    """The page with the policy as the first element of <head> (before any script it governs)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return re.sub(r"<head([^>]*)>", lambda m: f"<head{m.group(1)}>{meta}", html, count=1)
