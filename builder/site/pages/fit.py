"""The fit matrix on a recipe page: for every variant × hardware, how many nodes it takes.

The compatibility rules themselves live in :mod:`builder.synth.hardware` (the same ones that
decide which API documents exist); this module only turns them into cells a reader can scan.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from builder.models import HardwareProfile, Recipe
from builder.synth.hardware import (
    allowed_by_variant,
    fits,
    incompatibility,
    precision_runs_on,
)


@dataclass(frozen=True)
class FitCell:
    hardware: str
    variant: str
    nodes: Optional[int]
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


def _scales(recipe: Recipe) -> bool:
    return any(s.startswith("multi_node_") for s in recipe.compatible_strategies)


def cell(recipe: Recipe, key: str, hw: str, profile: HardwareProfile) -> FitCell:
    variant = recipe.variants[key]
    name = profile.display_name or hw
    reason = incompatibility(recipe, variant, hw, profile)
    if reason is not None:
        if not precision_runs_on(variant, profile):
            short = "Blackwell only"
        elif not allowed_by_variant(variant, hw):
            short = "not published"
        else:
            short = "unsupported"
        return FitCell(hw, key, None, short, reason[0].upper() + reason[1:] + ".")
    need, have = float(variant.vram_minimum_gb or 0), float(profile.vram_gb or 0)
    nodes = 1 if fits(variant, profile) or have <= 0 else math.ceil(need / have)
    if nodes > 1 and not profile.scalable:
        return FitCell(hw, key, None, "too small",
                       f"Needs {need:g} GB but {name} has {have:g} GB and cannot be clustered.")
    if nodes > 1 and not _scales(recipe):
        return FitCell(hw, key, None, "too small",
                       f"Needs {need:g} GB, more than one {name} node ({have:g} GB), "
                       "and this recipe has no multi-node strategy.")
    label = "1 node" if nodes == 1 else f"{nodes} nodes"
    detail = (f"Fits one {name} node ({need:g} of {have:g} GB for weights)." if nodes == 1 else
              f"Needs {need:g} GB: {nodes} × {name} nodes of {have:g} GB each.")
    return FitCell(hw, key, nodes, label, detail)


def fit_matrix(recipe: Recipe, hardware: dict[str, HardwareProfile]) -> FitMatrix:
    cols = columns(recipe, hardware)
    rows = tuple((key, tuple(cell(recipe, key, hw, hardware[hw]) for hw in cols)) for key in recipe.variants)
    return FitMatrix(cols, rows)
