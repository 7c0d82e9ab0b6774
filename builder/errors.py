"""Errors that point at a place in a recipe file.

Every problem a user can fix is reported as ``path:line:column: key.path: reason`` so that an
editor or CI log links straight to it. Nothing here prints; the CLI decides how to show them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we know."""

    path: str
    line: int = 0
    column: int = 0
    key: str = ""
    message: str = ""
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        key = f" {self.key}:" if self.key else ""
        prefix = "" if self.severity == "error" else f" {self.severity}:"
        from builder.text import safe_text  # never a raw ESC/BEL on a terminal

        return safe_text(f"{where}:{prefix}{key} {self.message}")


class RecipeError(Exception):
    """Input that cannot be built. Carries one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:
        # Raised in forked build workers too: travel with the problems, not the joined text.
        return (RecipeError, (self.problems,))


def dotted(path: Iterable[object]) -> str:
    """``("model", "base_args", 2)`` -> ``"model.base_args[2]"``: the key path shown in messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def display_path(path: Path | str, root: Path | str | None = None) -> str:
    """The path as the user should see it: relative to ``root`` when possible."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(Path(root).resolve().parent).as_posix()
        except ValueError:
            pass
    return p.as_posix()
