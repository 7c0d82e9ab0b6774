"""What can run where, and why not: the one place every consumer asks (spec §5.2–5.5).

The API build, the variant endpoints, the command builder, the fit matrix and ``recipes command``
all ask these functions which hardware, strategy and node count a selection may use, and get the
reason in words when it may not. The primitive rules sit in :mod:`builder.synth.hardware` (which
profiles a checkpoint can use) and :mod:`builder.synth.plan` (strategies, node counts, pools);
nothing outside synthesis combines them on its own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from builder.jsonout import js_str
from builder.models import Catalog, HardwareProfile, Recipe, RecipeEntry
from builder.synth.deployment import Selection
from builder.synth.edition import NEWEST, Edition
from builder.synth.hardware import (
    allowed_by_variant,
    default_hardware,
    fits,
    hardware_list,
    incompatibility,
    precision_runs_on,
)
from builder.synth.kvchoice import KvGroup, KvOption, kv_groups, kv_options, kv_refusal, store_selection
from builder.synth.layout import HardwarePlan, candidates, plan_hardware
from builder.synth.modes import allowed_modes, effective_mode, enabled_features, offered_modes, strategy_allows
from builder.synth.offers import StrategyOffer, node_floor, pool_modes, strategy_offers
from builder.synth.plan import (
    MAX_POOL_NODES,
    PD,
    SKIP,
    node_count,
    pd_plan,
    pool_sizes,
    recommended_strategy,
    variant_of,
)

KINDS = ("single_node", "multi_node", "pd_cluster", "kv_store_lb")


def plan(catalog: Catalog, entry: RecipeEntry, variant: str, hardware: str,
         edition: Edition = NEWEST) -> HardwarePlan | None:
    """The recommended selection and every alternative the API renders; None when nothing runs.

    The one enumeration the compatible API and our variant endpoints share (§5.4–5.5).
    """
    return plan_hardware(catalog, entry.recipe, variant, hardware, edition)


def recommend(catalog: Catalog, entry: RecipeEntry, variant: str, hardware: str,
              edition: Edition = NEWEST) -> Selection | None:
    """The selection the JSON API recommends for a variant on a hardware; None if it cannot run there."""
    planned = plan(catalog, entry, variant, hardware, edition)
    return planned.recommended if planned is not None else None


def strategy_kind(catalog: Catalog, name: str) -> str:
    """How a strategy deploys (its file's ``deploy_type``); an unknown name is single-node (§8.4)."""
    spec = catalog.strategies.get(name)
    kind = spec.deploy_type if spec is not None else "kv_store_lb" if name in catalog.kv_stores else "single_node"
    return kind if kind in KINDS else "single_node"


# -- hardware -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HardwareChoice:
    """One profile a recipe page shows for a variant, and whether (and what) it can serve there."""

    id: str
    reason: str | None
    """Why the variant cannot be served there (the pill is disabled); None when it can."""
    incompatible: str | None = None
    """The checkpoint-level part of ``reason``: precision, `unsupported`, not published there."""
    substitute: str | None = None
    """The variant served instead when the chosen one does not fit a node that cannot be clustered."""
    default: bool = False


def shown_profiles(catalog: Catalog, recipe: Recipe, variant: str, edition: Edition = NEWEST) -> list[str]:
    """Profiles a page lists, in taxonomy order: restricted ones only when the recipe names them."""
    default = default_hardware(catalog, recipe, variant_of(recipe, variant), edition)
    return [hw for hw, p in catalog.taxonomy.hardware_profiles.items()
            if not p.restricted or hw in recipe.meta.hardware or hw == default]


def hardware_choices(catalog: Catalog, entry: RecipeEntry, variant: str,
                     edition: Edition = NEWEST) -> list[HardwareChoice]:
    """Every profile the recipe shows, with the reason when this variant cannot be served on it."""
    recipe = entry.recipe
    chosen = variant_of(recipe, variant)
    default = default_hardware(catalog, recipe, chosen, edition)
    out = []
    for hw in shown_profiles(catalog, recipe, variant, edition):
        profile = catalog.profile(hw)
        incompatible = incompatibility(recipe, chosen, hw, profile, edition)
        reason, substitute = incompatible, None
        if reason is None:
            rec = recommend(catalog, entry, variant, hw, edition)
            if rec is None:
                name = profile.display_name or hw
                reason = f"no variant of this model fits {name}, which cannot be clustered"
            elif rec.variant != variant:
                substitute = rec.variant
        out.append(HardwareChoice(hw, reason, incompatible, substitute, hw == default))
    return out


def listed_hardware(catalog: Catalog, entry: RecipeEntry, variant: str, edition: Edition = NEWEST) -> list[str]:
    """Hardware the API renders for a variant: its default first (§5.2)."""
    return hardware_list(catalog, entry.recipe, variant_of(entry.recipe, variant), edition)


def variants_that_fit(recipe: Recipe, hw: str, profile: HardwareProfile, edition: Edition = NEWEST) -> list[str]:
    return [k for k, v in recipe.variants.items()
            if fits(v, profile) and not incompatibility(recipe, v, hw, profile, edition)]


def no_rendering_reason(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str,
                        served: Selection | None) -> str:
    """Why a variant gets no document of its own on a hardware it is compatible with."""
    chosen, profile = entry.recipe.variants[variant], catalog.profile(hw)
    name = profile.display_name or hw
    if profile.scalable is False and not fits(chosen, profile):
        text = (f"the weights ({js_str(chosen.vram_minimum_gb)} GB) do not fit one {name} "
                f"({js_str(profile.vram_gb)} GB), which cannot be clustered")
        return text + (f"; variant {served.variant} is served there instead" if served is not None else "")
    return f"a prefill/decode cluster would need more than {MAX_POOL_NODES} nodes per role on {name}"


def vram_shortfall(catalog: Catalog, entry: RecipeEntry, sel: Selection, deploy_type: str) -> str | None:
    """A single-node command whose weights exceed the node's memory, in words; else None."""
    variant, profile = entry.recipe.variants[sel.variant], catalog.profile(sel.hardware)
    if deploy_type != "single_node" or fits(variant, profile):
        return None
    return (f"the {sel.variant} weights need {js_str(variant.vram_minimum_gb)} GB but one {sel.hardware} node has "
            f"{js_str(profile.vram_gb)} GB")


# -- the fit matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """How a variant fits one hardware profile: nodes needed, or why it cannot run."""

    nodes: int | None
    short: str
    """A cell label: `1 node`, `Blackwell only`, `too small`…"""
    detail: str
    """One sentence for a tooltip."""


def fit(recipe: Recipe, key: str, hw: str, profile: HardwareProfile, edition: Edition = NEWEST) -> Fit:
    variant = recipe.variants[key]
    name = profile.display_name or hw
    reason = incompatibility(recipe, variant, hw, profile, edition)
    if reason is not None:
        if not precision_runs_on(variant, profile, edition):
            short = "Blackwell only" if variant.precision in ("nvfp4", "fp4") else "wrong hardware"
        elif not allowed_by_variant(variant, hw):
            short = "not published"
        else:
            short = "unsupported"
        return Fit(None, short, reason[0].upper() + reason[1:] + ".")
    need, have = float(variant.vram_minimum_gb or 0), float(profile.vram_gb or 0)
    nodes = 1 if fits(variant, profile) or have <= 0 else math.ceil(need / have)
    if nodes > 1 and not profile.scalable:
        return Fit(None, "too small", f"Needs {need:g} GB but {name} has {have:g} GB and cannot be clustered.")
    if nodes > 1 and not any(s.startswith("multi_node_") for s in recipe.compatible_strategies):
        return Fit(None, "too small", f"Needs {need:g} GB, more than one {name} node ({have:g} GB), "
                                      "and this recipe has no multi-node strategy.")
    label = "1 node" if nodes == 1 else f"{nodes} nodes"
    detail = (f"Fits one {name} node ({need:g} of {have:g} GB for weights)." if nodes == 1 else
              f"Needs {need:g} GB: {nodes} × {name} nodes of {have:g} GB each.")
    return Fit(nodes, label, detail)


# -- strategies and node counts -------------------------------------------------------------------


def strategy_choices(catalog: Catalog, entry: RecipeEntry, hardware: str, variant: str = "default",
                     edition: Edition = NEWEST) -> list[str]:
    """Strategies (and, 2026-08, KV-store deployments) usable on that hardware, in offer order."""
    return candidates(catalog, entry.recipe, hardware, catalog.profile(hardware), edition)


def default_features(entry: RecipeEntry, hardware: str, variant: str = "default",
                     edition: Edition = NEWEST) -> tuple[str, ...]:
    return enabled_features(entry.recipe, hardware, variant, edition)


def strategy_refusal(catalog: Catalog, entry: RecipeEntry, hw: str, strategy: str,
                     edition: Edition = NEWEST) -> str | None:
    """Why a strategy cannot be asked for on a hardware; None when it can."""
    if strategy in strategy_choices(catalog, entry, hw, edition=edition):
        return None
    why = f" ({hw} cannot be clustered)" if strategy in entry.recipe.compatible_strategies else ""
    return f"strategy {strategy} is not available for {entry.hf_id} on {hw}{why}"


def node_refusal(catalog: Catalog, entry: RecipeEntry, hw: str, strategy: str, nodes: int,
                 edition: Edition = NEWEST) -> str | None:
    """Why a node count does not suit a (non prefill/decode) strategy; None when it does."""
    kind = strategy_kind(catalog, strategy)
    if kind == "multi_node" and nodes < 2:
        return f"strategy {strategy} spans several nodes: --nodes must be at least 2"
    if kind == "single_node" and nodes != 1:
        multi = [s for s in strategy_choices(catalog, entry, hw, edition=edition) if strategy_kind(catalog, s) == "multi_node"]
        return f"strategy {strategy} runs on one node; for {nodes} nodes choose one of: {', '.join(multi) or 'none'}"
    return None


def pools_refusal(entry: RecipeEntry, variant: str, hw: str, profile: HardwareProfile) -> str | None:
    """Why the API plans no prefill/decode pools for a variant on a hardware; None when it does."""
    if pd_plan(entry.recipe.variants[variant], profile) == SKIP:
        return (f"variant {variant} needs more than {MAX_POOL_NODES} nodes per prefill/decode role on {hw}; "
                "pass --nodes to size the pools yourself")
    return None


def planned_nodes(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, edition: Edition = NEWEST) -> int:
    """Nodes the API plans for a variant on a hardware: 2 when it must span nodes, else 1."""
    return node_count(entry.recipe.variants[variant], catalog.profile(hw),
                      strategy_choices(catalog, entry, hw, edition=edition))


def planned_pool_nodes(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, nodes: int) -> int:
    """Nodes per prefill/decode role the API plans (0: both roles share one node)."""
    return pool_sizes(pd_plan(entry.recipe.variants[variant], catalog.profile(hw)), nodes)


def planned_strategy(entry: RecipeEntry, nodes: int) -> str:
    return recommended_strategy(entry.recipe, nodes)


# -- switching hardware and features (the command builder's rules) -------------------------------


def fallback_variant(catalog: Catalog, entry: RecipeEntry, hw: str, edition: Edition = NEWEST) -> str | None:
    """The variant to switch to when the chosen one cannot run on `hw`: the largest that can.

    "Largest" is the biggest `vram_minimum_gb` (the least quantized checkpoint), so a reader who
    clicks a hardware lands on the best quality that runs there (spec §2.4.1, newest). None when
    no variant of the recipe runs there at all (the pill is then disabled).
    """
    recipe, profile = entry.recipe, catalog.profile(hw)
    runnable = []
    for key, variant in recipe.variants.items():
        if incompatibility(recipe, variant, hw, profile, edition) is not None:
            continue
        rec = recommend(catalog, entry, key, hw, edition)
        if rec is not None and rec.variant == key:
            runnable.append((-float(variant.vram_minimum_gb or 0), key))
    return min(runnable)[1] if runnable else None


# -- feature modes and the feature `strategies` gate (spec 2026-08 §6.7.2, site §2.4.6–2.4.7) ----


@dataclass(frozen=True)
class ModeChoice:
    """One mode pill of a modal feature for a variant on a hardware."""

    name: str
    reason: str | None
    """Why it cannot be picked on this hardware (the pill is disabled); None when it can."""
    effective: str | None
    """The mode the commands use when this one is chosen (itself, unless the hardware refuses it)."""


def mode_choices(recipe: Recipe, name: str, key: str, hw: str, profile: HardwareProfile) -> list[ModeChoice]:
    """The modes a variant offers for a feature (hidden: other variants' modes), in recipe order."""
    feature = recipe.features.get(name)
    if feature is None or not feature.modes:
        return []
    allowed = allowed_modes(feature, key, hw, profile)
    return [ModeChoice(m, None if m in allowed else "Not supported on this hardware",
                       effective_mode(recipe, name, key, hw, profile, m))
            for m in offered_modes(feature, key)]


def default_mode(recipe: Recipe, name: str, key: str, hw: str, profile: HardwareProfile) -> str | None:
    """The mode used when the reader picks none: the variant's, the feature's, else the first allowed."""
    return effective_mode(recipe, name, key, hw, profile)


def feature_refusal(recipe: Recipe, name: str, strategy: str) -> str | None:
    """Why a feature adds nothing under a strategy (its `strategies` list); None when it applies."""
    feature = recipe.features.get(name)
    if feature is None or strategy_allows(feature, strategy):
        return None
    return "Not available with this strategy"


ENCODER_OFF = "--language-model-only"
ENCODER_FLAGS = ("--mm-encoder-", "--mm-processor-", "--limit-mm-per-prompt")


def _feature_flags(feature: Any) -> set[str]:
    """Every flag a feature may set, on any hardware."""
    lists = [feature.args] + [o.args for o in feature.hardware_overrides.values() if o is not None and o.args]
    return {str(a) for args in lists for a in args if str(a).startswith("--")}


def exclusive_features(recipe: Recipe) -> list[tuple[str, str]]:
    """Pairs of features that cannot both be on (turning one on turns the other off).

    Two features conflict when they set the same flag (the last one would silently win), or when
    one stops loading the vision encoder (`--language-model-only`) and the other configures that
    encoder (`--mm-encoder-tp-mode`, …) — upstream's text_only ↔ encoder_parallel, derived from
    the flags rather than from feature names.
    """
    flags = {k: _feature_flags(f) for k, f in recipe.features.items() if f is not None}
    names = list(flags)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            fa, fb = flags[a], flags[b]
            encoder = (ENCODER_OFF in fa and any(f.startswith(ENCODER_FLAGS) for f in fb)) or \
                      (ENCODER_OFF in fb and any(f.startswith(ENCODER_FLAGS) for f in fa))
            if fa & fb or encoder:
                out.append((a, b))
    return out


def idle_gpus(argv: tuple[str, ...] | list[str], gpu_count: int) -> int | None:
    """GPUs a single-node tensor-parallel command uses, when fewer than the node has; else None.

    Read from the command itself (`--tensor-parallel-size` × `--data-parallel-size`), so the hint
    states what the shown command does.
    """
    sizes = {"--tensor-parallel-size": 1, "--data-parallel-size": 1, "--pipeline-parallel-size": 1}
    args = [str(a) for a in argv]
    for i, a in enumerate(args[:-1]):
        if a in sizes and args[i + 1].isdigit():
            sizes[a] = int(args[i + 1])
    used = sizes["--tensor-parallel-size"] * sizes["--data-parallel-size"] * sizes["--pipeline-parallel-size"]
    return used if used < gpu_count else None


__all__ = [
    "ENCODER_OFF",
    "PD",
    "Fit",
    "HardwareChoice",
    "KvGroup",
    "KvOption",
    "ModeChoice",
    "StrategyOffer",
    "default_features",
    "default_hardware",
    "default_mode",
    "exclusive_features",
    "fallback_variant",
    "feature_refusal",
    "fit",
    "hardware_choices",
    "idle_gpus",
    "kv_groups",
    "kv_options",
    "kv_refusal",
    "listed_hardware",
    "mode_choices",
    "no_rendering_reason",
    "node_floor",
    "node_refusal",
    "plan",
    "planned_nodes",
    "planned_pool_nodes",
    "planned_strategy",
    "pool_modes",
    "pools_refusal",
    "recommend",
    "shown_profiles",
    "store_selection",
    "strategy_choices",
    "strategy_kind",
    "strategy_offers",
    "strategy_refusal",
    "variants_that_fit",
    "vram_shortfall",
]
