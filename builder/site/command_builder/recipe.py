"""The command-builder document of one recipe: its choices, defaults and every rendering.

Layout (all indexes are positions in the lists of the same document):

* ``hw``  — ``[id, name, brand, gpus_per_node, node_vram_gb, verified, description]`` for every
  hardware profile the page shows, taxonomy order.
* ``var`` — ``[key, label, precision, vram_minimum_gb, description, model_id, default_hardware]``
  (default hardware -1: no listed hardware can serve the variant).
* ``st``  — ``[id, name, description, orientation, kind]``; kind 0 single node, 1 multi-node, 2 PD.
* ``ft``  — ``[key, label, description]`` per feature; bit *i* of a feature mask is feature *i*
  (the page keeps one flag per feature, so any number of features works; ``fd`` lists indexes).
* ``ad``, ``fm``, ``fg``, ``mw`` and each pair's ``m`` — advanced options (their own pieces, not
  feature bits), feature modes and strategy-gated features: :mod:`builder.site.command_builder.modes`.
* ``modes``, ``pmax``, ``nodes`` — PD pool modes, the largest PD pool (the decoders derive the
  ``pools`` list of ``[prefill, decode]`` node pairs from it: ``[0, 0]`` = co-located, then
  prefill-major 1..pmax) and multi-node counts, in the order renderings are listed.
* ``c["<variant>.<hardware>"]`` — ``{"x": reason}`` (cannot run), ``{"sub": variant}`` (that
  variant is served instead), or ``{"rec": [strategy, nodes, pool, prefill_mode, decode_mode],
  "fd": default feature mask, "st": [strategies], "r": [one entry per strategy], "pd": [pool,
  prefill_mode, decode_mode] (the API's plan, when PD is offered)}``. An ``r`` entry is a rendering
  id (single node), ids per node count (multi-node; -1 below a GPU floor), or for PD
  ``{"p", "d", "e", "h", "tl", "dl"}``: the prefill and decode parts per (pool size × mode), the
  router's endpoint lines per role and (size × mode), its head, its tail per mode pair, and each
  role's DP ranks per node per mode (:mod:`builder.site.command_builder.pools`); the page shows
  prefill + decode + router. -1 marks what is not offered. ``xs`` lists ``[strategy, reason]``
  for strategies shown disabled on this hardware, ``fl`` ``[strategy, reason]`` where a GPU floor
  hides smaller node counts (:mod:`builder.site.command_builder.strategies`).
  A usable pair also has ``i`` (its ``inst`` block), ``k`` (``sn`` index per strategy kind) and
  ``g`` (``[strategy, GPUs used]`` when single-node TP leaves GPUs idle); an ``x`` pair may name
  ``alt``, the variant a click on that hardware switches to (:func:`builder.synth.select.fallback_variant`).
* ``ex`` — pairs of mutually exclusive feature indexes (:func:`builder.synth.select.exclusive_features`).
* ``hn`` — hardware index → ``[title, body(, link label, href)]`` (recipe ``hardware_notes``).
* ``def`` — ``[variant, hardware]`` shown first; ``inst`` — install blocks per hardware
  (:func:`builder.synth.install.install_for`); ``sn`` — ``[curl, bench, python]`` client examples;
  ``mf`` — file templates, and a pair's ``mf`` which fit each launch (:mod:`.files`).
* ``kg``, ``ko``, ``kw``, ``kp``, ``kr``, ``km``, ``kc``, ``ks`` and a pair's ``kv``, ``kk`` — the KV
  Offload row (:mod:`builder.site.command_builder.kv`).
* ``sep``, ``s``, ``t``, ``fv``, ``l``, ``r`` — the shared tables (:mod:`builder.site.command_builder.decode`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builder.site.command_builder.data import CompositionError, Tables
from builder.site.command_builder.decode import pack
from builder.site.command_builder.features import FeatureCache, try_encode
from builder.site.command_builder.files import FileTable
from builder.site.command_builder.kv import KvData
from builder.site.command_builder.modes import advanced_rows, gate_rows, mode_refusal_text, mode_rows, pair_modes, toggles
from builder.site.command_builder.notes import hardware_notes
from builder.site.command_builder.pools import POOL_MAX, PoolEncoder, pool_index
from builder.site.command_builder.space import (
    PD,
    Combo,
    Deployments,
    SynthesisError,
    combo,
    hardware_options,
    largest_node_count,
    node_counts,
    pd_modes,
    strategy_kind,
)
from builder.site.command_builder.strategies import smallest_nodes, strategy_facts
from builder.synth import NEWEST, Edition, Selection, hardware_choices
from builder.synth.advanced import advanced_options
from builder.synth.install import HardwareInstall, install_for
from builder.synth.select import exclusive_features, fallback_variant, idle_gpus, pool_modes
from builder.synth.snippets import snippets

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

FORMAT = 1
KIND_CODES = {"single_node": 0, "multi_node": 1, "pd_cluster": 2}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ui_features(entry: RecipeEntry) -> tuple[str, ...]:
    """Features with a definition, in recipe order (a bare `name:` adds nothing to commands)."""
    return tuple(name for name, f in entry.recipe.features.items() if f is not None)


def _feature_row(entry: RecipeEntry, key: str) -> list[Any]:
    """`[key, label, description]`."""
    feature = entry.recipe.features[key]
    return [key, feature_label(key), feature.description if feature is not None else ""]


def feature_label(key: str) -> str:
    return key.replace("_", " ").title()


def mask_of(features: tuple[str, ...], chosen: tuple[str, ...]) -> int:
    return sum(1 << i for i, f in enumerate(features) if f in chosen)


class _Builder:
    def __init__(self, catalog: Catalog, entry: RecipeEntry, doc: dict[str, Any], edition: Edition = NEWEST,
                 advanced: bool = True):
        self.catalog, self.entry, self.doc, self.edition = catalog, entry, doc, edition
        self.tables = Tables()
        self.variants = list(entry.recipe.variants)
        self.features = ui_features(entry)
        self.advanced = tuple(o.id for o in advanced_options(entry.recipe)) if advanced else ()
        self.strategies: list[str] = []
        self.modes: tuple[str, ...] = pd_modes(entry)
        self.options = {v: hardware_options(catalog, entry, v, edition) for v in self.variants}
        self.out: dict[str, Any] = {}
        self.installs: list[dict[str, Any]] = []
        self.snippets: list[list[str]] = []
        self.files = FileTable(catalog, entry, edition)
        profiles = list(catalog.taxonomy.hardware_profiles)
        shown = {o.id for opts in self.options.values() for o in opts}
        self.hardware = [hw for hw in profiles if hw in shown]
        self.kv = KvData(catalog, entry, self.tables, self.features, edition)

    def strategy_index(self, name: str) -> int:
        if name not in self.strategies:
            self.strategies.append(name)
        return self.strategies.index(name)

    def combos(self) -> dict[str, Any]:
        """Every (variant, hardware) entry of ``c``; also kept as ``self.out``."""
        found: dict[str, Combo | None] = {}
        for v in self.variants:
            for o in self.options[v]:
                if o.reason is None and o.substitute is None:
                    c = combo(self.catalog, self.entry, v, o.id, self.edition)
                    found[f"{v}|{o.id}"] = c
                    if c is not None and PD in c.strategies:
                        self.modes = tuple(dict.fromkeys(self.modes + c.pd_default_modes))
        out: dict[str, Any] = {}
        for vi, v in enumerate(self.variants):
            for o in self.options[v]:
                key = f"{vi}.{self.hardware.index(o.id)}"
                if o.reason is not None:
                    out[key] = {"x": o.reason[0].upper() + o.reason[1:]}
                    alt = fallback_variant(self.catalog, self.entry, o.id, self.edition)
                    if alt is not None and alt != v:
                        out[key]["alt"] = self.variants.index(alt)
                elif o.substitute is not None:
                    out[key] = {"sub": self.variants.index(o.substitute)}
                else:
                    c = found[f"{v}|{o.id}"]
                    out[key] = self.encode(c) if c is not None else {"x": "Cannot be served here"}
        self.out = out
        return out

    def encode(self, c: Combo) -> dict[str, Any]:
        feats, st, r = self.features, [], []
        runs = Deployments(self.catalog, self.entry, self.edition)
        cache = FeatureCache(toggles(self.catalog, self.entry, feats, self.advanced, c.variant, c.hardware), deployments=runs)
        for name in c.strategies:
            entry: Any  # a rendering id, ids per node count, or the PD parts
            if strategy_kind(self.catalog, name) == PD:
                entry = self.encode_pd(c, name, cache)
                ok = entry["h"] >= 0
            elif strategy_kind(self.catalog, name) == "multi_node":
                least = smallest_nodes(self.catalog, self.entry, name, c.hardware, self.edition)  # GPU floor
                found = [try_encode(self.tables, self.catalog, self.entry, Selection(c.variant, c.hardware, name, n),
                                    feats, cache, self.edition) if n >= least else None
                         for n in node_counts(self.catalog, name, largest_node_count(self.entry))]
                entry = [ids[0] if ids else -1 for ids in found]
                ok = any(i >= 0 for i in entry)
            else:
                single = try_encode(self.tables, self.catalog, self.entry, Selection(c.variant, c.hardware, name), feats,
                                    cache, self.edition)
                entry, ok = (single[0] if single else -1), single is not None
            if ok:
                st.append(self.strategy_index(name))
                r.append(entry)
        rec = c.recommended
        pool, pm, dm = 0, 0, 0
        if rec.strategy == PD:
            pool = pool_index(rec.prefill_nodes or 0, rec.decode_nodes or 0)
            pm, dm = self.mode_index(rec.prefill_mode or "tp"), self.mode_index(rec.decode_mode or "tp")
        out = {"rec": [self.strategy_index(rec.strategy), rec.nodes, pool, pm, dm],
               "fd": [i for i, f in enumerate(feats) if f in c.default_features], "st": st, "r": r,
               "i": self.install(c), "k": self.clients(c, [self.strategies[i] for i in st], runs)}
        out.update(strategy_facts(self.catalog, self.entry, c, self.strategy_index, st, self.edition))
        if self.modal:
            out["m"] = pair_modes(self.catalog, self.entry, feats, c.variant, c.hardware)
        kv, kk = self.kv.pair(c.variant, c.hardware, [self.strategies[i] for i in st], r,
                              list(range(2, largest_node_count(self.entry) + 1)))
        if self.kv.options:
            out["kv"] = kv
        if kk >= 0:
            out["kk"] = kk
        files = self.files.pair(c, [self.strategies[i] for i in st], self.modes, runs)
        if files is not None:
            out["mf"] = files
        gpus = self.idle(c, runs)
        if gpus is not None:
            out["g"] = gpus
        pn, dn, pmode, dmode = c.pd_default
        if PD in c.strategies and (pn == 0) == (dn == 0) and max(pn, dn) <= POOL_MAX:
            out["pd"] = [pool_index(pn, dn), self.mode_index(pmode), self.mode_index(dmode)]
        return out

    def mode_index(self, mode: str) -> int:
        """A pool mode's index, snapped to the first offered mode as synthesis snaps its arguments."""
        offered = pool_modes(self.entry, self.edition)
        return self.modes.index(mode if mode in offered else offered[0])

    def install(self, c: Combo) -> int:
        """Index of this pair's install block in the ``inst`` table (blocks repeat across pairs)."""
        block = install_for(self.entry.recipe, self.entry.recipe.variants[c.variant], c.hardware,
                            self.catalog.profile(c.hardware))
        row = install_row(block)
        if row not in self.installs:
            self.installs.append(row)
        return self.installs.index(row)

    def clients(self, c: Combo, names: list[str], runs: Deployments) -> list[int]:
        """Snippet-table index per strategy kind (single, multi-node, PD); -1 where not offered."""
        out = [-1, -1, -1]
        for name in names:
            kind = KIND_CODES[strategy_kind(self.catalog, name)]
            if out[kind] >= 0:
                continue
            sel = Selection(c.variant, c.hardware, name, 2 if kind == 1 else 1)
            if kind == 2:
                sel = c.recommended if c.recommended.strategy == name else Selection(c.variant, c.hardware, name, 1)
            try:
                sn = snippets(runs(sel))
            except SynthesisError:
                continue
            row = [sn.curl, sn.bench, sn.python]
            if row not in self.snippets:
                self.snippets.append(row)
            out[kind] = self.snippets.index(row)
        return out

    def idle(self, c: Combo, runs: Deployments) -> list[int] | None:
        """[strategy index, GPUs used] when the single-node TP command leaves GPUs of the node idle."""
        name = "single_node_tp"
        if name not in c.strategies:
            return None
        try:
            launch = runs(Selection(c.variant, c.hardware, name)).launches[0]
        except SynthesisError:
            return None
        used = idle_gpus(launch.argv, self.catalog.profile(c.hardware).gpu_count)
        return None if used is None else [self.strategy_index(name), used]

    def encode_pd(self, c: Combo, name: str, cache: FeatureCache) -> dict[str, Any]:
        """Prefill and decode parts per (pool size × mode) and the router's pieces (pools.py)."""
        return PoolEncoder(self.tables, self.catalog, self.entry, self.features, self.modes, self.edition,
                           pool_modes(self.entry, self.edition)).encode(c, name, cache)

    def document(self) -> dict[str, Any] | None:
        recipe, profiles = self.entry.recipe, self.catalog.taxonomy.hardware_profiles
        for name in recipe.compatible_strategies:
            self.strategy_index(name)
        combos = self.combos()
        starts = {v: self.default_hardware(v) for v in self.variants}
        order = sorted(self.variants, key=lambda v: v != "default")
        default_variant = next((v for v in order if starts[v] >= 0), None)
        if default_variant is None:
            return None
        status = recipe.meta.hardware
        data: dict[str, Any] = {
            "v": FORMAT,
            "id": self.entry.hf_id,
            "hw": [[hw, profiles[hw].display_name, profiles[hw].brand, profiles[hw].gpu_count, profiles[hw].vram_gb,
                    int(status.get(hw) == "verified"), profiles[hw].description] for hw in self.hardware],
            "var": [[k, v.label or v.precision.upper(), v.precision, v.vram_minimum_gb, v.description,
                     v.model_id or recipe.model.model_id, starts[k]] for k, v in recipe.variants.items()],
            "st": [self._strategy_row(name) for name in self.strategies],
            "ft": [_feature_row(self.entry, k) for k in self.features],
            "ex": [[self.features.index(a), self.features.index(b)] for a, b in exclusive_features(recipe)
                   if a in self.features and b in self.features],
            "modes": list(self.modes),
            "pmax": POOL_MAX,
            "nodes": list(range(2, largest_node_count(self.entry) + 1)),
            "c": combos,
            "def": [self.variants.index(default_variant), starts[default_variant]],
            "inst": self.installs,
            "sn": self.snippets,
        }
        notes = hardware_notes(self.entry, self.hardware)
        if notes:
            data["hn"] = notes
        data.update(self.toggle_tables())
        data.update(self.kv.document())
        data.update(pack(self.tables.as_json()))
        data["q"] = self.tables.tokens()
        data["mf"] = self.files.templates
        return data

    @property
    def modal(self) -> bool:
        return bool(mode_rows(self.entry, self.features))

    def toggle_tables(self) -> dict[str, Any]:
        """``ad``, ``fm``, ``mw`` and ``fg``, present only when the recipe has them."""
        out: dict[str, Any] = {}
        if self.advanced:
            out["ad"] = advanced_rows(self.entry, self.advanced, self.strategies)
        if self.modal:
            out["fm"] = mode_rows(self.entry, self.features)
            out["mw"] = mode_refusal_text(self.catalog, self.entry, self.features)
        gated = gate_rows(self.entry, self.features, self.strategies)
        if gated:
            out["fg"] = gated
        return out

    def default_hardware(self, variant: str) -> int:
        """Index of the hardware a variant starts on (the API's default when usable); -1 for none."""
        vi = self.variants.index(variant)
        usable = [o.id for o in self.options[variant] if "rec" in self.out.get(f"{vi}.{self.hardware.index(o.id)}", {})]
        preferred = next((c.id for c in hardware_choices(self.catalog, self.entry, variant, self.edition)
                          if c.default), None)
        chosen = preferred if preferred in usable else (usable[0] if usable else None)
        return -1 if chosen is None else self.hardware.index(chosen)

    def _strategy_row(self, name: str) -> list[Any]:
        spec = self.catalog.strategies.get(name)
        kind = KIND_CODES[strategy_kind(self.catalog, name)]
        if spec is None:
            return [name, name.replace("_", " ").title(), "", "", kind]
        return [name, spec.display_name or name, _one_line(spec.description), spec.orientation or "", kind]


