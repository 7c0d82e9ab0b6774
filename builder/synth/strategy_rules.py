"""Per-hardware strategy rules of a recipe (spec 2026-08 §5.7): hardware-keyed maps, the
effective strategy list, the `strategy_hardware` gate, GPU floors and reachability."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from builder.models import HardwareProfile, Recipe

if TYPE_CHECKING:
    from builder.models import Catalog

MAX_NODES = 16
"""Largest cluster a multi-node or PD strategy may use when checking a floor (§5.7.5)."""


def hw_lookup(table: Any, hw: str, profile: HardwareProfile) -> Any:
    """§5.7.1: exact id, then generation, then lower-cased brand, then `default`; null falls through."""
    if not isinstance(table, dict):
        return None
    for key in (hw, profile.gen, (profile.brand or "").lower(), "default"):
        if key and table.get(key) is not None:
            return table[key]
    return None


def gate(recipe: Recipe, name: str, hw: str, profile: HardwareProfile) -> bool:
    """§5.7.3: the per-hardware switch if one matches, else membership of `compatible_strategies`."""
    value = hw_lookup(recipe.strategy_hardware.get(name), hw, profile)
    if value is not None:
        return bool(value != "unsupported")
    return name in recipe.compatible_strategies


def _block(block: Any, key: str) -> int:
    if block is None:
        return 0
    if isinstance(block, int) and not isinstance(block, bool):
        return block
    if isinstance(block, dict):
        for candidate in (key, "multi_node_" + key, "single_node_" + key):
            if block.get(candidate) is not None:
                return int(block[candidate])
    return 0


def min_gpus(recipe: Recipe, key: str, hw: str) -> int:
    """§5.7.4: the GPU floor of a strategy or PD pool mode on one hardware id (exact id only)."""
    floors = recipe.strategy_min_gpus
    if floors is None:
        return 0
    if isinstance(floors, int):
        return floors
    return max(_block(floors, key), _block(floors.get(hw), key))


def gpus_per_node(profile: HardwareProfile) -> int:
    return profile.gpu_count or 8


def floor_nodes(recipe: Recipe, key: str, hw: str, profile: HardwareProfile) -> int:
    """Nodes needed to reach the floor; at least 1."""
    return max(1, math.ceil(min_gpus(recipe, key, hw) / gpus_per_node(profile)))


def deploy_type(catalog: Catalog, name: str) -> str | None:
    strategy = catalog.strategies.get(name)
    if strategy is not None:
        return strategy.deploy_type
    kv = catalog.kv_stores.get(name)
    return kv.deploy_type if kv is not None else None


def reachable(catalog: Catalog, recipe: Recipe, name: str, hw: str, profile: HardwareProfile) -> bool:
    """§5.7.5: the floor fits in one node (single-node) or in 16 nodes (multi-node, PD)."""
    most = MAX_NODES if deploy_type(catalog, name) in ("multi_node", "pd_cluster") else 1
    return most * gpus_per_node(profile) >= min_gpus(recipe, name, hw)


def nodes_for(catalog: Catalog, recipe: Recipe, name: str, hw: str, profile: HardwareProfile) -> int:
    """§5.4 step 7: 2 for a multi-node strategy document, raised to the floor."""
    base = 2 if deploy_type(catalog, name) == "multi_node" else 1
    return max(base, floor_nodes(recipe, name, hw, profile))
