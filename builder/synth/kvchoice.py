"""Which KV-cache options a selection may add, and why not: offload connectors and Mooncake stores.

One list for every consumer (the command builder's KV Offload row, `recipes command --kv-offload`
and `--kv-store`): the taxonomy's `kv_offload` options, grouped by `kv_offload_groups`, and the
`kv_store/` deployments grouped as "Mooncake" (2026-08 §6.15, §6.16; site spec §2.4.4). Each
option carries the sentence the page shows on its disabled pill; `kv_refusal` is that rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .edition import NEWEST, Edition
from .kvstore import instance_count, vllm_install
from .layout import KV_BRANDS, kv_selection
from .offload import offload_problem
from .plan import PD
from .strategy_rules import deploy_type, nodes_for

if TYPE_CHECKING:
    from builder.models import Catalog, HardwareProfile, Recipe

    from .deployment import Selection

STORE_GROUP = "mooncake"
OFFLOAD, STORE = "offload", "store"
XPU = "xpu"


@dataclass(frozen=True)
class KvGroup:
    """A group pill and the nested row of its members (e.g. Offloading → "Offload Tiers")."""

    key: str
    label: str
    sub_row_label: str
    description: str
    docs_url: str
    tooltip: str


MOONCAKE = KvGroup(
    STORE_GROUP, "Mooncake", "Store Topology",
    "A Mooncake KV store shared by one or more vLLM instances, with its metadata master and, "
    "from two instances on, a cache-aware router in front.",
    "https://docs.vllm.ai/en/latest/features/mooncake_connector_usage.html",
    "Mooncake: a KV cache pool shared by several vLLM instances, behind a cache-aware router.")


@dataclass(frozen=True)
class KvOption:
    """One pill of the KV Offload row; `key` is its URL value and `recipes command` name."""

    key: str
    label: str
    kind: str
    """`offload` (a connector added to every server) or `store` (a Mooncake deployment)."""
    group: str | None
    description: str
    docs_url: str
    install: dict[str, str]
    """Brand → the extra install step the option needs (the extra-install card)."""
    default_instances: int = 1


def kv_groups(catalog: Catalog) -> list[KvGroup]:
    """Option groups in display order: the taxonomy's, and Mooncake when there are KV stores."""
    groups = sorted(catalog.taxonomy.kv_offload_groups.items(), key=lambda kv: (kv[1].order or 99, kv[0]))
    out = [KvGroup(k, g.label or g.display_name or k, g.sub_row_label or g.label or k, g.description,
                   g.docs_url or "", g.tooltip or "") for k, g in groups]
    return out + ([MOONCAKE] if catalog.kv_stores else [])


def kv_options(catalog: Catalog) -> list[KvOption]:
    """Every option in the row's order: by `order` of the option or of its group; Mooncake third."""
    brands = sorted({p.brand for p in catalog.taxonomy.hardware_profiles.values()})
    groups = catalog.taxonomy.kv_offload_groups
    ranked: list[tuple[tuple[float, float, str], KvOption]] = []
    for key, o in catalog.taxonomy.kv_offload.items():
        place = (groups[o.group].order or 99) if o.group in groups else (o.order or 99)
        inner = (o.order or 99) if o.group in groups else 0
        install = dict.fromkeys(brands, o.install) if o.install else {}
        ranked.append(((place, inner, key), KvOption(key, o.label or o.display_name or key, OFFLOAD,
                                                     o.group if o.group in groups else None,
                                                     o.description, o.docs_url or "", install)))
    for key, kv in catalog.kv_stores.items():
        install = {b: step for b in brands if (step := vllm_install(kv, b))}
        ranked.append(((3, kv.order or 99, key), KvOption(key, kv.label or kv.display_name or key, STORE, STORE_GROUP,
                                                          " ".join(kv.description.split()), MOONCAKE.docs_url,
                                                          install, instance_count(kv))))
    return [o for _, o in sorted(ranked, key=lambda x: x[0])]


def kv_refusal(catalog: Catalog, recipe: Recipe, key: str, hw: str, strategy: str,
               edition: Edition = NEWEST) -> str | None:
    """Why option `key` cannot be added to `strategy` on `hw`; None when it can (site spec §2.4.4)."""
    profile = catalog.profile(hw)
    name = profile.display_name or hw
    if profile.gen == XPU:
        return f"KV offload connectors are not available on Intel XPU ({name})"
    kind = deploy_type(catalog, strategy) or "single_node"
    option = catalog.taxonomy.kv_offload.get(key)
    if option is not None:
        why = offload_problem(recipe, key, option, strategy, kind, profile)
        return None if why is None else why[0].upper() + why[1:]
    if key not in catalog.kv_stores:
        return f"There is no KV option named {key}"
    return _store_refusal(catalog, recipe, key, hw, profile, kind, edition)


def _store_refusal(catalog: Catalog, recipe: Recipe, key: str, hw: str, profile: HardwareProfile, kind: str,
                   edition: Edition) -> str | None:
    name = profile.display_name or hw
    if not edition.kv_store:
        return f"KV-store deployments need API edition 2026-08 or later (asked: {edition.name})"
    if kind == PD:
        return "Mooncake does not combine with prefill/decode disaggregation: pick a single- or multi-node strategy"
    if profile.brand not in KV_BRANDS:
        return f"Mooncake runs on {' and '.join(KV_BRANDS)} hardware only, not on {name}"
    if profile.scalable is False:
        return f"Mooncake connects several nodes, and {name} cannot be clustered"
    if recipe.kv_cache_strategy_hardware.get(key, {}).get(hw) == "unsupported":
        return f"The recipe marks {key} unsupported on {name}"
    return None


def store_selection(catalog: Catalog, recipe: Recipe, variant: str, hw: str, key: str, strategy: str | None,
                    nodes: int | None, features: tuple[str, ...], instances: int | None = None) -> Selection | str:
    """A Mooncake deployment of a serving strategy: the API's serving strategy and nodes per instance
    unless asked otherwise; a sentence when the ask cannot be served."""
    from .deployment import Selection

    profile = catalog.profile(hw)
    default = kv_selection(catalog, recipe, variant, recipe.variants[variant], hw, profile, features, key)
    serving = strategy or (default.strategy if default else None)
    if serving is None or serving not in catalog.strategies or deploy_type(catalog, serving) in (PD, "kv_store_lb"):
        return f"choose the serving strategy of {key} (a single- or multi-node strategy)"
    multi = deploy_type(catalog, serving) == "multi_node"
    if nodes is None:
        nodes = default.nodes if default and default.strategy == serving else (
            nodes_for(catalog, recipe, serving, hw, profile) if multi else 1)
    if multi and nodes < 2:
        return f"strategy {serving} spans several nodes: --nodes must be at least 2"
    if not multi and nodes != 1:
        return f"strategy {serving} runs on one node per instance; use a multi-node strategy for {nodes}"
    return Selection(variant, hw, serving, nodes, features, kv_store=key, instances=instances)