def install_row(block: HardwareInstall) -> dict[str, Any]:
    """One ``inst`` entry: ``{"label", "pip": [command, note], "docker": [...], "cu": [pip, docker],
    "extras": [[command, note, optional]]}``; absent keys are routes this hardware does not have."""
    out: dict[str, Any] = {"label": block.label}
    if block.pip:
        out["pip"] = list(block.pip)
    if block.docker:
        out["docker"] = list(block.docker)
    if block.cuda129:
        out["cu"] = [block.cuda129[0] or "", block.cuda129[1] or ""]
    if block.extras:
        out["extras"] = [[c, n, int(o)] for c, n, o in block.extras]
    return out


def recipe_document(catalog: Catalog, entry: RecipeEntry, doc: dict[str, Any],
                    edition: Edition = NEWEST) -> dict[str, Any] | None:
    """The builder data of a recipe; None for recipes without commands (omni, or nothing runs)."""
    if entry.recipe.is_omni or not entry.recipe.variants:
        return None
    try:
        return _Builder(catalog, entry, doc, edition).document()
    except CompositionError:
        # Features that interact are stored subset by subset, which only scales to a few toggles:
        # such recipes offer no advanced options rather than no builder.
        return _Builder(catalog, entry, doc, edition, advanced=False).document()
