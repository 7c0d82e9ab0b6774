"""Building blocks for deciding what to render on one hardware (spec §5.4–5.5): usable strategies,
node counts, the recommended strategy and the prefill/decode node plan. `layout` combines them
with the 2026-08 rules; `modes` owns the enabled features."""
from __future__ import annotations

import math

from builder.models import HardwareProfile, Recipe, Variant
from builder.synth.hardware import fits

PD = "pd_cluster"
MULTI = "multi_node_"
SINGLE = "single_node_"
SKIP = "skip"
MAX_POOL_NODES = 4

PdPlan = None | int | str
"""None: co-located roles (or no sizes known); int: dedicated nodes per role; SKIP: too large."""


def usable_strategies(recipe: Recipe, profile: HardwareProfile) -> list[str]:
    """Compatible strategies, minus multi-node and PD on hardware that cannot be clustered."""
    names = list(recipe.compatible_strategies)
    if profile.scalable is False:
        names = [s for s in names if not s.startswith(MULTI) and s != PD]
    return names


def node_count(variant: Variant, profile: HardwareProfile, strategies: list[str]) -> int:
    """2 when the weights do not fit one node and the recipe can go multi-node, else 1."""
    if not fits(variant, profile) and profile.scalable is not False and any(s.startswith(MULTI) for s in strategies):
        return 2
    return 1


def recommended_strategy(recipe: Recipe, nodes: int, names: list[str] | None = None) -> str:
    """Uses the unfiltered compatible list (or the 2026-08 effective list `names`), honouring
    `default_strategy` and its multi-node sibling."""
    names = recipe.compatible_strategies if names is None else names
    preferred = recipe.default_strategy
    if preferred and preferred in names:
        if nodes > 1 and preferred.startswith(SINGLE):
            sibling = MULTI + preferred[len(SINGLE):]
            if sibling in names:
                return sibling
        else:
            return preferred
    if nodes > 1:
        for name in ("multi_node_tp", "multi_node_dep", "multi_node_tep"):
            if name in names:
                return name
    if "single_node_tp" in names:
        return "single_node_tp"
    return names[0] if names else "single_node_tp"


def pd_plan(variant: Variant, profile: HardwareProfile) -> PdPlan:
    """Co-locate both roles on one node when it holds two copies; else whole nodes per role."""
    need = variant.vram_minimum_gb or 0
    have = profile.vram_gb or 0
    if profile.gpu_count >= 2 and have >= 2 * need:
        return None
    if have <= 0 or need <= 0:
        return None
    per_role = math.ceil(need / have)
    return SKIP if per_role > MAX_POOL_NODES else per_role


def variant_of(recipe: Recipe, key: str) -> Variant:
    return recipe.variants.get(key) or recipe.variants["default"]


def pool_sizes(plan: PdPlan, nodes: int) -> int:
    """Nodes per PD role: the plan's count, else 1 on a multi-node rendering, else 0 (co-located)."""
    if isinstance(plan, int):
        return plan
    return 1 if nodes > 1 else 0
