"""Features that set the same flag: a bounded number, so every combination can be shown.

Each feature is a toggle on the recipe page. When several features set one flag, the last one on
wins, so the page cannot compose their commands piece by piece and stores one command per
combination instead — 2^n of them. Up to eight is fine (256 combinations); more would make the
page huge, so it is a located error rather than a build that fails halfway through the pages.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from builder.errors import Problem

if TYPE_CHECKING:
    from builder.models import RecipeEntry

MAX_FEATURES_PER_FLAG = 8
"""Must not exceed builder.site.command_builder.features.EXHAUSTIVE_LIMIT."""


def _flags(args: list[str]) -> set[str]:
    return {a.split("=", 1)[0] for a in args if a.startswith("-")}


def shared_flag_problems(entry: RecipeEntry) -> list[Problem]:
    """An error on the first feature past the limit, for each flag too many features set."""
    setters: dict[str, list[str]] = {}
    for name, feature in entry.recipe.features.items():
        if feature is None:
            continue
        flags = _flags(list(feature.args))
        for override in feature.hardware_overrides.values():
            if override is not None and override.args is not None:
                flags |= _flags(list(override.args))
        for flag in flags:
            setters.setdefault(flag, []).append(name)
    problems = []
    for flag, names in setters.items():
        if len(names) > MAX_FEATURES_PER_FLAG:
            extra = names[MAX_FEATURES_PER_FLAG]
            try:
                line, column = entry.where(("features", extra))
            except (LookupError, TypeError, ValueError):
                line, column = 0, 0
            problems.append(Problem(entry.display, line, column, f"features.{extra}",
                                    f"{len(names)} features set {flag} ({', '.join(names)}); at most "
                                    f"{MAX_FEATURES_PER_FLAG} may set one flag, so that the page can show every "
                                    "combination — merge some of them"))
    return problems
