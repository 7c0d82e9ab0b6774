"""Which strategies a page shows on one hardware, which of them are switched off there and why,
and how many nodes a strategy's GPU floor asks for (spec 2026-08 §5.7.3–5.7.5; site §2.4.3, §2.4.5).

:mod:`builder.synth.select` re-exports these; the command builder stores the reasons verbatim
and the browser only shows them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.models.recipe import effective_strategies

from .edition import NEWEST, Edition
from .layout import candidates, is_kv
from .plan import MULTI, PD
from .pools import recipe_pool_modes
from .strategy_rules import deploy_type, floor_nodes, gpus_per_node, hw_lookup, min_gpus, reachable

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry


@dataclass(frozen=True)
class StrategyOffer:
    """A strategy pill on one hardware: offered (reason None) or shown disabled with the reason."""

    name: str
    reason: str | None = None


def strategy_name(catalog: Catalog, name: str) -> str:
    spec = catalog.strategies.get(name)
    return (spec.display_name if spec is not None else "") or name.replace("_", " ").title()


def strategy_offers(catalog: Catalog, entry: RecipeEntry, hardware: str,
                    edition: Edition = NEWEST) -> list[StrategyOffer]:
    """Every strategy pill on `hardware`, in offer order.

    Offered: what :func:`builder.synth.layout.candidates` keeps (compatible strategies and those
    granted ``supported`` here). Disabled: a strategy the recipe offers elsewhere that
    ``strategy_hardware`` switches off on this hardware, when it could otherwise run here.
    Hidden: one whose GPU floor no node count reaches, and multi-node strategies on hardware that
    cannot be clustered — there is nothing to explain about a layout that cannot exist.
    """
    recipe, profile = entry.recipe, catalog.profile(hardware)
    kept = candidates(catalog, recipe, hardware, profile, edition)
    out: list[StrategyOffer] = []
    for name in effective_strategies(recipe):
        if name in kept:
            out.append(StrategyOffer(name))
            continue
        if not edition.strategy_rules or name not in catalog.strategies or is_kv(catalog, name):
            continue
        switched_off = hw_lookup(recipe.strategy_hardware.get(name), hardware, profile) == "unsupported"
        clusterable = profile.scalable is not False or not (name.startswith(MULTI) or name == PD)
        if switched_off and clusterable and reachable(catalog, recipe, name, hardware, profile):
            hw_name = profile.display_name or hardware
            out.append(StrategyOffer(name, f"{strategy_name(catalog, name)} isn't supported on {hw_name} for this model."))
    shown = {o.name for o in out}
    return out + [StrategyOffer(n) for n in kept if n not in shown]


def pool_modes(entry: RecipeEntry, edition: Edition = NEWEST) -> tuple[str, ...]:
    """Parallelism modes a prefill/decode pool may use (`tp`, `tep`, `dep`), after `pool_modes`
    narrowing; the June edition offers whatever the strategy suffixes give."""
    recipe = entry.recipe
    if edition.pd_2026_08:
        return tuple(recipe_pool_modes(recipe, recipe.strategy_overrides.get(PD)))
    found = {"tp"} | {name.rsplit("_", 1)[-1] for name in recipe.compatible_strategies}
    return tuple(m for m in ("tp", "tep", "dep") if m in found)


def node_floor(catalog: Catalog, entry: RecipeEntry, strategy: str, hardware: str,
               edition: Edition = NEWEST) -> tuple[int, str | None]:
    """Fewest nodes a multi-node strategy may use on `hardware` (at least 2) and, when a GPU floor
    raises it above 2, the sentence that says why smaller counts are not offered."""
    if not edition.strategy_rules or deploy_type(catalog, strategy) != "multi_node":
        return 2, None
    recipe, profile = entry.recipe, catalog.profile(hardware)
    nodes = max(2, floor_nodes(recipe, strategy, hardware, profile))
    if nodes <= 2:
        return nodes, None
    gpus, per = min_gpus(recipe, strategy, hardware), gpus_per_node(profile)
    hw_name = profile.display_name or hardware
    return nodes, (f"{strategy_name(catalog, strategy)} needs at least {gpus} GPUs for this model on {hw_name}: "
                   f"{nodes} nodes of {per} GPUs or more.")


__all__ = ["StrategyOffer", "node_floor", "pool_modes", "strategy_name", "strategy_offers"]
