"""The selections the command builder offers on one recipe page, enumerated up front.

The builder never synthesizes anything in the browser: it only picks among deployments computed
here with :func:`builder.synth.deploy`. This module decides *which* selections exist (variants ×
hardware × strategies × node counts × prefill/decode pool layouts); feature subsets are handled by
:mod:`builder.site.command_builder.features`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from builder.models import Catalog, RecipeEntry
from builder.synth import NEWEST, Deployment, Edition, Selection, SynthesisError, deploy, recommend
from builder.synth.safety import ensure_safe
from builder.synth.select import HardwareChoice, default_features, hardware_choices, strategy_choices, strategy_kind

MAX_NODES = 16
"""Largest multi-node count offered, for recipes whose GPU floors reach that far (2026-08 §5.7.4)."""
USUAL_MAX_NODES = 8
"""Largest count offered otherwise: each count is a set of commands inlined in the page."""
"""Largest multi-node count offered (one command tab per node)."""
POOL_NODES = (1, 2, 3, 4)
"""Dedicated nodes per prefill/decode pool; the API never plans more than four (spec §5.5)."""
MODES = ("tp", "tep", "dep")
PD = "pd_cluster"


def run(catalog: Catalog, entry: RecipeEntry, sel: Selection, edition: Edition = NEWEST,
        read: bool = True) -> Deployment:
    """`deploy` for a recipe entry (advanced options included, `Selection.advanced`): how every
    builder command is made. Every command is read as bash would before the page may show it
    (builder.synth.safety); `read=False` skips that for a deployment whose lines were read elsewhere."""
    dep = deploy(catalog, entry.recipe, sel, edition)
    if read:
        ensure_safe(catalog, entry, dep)
    return dep


class Deployments:
    """`run` remembered for one (variant, hardware) pair: its rows (features, pools, KV offload,
    files) ask for many of the same selections, and ``deploy`` is pure. Kept per pair, so memory
    stays that of one pair's deployments."""

    def __init__(self, catalog: Catalog, entry: RecipeEntry, edition: Edition = NEWEST):
        self.catalog, self.entry, self.edition = catalog, entry, edition
        self._done: dict[Selection, Deployment | str] = {}
        self._read: set[Selection] = set()

    def __call__(self, sel: Selection, read: bool = True) -> Deployment:
        """`run(…, sel, read)`: a refusal is raised again as a new SynthesisError with its message."""
        dep = self._done.get(sel)
        if dep is None:
            try:
                dep = deploy(self.catalog, self.entry.recipe, sel, self.edition)
            except SynthesisError as err:
                self._done[sel] = str(err)
                raise
            self._done[sel] = dep
        if isinstance(dep, str):
            raise SynthesisError(dep)
        if read and sel not in self._read:
            ensure_safe(self.catalog, self.entry, dep)
            self._read.add(sel)
        return dep

    def maybe(self, sel: Selection) -> Deployment | None:
        """The deployment without reading it as bash would, or None where ``deploy`` refuses."""
        try:
            return self(sel, read=False)
        except SynthesisError:
            return None


def pd_modes(entry: RecipeEntry) -> tuple[str, ...]:
    """Pool parallelism modes the recipe can use: derived from its compatible strategies' suffixes."""
    found = {"tp"} | {name.rsplit("_", 1)[-1] for name in entry.recipe.compatible_strategies}
    return tuple(m for m in MODES if m in found)


@dataclass(frozen=True)
class PoolLayout:
    """Prefill/decode node counts (0, 0 = both roles share one node) and per-role parallelism."""

    prefill_nodes: int
    decode_nodes: int
    prefill_mode: str
    decode_mode: str


@dataclass(frozen=True)
class Combo:
    """One (variant, hardware) pair the page offers and everything selectable on it."""

    variant: str
    hardware: str
    strategies: tuple[str, ...]
    recommended: Selection
    default_features: tuple[str, ...]
    pd_default: tuple[int, int, str, str] = (0, 0, "tp", "tp")
    """Pool nodes and modes ``deploy`` picks when the selection leaves them open (the API's plan)."""

    @property
    def pd_default_modes(self) -> tuple[str, str]:
        return self.pd_default[2], self.pd_default[3]


