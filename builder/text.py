"""Characters that must never reach a terminal or a page unescaped.

Recipe text is printed (commands, messages) and shown (pages). Some characters change what the
reader sees without being visible themselves: C0/C1 controls (ESC starts terminal escape
sequences, BEL rings), bidirectional overrides that reorder a line ("Trojan Source"), and
zero-width characters that make two different names look the same. The loader refuses them in
recipe files (:func:`first_invisible`); whatever we print is passed through :func:`safe_text` as
a last line of defence, so not even a path or an OS message can write raw ESC/BEL.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, line/paragraph separators.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
# Bidirectional embeddings, overrides and isolates, plus the implicit marks.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Zero-width and invisible formatting characters (U+FEFF inside text; a leading BOM is decoded away).
_INVISIBLE = "\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff"

INVISIBLE = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}]")
_INVISIBLE_IN_TEXT = re.compile(f"[{_BIDI}{_INVISIBLE}]")
_ESCAPE = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}\r]")


def describe(char: str) -> str:
    """`U+202E (a bidirectional override)`: what the character is, in words."""
    kind = ("a bidirectional control" if re.fullmatch(f"[{_BIDI}]", char)
            else "an invisible zero-width character" if re.fullmatch(f"[{_INVISIBLE}]", char)
            else "a control character")
    return f"U+{ord(char):04X} ({kind})"


def first_invisible(text: str) -> re.Match[str] | None:
    """The first bidi or zero-width character in a file's text (controls are the YAML reader's)."""
    return _INVISIBLE_IN_TEXT.search(text)


def safe_text(text: str) -> str:
    """`text` with every control, bidi and zero-width character written as a visible escape."""
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_REFUSED = re.compile(f"[{_CONTROL.replace(chr(0), chr(1), 1)}{_BIDI}{_INVISIBLE}]")
"""INVISIBLE without NUL: a NUL in an argument gets the shell check's own message."""


def invisible_in(node: object, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(key path, character) for every parsed key or string value holding a refused character."""
    if isinstance(node, str):
        hit = _REFUSED.search(node)
        if hit:
            yield path, hit.group()
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and _REFUSED.search(key):
                yield path + (key,), _REFUSED.search(key).group()  # type: ignore[union-attr]
            else:
                yield from invisible_in(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from invisible_in(value, path + (index,))
