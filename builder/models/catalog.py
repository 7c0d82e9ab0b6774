"""The Catalog: one recipe folder after loading, as plain frozen values.

It lives beside the schema models (not in ``builder.load``) because every later step reads it:
checks, synthesis and rendering depend on this value type, never on the code that reads files.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import Problem
from builder.models.platforms import Platforms
from builder.models.recipe import Recipe
from builder.models.strategy import KvStore, Strategy
from builder.models.taxonomy import UNKNOWN_PROFILE, HardwareProfile, Taxonomy

MISSING: Any = object()
"""Stands for an input file that does not exist (as opposed to one that holds null)."""
Where = Callable[[tuple[Any, ...]], tuple[int, int]]
"""Maps a key path of a parsed file to the (line, column) it came from."""


@dataclass(frozen=True)
class RecipeEntry:
    """One recipe file: where it is, what it says (raw, for echoing) and its validated model."""

    hf_id: str
    path: Path
    display: str
    raw: dict[str, Any]
    recipe: Recipe
    where: Where
    source: str = ""
    """The file's text: some checks need what the author wrote, before YAML typed it."""

    @property
    def org(self) -> str:
        return self.hf_id.split("/", 1)[0]


@dataclass(frozen=True)
class StrategySource:
    """One strategies/*.yaml file as parsed, whether or not it passed the schema."""

    file_name: str
    display: str
    name: str
    """Its ``name``, else the file name without ``.yaml``."""
    data: Any
    where: Where | None
    valid: bool


@dataclass(frozen=True)
class RecipeSource:
    """One recipe file as parsed (``data`` None when it did not parse), valid or not."""

    hf_id: str
    display: str
    data: Any
    where: Where | None


@dataclass(frozen=True)
class Catalog:
    root: Path
    taxonomy: Taxonomy
    taxonomy_raw: dict[str, Any]
    strategies: dict[str, Strategy]
    strategies_raw: dict[str, dict[str, Any]]
    strategy_files: tuple[tuple[str, Any], ...]
    """(name, document) per valid strategy file, in file order — one API file each."""
    platforms_raw: Any
    """The parsed platforms.yaml, or MISSING when the file does not exist."""
    recipes: tuple[RecipeEntry, ...]
    where: dict[str, Where]
    """Positions per display path, for located messages about any input file."""
    warnings: tuple[Problem, ...] = ()
    """Cross-reference findings that do not stop a build (builder.check)."""
    strategy_sources: tuple[StrategySource, ...] = ()
    """Every strategy file that parsed, valid or not (checks name files that failed the schema)."""
    recipe_sources: tuple[RecipeSource, ...] = ()
    """Every recipe file, including those that failed to parse or failed the schema."""
    platforms: Platforms | None = None
    kv_stores: dict[str, KvStore] = field(default_factory=dict)
    """KV-store deployments (`kv_store/*.yaml`) by name; they share the strategies' namespace."""
    kv_store_files: tuple[tuple[str, Any], ...] | None = None
    """(name, document) per kv_store file in file order; None when the folder does not exist."""

    def profile(self, hw: str) -> HardwareProfile:
        return self.taxonomy.hardware_profiles.get(hw, UNKNOWN_PROFILE)

    def entry(self, hf_id: str) -> RecipeEntry | None:
        return next((e for e in self.recipes if e.hf_id == hf_id), None)
