"""From argument tokens to what users copy: de-duplication, quoting, line layout (spec §6.8–6.10)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_BARE_VAR = re.compile(r"\$[A-Z_][A-Z0-9_]*")
_SAFE = re.compile(r"[A-Za-z0-9_./=:@,+%-]+")
CONTINUATION = " \\\n  "


def quote(value: str) -> str:
    """Single-quote a value for bash unless it is plainly safe or a bare ``$VAR`` placeholder."""
    if _BARE_VAR.fullmatch(value) or _SAFE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def is_flag(token: str) -> bool:
    return token.startswith("-")


def _units(tokens: list[str]) -> list[tuple[str, ...]]:
    """Group tokens into (flag, value), (flag,) and (positional,) units, left to right."""
    units: list[tuple[str, ...]] = []
    append = units.append
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok[:1] == "-" and i + 1 < n and tokens[i + 1][:1] != "-":
            append((tok, tokens[i + 1]))
            i += 2
        else:
            append((tok,))
            i += 1
    return units


def dedupe(tokens: Iterable[str]) -> list[str]:
    """Drop empty tokens and keep only the last occurrence of each flag, in place (§6.8).

    Later stages (hardware overrides, features) override earlier ones simply by repeating a flag.
    """
    units = _units([t for t in tokens if t])
    seen: set[str] = set()
    kept: list[tuple[str, ...]] = []
    for unit in reversed(units):
        head = unit[0]
        if head[:1] == "-":
            if head in seen:
                continue
            seen.add(head)
        kept.append(unit)
    kept.reverse()
    return [tok for unit in kept for tok in unit]


def command_lines(tokens: list[str]) -> list[str]:
    """One line per flag (with its quoted value); flags and positionals are never quoted (§6.9)."""
    return [unit[0] if len(unit) == 1 else f"{unit[0]} {quote(unit[1])}" for unit in _units(tokens)]


def join_command(head: str, lines: list[str]) -> str:
    return head + CONTINUATION + CONTINUATION.join(lines) if lines else head


@lru_cache(maxsize=8192)
def finish(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """De-duplicated tokens and their command lines. Memoized: the same argument list recurs
    across many hardware/strategy pairs of a recipe, and both steps are pure."""
    kept = dedupe(tokens)
    return tuple(kept), tuple(command_lines(kept))
