"""The fit matrix on a recipe page: for every variant × hardware, how many nodes it takes.

The answers come from :func:`builder.synth.select.fit` (the same rules that decide which API
documents exist); this module only lays them out as cells a reader can scan.
"""
from __future__ import annotations

from dataclasses import dataclass

from builder.models import HardwareProfile, Recipe
from builder.synth.select import fit


@dataclass(frozen=True)
class FitCell:
    hardware: str
    variant: str
    nodes: int | None
    """Nodes the weights need there; None when the pair cannot run."""
    short: str
    """What the cell shows, e.g. `1 node` or `Blackwell only`."""
    detail: str
    """One sentence for the tooltip."""


@dataclass(frozen=True)
class FitMatrix:
    hardware: tuple[str, ...]
    rows: tuple[tuple[str, tuple[FitCell, ...]], ...]
    """(variant key, one cell per hardware column)."""


def columns(recipe: Recipe, hardware: dict[str, HardwareProfile]) -> tuple[str, ...]:
    """Taxonomy order; restricted profiles (TPU, CPU, workstations) only when the recipe lists them."""
    return tuple(hw for hw, p in hardware.items() if not p.restricted or hw in recipe.meta.hardware)


def cell(recipe: Recipe, key: str, hw: str, profile: HardwareProfile) -> FitCell:
    answer = fit(recipe, key, hw, profile)
    return FitCell(hw, key, answer.nodes, answer.short, answer.detail)


def fit_matrix(recipe: Recipe, hardware: dict[str, HardwareProfile]) -> FitMatrix:
    cols = columns(recipe, hardware)
    rows = tuple((key, tuple(cell(recipe, key, hw, hardware[hw]) for hw in cols)) for key in recipe.variants)
    return FitMatrix(cols, rows)
