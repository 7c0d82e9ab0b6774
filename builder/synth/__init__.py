"""Command synthesis: pure functions from validated recipes to deployments (no I/O, no globals)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from builder.synth.deploy import deploy
from builder.synth.deployment import Deployment, Launch, Pool, Selection, SynthesisError
from builder.synth.hardware import (
    HardwareChoice, best_fitting_variant, default_hardware, fits, hardware_list, incompatibility,
)
from builder.synth.plan import (
    PD, SKIP, enabled_features, node_count, pd_plan, pool_sizes, recommended_strategy, usable_strategies, variant_of,
)

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry


def recommend(catalog: "Catalog", entry: "RecipeEntry", variant: str, hardware: str) -> Optional[Selection]:
    """The selection the JSON API recommends for a variant on a hardware; None if it cannot run there."""
    recipe = entry.recipe
    profile = catalog.profile(hardware)
    key = variant if variant in recipe.variants else "default"
    chosen = recipe.variants[key]
    if profile.scalable is False and not fits(chosen, profile):
        substitute = best_fitting_variant(recipe, hardware, profile)
        if substitute is None:
            return None
        key, chosen = substitute, recipe.variants[substitute]
    nodes = node_count(chosen, profile, usable_strategies(recipe, profile))
    strategy = recommended_strategy(recipe, nodes)
    sel = Selection(key, hardware, strategy, nodes, enabled_features(recipe, hardware))
    if strategy == PD:
        plan = pd_plan(chosen, profile)
        if plan == SKIP:
            return None
        size = pool_sizes(plan, nodes)
        sel = Selection(key, hardware, strategy, nodes, sel.features, size, size)
    return sel


def hardware_choices(catalog: "Catalog", entry: "RecipeEntry", variant: str) -> list[HardwareChoice]:
    """Every profile the recipe shows, with the reason when this variant cannot use it."""
    recipe = entry.recipe
    chosen = variant_of(recipe, variant)
    default = default_hardware(catalog, recipe, chosen)
    out = []
    for hw, profile in catalog.taxonomy.hardware_profiles.items():
        if profile.restricted and hw not in recipe.meta.hardware and hw != default:
            continue
        reason = incompatibility(recipe, chosen, hw, profile)
        out.append(HardwareChoice(hw, reason is None, reason, hw == default))
    return out


def strategy_choices(catalog: "Catalog", entry: "RecipeEntry", hardware: str, variant: str = "default") -> list[str]:
    """Compatible strategies usable on that hardware, in recipe order."""
    return usable_strategies(entry.recipe, catalog.profile(hardware))


def default_features(entry: "RecipeEntry", hardware: str) -> tuple[str, ...]:
    return enabled_features(entry.recipe, hardware)


__all__ = [
    "Deployment", "HardwareChoice", "Launch", "Pool", "Selection", "SynthesisError", "default_features",
    "default_hardware", "deploy", "hardware_choices", "hardware_list", "recommend", "strategy_choices",
]
