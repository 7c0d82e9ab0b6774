"""Command synthesis: pure functions from validated recipes to deployments (no I/O, no globals)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .deploy import deploy
from .deployment import Deployment, Launch, Pool, Selection, SynthesisError
from .edition import AUGUST, EDITIONS, JUNE, NEWEST, Edition, edition_named
from .hardware import HardwareChoice, default_hardware, hardware_list, incompatibility
from .layout import HardwarePlan, candidates, plan_hardware
from .modes import enabled_features
from .plan import variant_of

if TYPE_CHECKING:
    from builder.catalog import Catalog, RecipeEntry


def recommend(catalog: "Catalog", entry: "RecipeEntry", variant: str, hardware: str,
              edition: Edition = NEWEST) -> Optional[Selection]:
    """The selection the JSON API recommends for a variant on a hardware; None if it cannot run there."""
    plan = plan_hardware(catalog, entry.recipe, variant, hardware, edition)
    return plan.recommended if plan is not None else None


def hardware_choices(catalog: "Catalog", entry: "RecipeEntry", variant: str,
                     edition: Edition = NEWEST) -> list[HardwareChoice]:
    """Every profile the recipe shows, with the reason when this variant cannot use it."""
    recipe = entry.recipe
    chosen = variant_of(recipe, variant)
    default = default_hardware(catalog, recipe, chosen, edition)
    out = []
    for hw, profile in catalog.taxonomy.hardware_profiles.items():
        if profile.restricted and hw not in recipe.meta.hardware and hw != default:
            continue
        reason = incompatibility(recipe, chosen, hw, profile, edition)
        out.append(HardwareChoice(hw, reason is None, reason, hw == default))
    return out


def strategy_choices(catalog: "Catalog", entry: "RecipeEntry", hardware: str, variant: str = "default",
                     edition: Edition = NEWEST) -> list[str]:
    """Strategies (and, 2026-08, KV-store deployments) usable on that hardware, in offer order."""
    return candidates(catalog, entry.recipe, hardware, catalog.profile(hardware), edition)


def default_features(entry: "RecipeEntry", hardware: str, variant: str = "default",
                     edition: Edition = NEWEST) -> tuple[str, ...]:
    return enabled_features(entry.recipe, hardware, variant, edition)


__all__ = [
    "AUGUST", "EDITIONS", "JUNE", "NEWEST", "Deployment", "Edition", "HardwareChoice", "HardwarePlan", "Launch", "Pool",
    "Selection", "SynthesisError", "default_features", "default_hardware", "deploy", "edition_named",
    "hardware_choices", "hardware_list", "plan_hardware", "recommend", "strategy_choices",
]
