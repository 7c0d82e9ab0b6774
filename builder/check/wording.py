"""How the cross-reference checks word what they find (dates, ids, names that point nowhere)."""
from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable

_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def safe_segment(text: object) -> bool:
    """One path segment made of ``[A-Za-z0-9._-]`` that is not ``.`` or ``..``."""
    return isinstance(text, str) and bool(_SEGMENT.fullmatch(text)) and text not in (".", "..")


def safe_model_id(text: object) -> bool:
    """``org/name``: exactly two safe segments (it becomes ``org/name.json`` and a folder)."""
    if not isinstance(text, str):
        return False
    parts = text.split("/")
    return len(parts) == 2 and all(safe_segment(p) for p in parts)


def closest(name: str, known: Iterable[str]) -> str | None:
    known = sorted(known)
    close = [k for k in known if k.lower() == name.lower()] or difflib.get_close_matches(name, known, n=1)
    return close[0] if close else None


def suggest(name: str, known: Iterable[str]) -> str:
    close = closest(name, known)
    return f' (did you mean "{close}"?)' if close else ""


def real_date(text: object) -> bool:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def bad_model_id(value: str | None) -> str:
    return (f'"{value}" is not a model id of the form org/name (letters, digits, ".", "_" and "-"; '
            'no ".." or extra "/"): it becomes a file path and is printed unquoted in commands')


def unknown_strategy(name: str, known: set[str]) -> str:
    if not safe_segment(name):
        return f'"{name}" is not a strategy name (names use letters, digits, ".", "_" and "-")'
    return f'unknown strategy "{name}": no strategies/*.yaml file has this name{suggest(name, known)}'


def unknown_feature(name: str, features: list[str]) -> str:
    listed = ", ".join(features) if features else "none"
    return (f'unknown feature "{name}": not declared under features (declared: {listed})'
            f"{suggest(name, features)}")
