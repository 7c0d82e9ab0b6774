"""What to render for one (variant, hardware) pair: the recommended selection and every alternative
(spec §5.4–5.5 of both editions; 2026-08 §5.4, §5.5, §5.5.2 and §5.5.3 where they differ)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.models import HardwareProfile, Recipe, Variant
from builder.models.recipe import effective_strategies

from .deployment import Selection
from .edition import Edition
from .hardware import best_fitting_variant, fits
from .modes import enabled_features
from .plan import MULTI, PD, SKIP, node_count, pd_plan, pool_sizes, recommended_strategy, usable_strategies
from .strategy_rules import deploy_type, floor_nodes, gate, nodes_for, reachable

if TYPE_CHECKING:
    from builder.models import Catalog

KV_BRANDS = ("NVIDIA", "AMD")
ROLES = ("prefill", "decode")


@dataclass(frozen=True)
class HardwarePlan:
    """The recommended selection on one hardware and the alternatives, in `alternatives` order."""

    recommended: Selection
    alternatives: tuple[Selection, ...]


def is_kv(catalog: Catalog, name: str) -> bool:
    return deploy_type(catalog, name) == "kv_store_lb"


def candidates(catalog: Catalog, recipe: Recipe, hw: str, profile: HardwareProfile, edition: Edition) -> list[str]:
    """§5.4 step 4: strategies (and kv-store deployments) that can run on `hw`, in offer order."""
    if not edition.strategy_rules:
        return usable_strategies(recipe, profile)
    names = effective_strategies(recipe)
    if edition.kv_store:
        names += [n for n in catalog.kv_stores if n not in names]
    scalable = profile.scalable is not False
    kept = []
    for name in dict.fromkeys(names):
        if is_kv(catalog, name):
            opt_out = recipe.kv_cache_strategy_hardware.get(name, {}).get(hw)
            if scalable and profile.brand in KV_BRANDS and opt_out != "unsupported":
                kept.append(name)
        elif (gate(recipe, name, hw, profile) and reachable(catalog, recipe, name, hw, profile)
              and (scalable or not (name.startswith(MULTI) or name == PD))):
            kept.append(name)
    return kept


def _fallback(catalog: Catalog, picked: str, kept: list[str]) -> str:
    """2026-08 §5.4 step 6: when the pick cannot run here, the first serving strategy that can."""
    if picked in kept:
        return picked
    for allowed in (lambda n: not is_kv(catalog, n) and n != PD, lambda n: not is_kv(catalog, n)):
        found = next((n for n in kept if allowed(n)), None)
        if found is not None:
            return found
    return picked


def pd_sizes(catalog: Catalog, recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile,
             nodes: int, edition: Edition) -> str | tuple[int, int]:
    """Nodes of the prefill and decode pools, or SKIP; 2026-08 raises each role to its floor (§5.5.2)."""
    plan = pd_plan(variant, profile)
    if plan == SKIP:
        return SKIP
    size = pool_sizes(plan, nodes)
    if not (isinstance(plan, int) and edition.pd_2026_08):
        return size, size
    override = recipe.strategy_overrides.get(PD)
    spec = catalog.strategies.get(PD)
    raised = []
    for role in ROLES:
        role_over = getattr(override, role, None) if override else None
        role_spec = getattr(spec, role, None) if spec else None
        mode = (role_over.parallelism if role_over else None) or (role_spec.parallelism if role_spec else None) or "tp"
        raised.append(max(size, floor_nodes(recipe, mode, hw, profile)))
    return raised[0], raised[1]


def _with_pd(sel: Selection, sizes: tuple[int, int]) -> Selection:
    return Selection(sel.variant, sel.hardware, sel.strategy, sel.nodes, sel.features, sizes[0], sizes[1])


def _acceptable(catalog: Catalog, name: str, nodes: int) -> bool:
    kind = deploy_type(catalog, name) if name in catalog.strategies else None
    if kind is None or kind in (PD, "kv_store_lb"):
        return False
    return (kind == "multi_node") == (nodes > 1)


def kv_selection(catalog: Catalog, recipe: Recipe, key: str, variant: Variant, hw: str, profile: HardwareProfile,
                 features: tuple[str, ...], kv_name: str) -> Selection | None:
    """2026-08 §5.5.3: the serving strategy each instance runs (gates and floors are not consulted)."""
    names = effective_strategies(recipe)
    nodes = 1 if fits(variant, profile) else 2
    while True:
        picked = recommended_strategy(recipe, nodes, names)
        serving = picked if _acceptable(catalog, picked, nodes) else next(
            (n for n in names if _acceptable(catalog, n, nodes)), None)
        if serving is not None or nodes == 1:
            break
        nodes = 1
    if serving is None:
        return None
    if deploy_type(catalog, serving) == "multi_node":
        nodes = max(nodes, floor_nodes(recipe, serving, hw, profile))
    return Selection(key, hw, serving, nodes, features, kv_store=kv_name)


def plan_hardware(catalog: Catalog, recipe: Recipe, variant_key: str, hw: str,
                  edition: Edition) -> HardwarePlan | None:
    """§5.4–5.5: None when nothing can run (no fitting variant, or the recommended PD plan is too big)."""
    profile = catalog.profile(hw)
    key = variant_key if variant_key in recipe.variants else "default"
    chosen = recipe.variants[key]
    if profile.scalable is False and not fits(chosen, profile):
        substitute = best_fitting_variant(recipe, hw, profile, edition)
        if substitute is None:
            return None
        key, chosen = substitute, recipe.variants[substitute]
    kept = candidates(catalog, recipe, hw, profile, edition)
    features = enabled_features(recipe, hw, key, edition)
    if edition.strategy_rules:
        base = 2 if (not fits(chosen, profile) and profile.scalable is not False
                     and any(n.startswith(MULTI) for n in kept)) else 1
        strategy = _fallback(catalog, recommended_strategy(recipe, base, effective_strategies(recipe)), kept)
        nodes = max(base, nodes_for(catalog, recipe, strategy, hw, profile))
    else:
        nodes = node_count(chosen, profile, kept)
        strategy = recommended_strategy(recipe, nodes)
    recommended = Selection(key, hw, strategy, nodes, features)
    if strategy == PD:
        sizes = pd_sizes(catalog, recipe, chosen, hw, profile, nodes, edition)
        if sizes == SKIP:
            return None
        recommended = _with_pd(recommended, sizes)  # type: ignore[arg-type]
    alternatives: list[Selection] = []
    for name in kept:
        if name == strategy:
            continue
        if name == PD:
            sizes = pd_sizes(catalog, recipe, chosen, hw, profile, 1, edition)
            if sizes != SKIP:
                alternatives.append(_with_pd(Selection(key, hw, name, 1, features), sizes))  # type: ignore[arg-type]
        elif is_kv(catalog, name):
            kv = kv_selection(catalog, recipe, key, chosen, hw, profile, features, name)
            if kv is not None:
                alternatives.append(kv)
        else:
            if edition.strategy_rules:
                count = nodes_for(catalog, recipe, name, hw, profile)
            elif name in catalog.strategies:  # one answer everywhere: the file's deploy_type
                count = 2 if deploy_type(catalog, name) == "multi_node" else 1
            else:  # an unknown name: June's rule went by its prefix (§8.4)
                count = 2 if name.startswith(MULTI) else 1
            alternatives.append(Selection(key, hw, name, count, features))
    return HardwarePlan(recommended, tuple(alternatives))
