"""The command-builder document of one recipe: its choices, defaults and every rendering.

Layout (all indexes are positions in the lists of the same document):

* ``hw``  — ``[id, name, brand, gpus_per_node, node_vram_gb, verified, description]`` for every
  hardware profile the page shows, taxonomy order.
* ``var`` — ``[key, label, precision, vram_minimum_gb, description, model_id, default_hardware]``
  (default hardware -1: no listed hardware can serve the variant).
* ``st``  — ``[id, name, description, orientation, kind]``; kind 0 single node, 1 multi-node, 2 PD.
* ``ft``  — ``[key, label, description]`` per feature; bit *i* of a feature mask is feature *i*.
* ``modes``, ``pools``, ``nodes`` — PD pool modes, PD ``[prefill, decode]`` node pairs
  (``[0, 0]`` = co-located) and multi-node counts, in the order renderings are listed.
* ``c["<variant>.<hardware>"]`` — ``{"x": reason}`` (cannot run), ``{"sub": variant}`` (that
  variant is served instead), or ``{"rec": [strategy, nodes, pool, prefill_mode, decode_mode],
  "fd": default feature mask, "st": [strategies], "r": [one entry per strategy], "pd": [pool,
  prefill_mode, decode_mode] (the API's plan, when PD is offered)}``. An ``r`` entry is a rendering
  id (single node), ids per node count (multi-node), or for PD ``{"p": …, "d": …, "rt": …}``: the
  prefill and decode parts per (pool size × mode) and the router per (pool pair × prefill mode ×
  decode mode); the page shows prefill + decode + router. -1 marks what is not offered.
* ``def`` — ``[variant, hardware]`` shown first; ``inst`` — install commands of the recipe document.
* ``sep``, ``s``, ``t``, ``fv``, ``l``, ``r`` — the shared tables (:mod:`builder.site.command_builder.decode`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from builder.site.command_builder.decode import pack
from builder.site.command_builder.data import CompositionError, Tables, check
from builder.site.command_builder.features import FeatureCache, encode_plain, try_encode
from builder.site.command_builder.space import (
    MAX_NODES, PD, POOL_SIZES, Combo, PoolLayout, SynthesisError, combo, hardware_options, node_counts,
    pd_modes, pd_selection, pool_layouts, run, strategy_kind,
)
from builder.synth import NEWEST, Edition, Selection, hardware_choices

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

FORMAT = 1
KIND_CODES = {"single_node": 0, "multi_node": 1, "pd_cluster": 2}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ui_features(entry: "RecipeEntry") -> tuple[str, ...]:
    """Features with a definition, in recipe order (a bare `name:` adds nothing to commands)."""
    return tuple(name for name, f in entry.recipe.features.items() if f is not None)


def feature_label(key: str) -> str:
    return key.replace("_", " ").title()


def mask_of(features: tuple[str, ...], chosen: tuple[str, ...]) -> int:
    return sum(1 << i for i, f in enumerate(features) if f in chosen)


class _Builder:
    def __init__(self, catalog: "Catalog", entry: "RecipeEntry", doc: dict[str, Any], edition: Edition = NEWEST):
        self.catalog, self.entry, self.doc, self.edition = catalog, entry, doc, edition
        self.tables = Tables()
        self.variants = list(entry.recipe.variants)
        self.features = ui_features(entry)
        self.strategies: list[str] = []
        self.modes: tuple[str, ...] = pd_modes(entry)
        self.options = {v: hardware_options(catalog, entry, v, edition) for v in self.variants}
        self.out: dict[str, Any] = {}
        profiles = list(catalog.taxonomy.hardware_profiles)
        shown = {o.id for opts in self.options.values() for o in opts}
        self.hardware = [hw for hw in profiles if hw in shown]

    def strategy_index(self, name: str) -> int:
        if name not in self.strategies:
            self.strategies.append(name)
        return self.strategies.index(name)

    def combos(self) -> dict[str, Any]:
        """Every (variant, hardware) entry of ``c``; also kept as ``self.out``."""
        found: dict[str, Optional[Combo]] = {}
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
                elif o.substitute is not None:
                    out[key] = {"sub": self.variants.index(o.substitute)}
                else:
                    c = found[f"{v}|{o.id}"]
                    out[key] = self.encode(c) if c is not None else {"x": "Cannot be served here"}
        self.out = out
        return out

    def encode(self, c: Combo) -> dict[str, Any]:
        feats, st, r, cache = self.features, [], [], FeatureCache()
        for name in c.strategies:
            if strategy_kind(self.catalog, name) == PD:
                entry = self.encode_pd(c, name, cache)
                ok = any(i >= 0 for i in entry["rt"])
            elif strategy_kind(self.catalog, name) == "multi_node":
                found = [try_encode(self.tables, self.catalog, self.entry, Selection(c.variant, c.hardware, name, n),
                                    feats, cache, self.edition) for n in node_counts(self.catalog, name)]
                entry = [ids[0] if ids else -1 for ids in found]
                ok = any(i >= 0 for i in entry)
            else:
                found = try_encode(self.tables, self.catalog, self.entry, Selection(c.variant, c.hardware, name), feats,
                                   cache, self.edition)
                entry, ok = (found[0] if found else -1), found is not None
            if ok:
                st.append(self.strategy_index(name))
                r.append(entry)
        rec = c.recommended
        pool, pm, dm = 0, 0, 0
        if rec.strategy == PD:
            pool = POOL_SIZES.index((rec.prefill_nodes, rec.decode_nodes))
            pm, dm = self.modes.index(rec.prefill_mode), self.modes.index(rec.decode_mode)
        out = {"rec": [self.strategy_index(rec.strategy), rec.nodes, pool, pm, dm],
               "fd": mask_of(feats, c.default_features), "st": st, "r": r}
        pn, dn, pmode, dmode = c.pd_default
        if PD in c.strategies and (pn, dn) in POOL_SIZES:
            out["pd"] = [POOL_SIZES.index((pn, dn)), self.modes.index(pmode), self.modes.index(dmode)]
        return out

    def encode_pd(self, c: Combo, name: str, cache: FeatureCache) -> dict[str, list[int]]:
        """Prefill and decode parts per (pool nodes, mode), the router per layout.

        A role's launches depend on its own pool only, so they are rendered once per size and mode
        (both roles alike, where features are composed and checked) and every mixed layout is then
        checked against ``deploy`` part by part.
        """
        modes, m = self.modes, len(self.modes)
        sizes = sorted({p for p, _ in POOL_SIZES})
        parts: dict[str, list[int]] = {"p": [-1] * (len(sizes) * m), "d": [-1] * (len(sizes) * m)}
        for lay in pool_layouts(self.catalog, c, modes):
            if lay is not None and lay.prefill_nodes == lay.decode_nodes and lay.prefill_mode == lay.decode_mode:
                ids = try_encode(self.tables, self.catalog, self.entry, pd_selection(c, name, lay), self.features, cache,
                                 self.edition)
                if ids is not None:
                    k = sizes.index(lay.prefill_nodes) * m + modes.index(lay.prefill_mode)
                    parts["p"][k], parts["d"][k], router = ids
                    if not _plain(self.tables, router):
                        raise CompositionError(f"{self.entry.hf_id}: the router depends on features")
        routers = []
        for lay in pool_layouts(self.catalog, c, modes):
            routers.append(self.router(c, name, lay, parts, sizes) if lay is not None else -1)
        return {**parts, "rt": routers}

    def router(self, c: Combo, name: str, lay: PoolLayout, parts: dict[str, list[int]], sizes: list[int]) -> int:
        m = len(self.modes)
        kp = sizes.index(lay.prefill_nodes) * m + self.modes.index(lay.prefill_mode)
        kd = sizes.index(lay.decode_nodes) * m + self.modes.index(lay.decode_mode)
        if parts["p"][kp] < 0 or parts["d"][kd] < 0:
            return -1
        try:
            launches = run(self.catalog, self.entry, pd_selection(c, name, lay), self.edition).launches
        except SynthesisError:
            return -1
        by_role = {role: [l for l in launches if l.role == role] for role in ("prefill", "decode", "router")}
        check(self.tables, parts["p"][kp], 0, by_role["prefill"])
        check(self.tables, parts["d"][kd], 0, by_role["decode"])
        return encode_plain(self.tables, by_role["router"])

    def document(self) -> Optional[dict[str, Any]]:
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
            "ft": [[k, feature_label(k), recipe.features[k].description] for k in self.features],
            "modes": list(self.modes),
            "pools": [list(p) for p in POOL_SIZES],
            "nodes": list(range(2, MAX_NODES + 1)),
            "c": combos,
            "def": [self.variants.index(default_variant), starts[default_variant]],
            "inst": install_rows(self.doc),
        }
        data.update(pack(self.tables.as_json()))
        return data

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


def _plain(tables: Tables, rid: int) -> bool:
    """A rendering whose launches ignore features entirely."""
    entry = tables.renderings[rid]
    if isinstance(entry, dict):
        return not entry["x"]
    return all(tables.launches[lid][5] < 0 for lid in entry)


def install_rows(doc: dict[str, Any]) -> dict[str, Any]:
    """`model.install` of the API document as `[command, note]` pairs (extras: `[command, note, optional]`)."""
    install = (doc.get("model") or {}).get("install") or {}
    out: dict[str, Any] = {}
    for mode in ("pip", "docker"):
        step = install.get(mode)
        if isinstance(step, dict) and step.get("command"):
            out[mode] = [step["command"], step.get("note") or ""]
    extras = [[str(d.get("command", "")), str(d.get("note") or ""), int(bool(d.get("optional")))]
              for d in install.get("extras") or [] if isinstance(d, dict) and d.get("command")]
    if extras:
        out["extras"] = extras
    return out


def recipe_document(catalog: "Catalog", entry: "RecipeEntry", doc: dict[str, Any],
                    edition: Edition = NEWEST) -> Optional[dict[str, Any]]:
    """The builder data of a recipe; None for recipes without commands (omni, or nothing runs)."""
    if entry.recipe.is_omni or not entry.recipe.variants:
        return None
    return _Builder(catalog, entry, doc, edition).document()