HardwareOption = HardwareChoice
"""A hardware pill: its id, why it is disabled, the variant served instead (from synthesis)."""


def hardware_options(catalog: Catalog, entry: RecipeEntry, variant: str,
                     edition: Edition = NEWEST) -> list[HardwareChoice]:
    """Every profile the page shows for a variant, in taxonomy order."""
    return hardware_choices(catalog, entry, variant, edition)


def _pool_defaults(catalog: Catalog, entry: RecipeEntry, variant: str, hardware: str,
                   edition: Edition = NEWEST) -> tuple[int, int, str, str]:
    d = run(catalog, entry, Selection(variant, hardware, PD, 1), edition)
    pools = {x.role: x.pool for x in d.launches if x.pool is not None}
    p, q = pools["prefill"], pools["decode"]
    return p.nodes, q.nodes, p.parallelism, q.parallelism


def _normalize(sel: Selection, modes: tuple[str, ...]) -> Selection:
    """The API's PD selection spelled the way the UI stores it (explicit modes, one node)."""
    if sel.strategy != PD:
        return sel
    return replace(sel, nodes=1, prefill_mode=sel.prefill_mode or modes[0], decode_mode=sel.decode_mode or modes[1])


def combo(catalog: Catalog, entry: RecipeEntry, variant: str, hardware: str,
          edition: Edition = NEWEST) -> Combo | None:
    """What can be selected for a usable pair; None when the pair cannot run at all."""
    rec = recommend(catalog, entry, variant, hardware, edition)
    if rec is None or rec.variant != variant:
        return None
    # KV-store deployments are offered by `recipes command` and the API, not (yet) by the page.
    names = [n for n in strategy_choices(catalog, entry, hardware, variant, edition) if n not in catalog.kv_stores]
    pd = _pool_defaults(catalog, entry, variant, hardware, edition) if PD in names else (0, 0, "tp", "tp")
    rec = _normalize(rec, pd[2:])
    if rec.strategy not in names:
        names.insert(0, rec.strategy)
    return Combo(variant, hardware, tuple(names), rec, default_features(entry, hardware, variant, edition), pd)


def largest_node_count(entry: RecipeEntry) -> int:
    """16 nodes where the recipe sets GPU floors (they can need that many), else 8."""
    return MAX_NODES if entry.recipe.strategy_min_gpus else USUAL_MAX_NODES


def node_counts(catalog: Catalog, strategy: str, largest: int = MAX_NODES) -> tuple[int, ...]:
    """Node counts offered for a non-PD strategy: one, or 2..largest for multi-node ones."""
    if strategy_kind(catalog, strategy) == "multi_node":
        return tuple(range(2, largest + 1))
    return (1,)


POOL_SIZES = ((0, 0),) + tuple((p, d) for p in POOL_NODES for d in POOL_NODES)
"""Pool size pairs in data order: co-located first, then prefill-major dedicated counts."""


def pool_layouts(catalog: Catalog, c: Combo, modes: tuple[str, ...]) -> list[PoolLayout | None]:
    """Every size pair × mode pair in data order; None where the hardware cannot co-locate."""
    split = catalog.profile(c.hardware).gpu_count >= 2
    return [PoolLayout(p, d, pm, dm) if split or p else None
            for p, d in POOL_SIZES for pm in modes for dm in modes]


def pd_selection(c: Combo, strategy: str, lay: PoolLayout, features: tuple[str, ...] = ()) -> Selection:
    return Selection(c.variant, c.hardware, strategy, 1, features, lay.prefill_nodes, lay.decode_nodes,
                     lay.prefill_mode, lay.decode_mode)


__all__ = [
    "MAX_NODES",
    "PD",
    "POOL_NODES",
    "Combo",
    "HardwareOption",
    "PoolLayout",
    "SynthesisError",
    "combo",
    "hardware_options",
    "largest_node_count",
    "node_counts",
    "pd_modes",
    "pd_selection",
    "pool_layouts",
    "run",
    "strategy_kind",
]
