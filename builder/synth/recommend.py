"""The selection the JSON API recommends for a variant on a hardware (spec §5.4)."""
from __future__ import annotations

from builder.models import Catalog, RecipeEntry
from builder.synth.deployment import Selection
from builder.synth.hardware import best_fitting_variant, fits
from builder.synth.plan import PD, SKIP, enabled_features, node_count, pd_plan, pool_sizes, recommended_strategy
from builder.synth.plan import usable_strategies


def recommend(catalog: Catalog, entry: RecipeEntry, variant: str, hardware: str) -> Selection | None:
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
