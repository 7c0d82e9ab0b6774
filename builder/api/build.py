"""Compute every file of the JSON API (spec §1): build order, overwrites and stale subtrees.

The reference writes files as it goes and wipes `{base}/` before rendering each variant; we
replay the same sequence over an in-memory tree so that colliding ids behave identically, then
serialize only the survivors.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from builder.catalog import MISSING, Catalog, RecipeEntry
from builder.errors import Problem, RecipeError
from builder.jsonout import dumps
from builder.synth import Selection, SynthesisError, deploy, hardware_list, recommend
from builder.synth.hardware import fits
from builder.synth.install import install_block
from builder.synth.plan import alternatives, pool_sizes, usable_strategies

from .documents import (
    finish_recipe_document, hardware_document, index_entry, promoted_document, recipe_document, rendering,
)


class _Tree:
    """Output files by path, with fast removal of a directory subtree."""

    def __init__(self) -> None:
        self.files: dict[str, Any] = {}
        self._by_top: dict[str, set[str]] = {}

    @staticmethod
    def _top(path: str) -> str:
        return "/".join(path.split("/", 2)[:2])

    def put(self, path: str, value: Any) -> None:
        self.files[path] = value
        self._by_top.setdefault(self._top(path), set()).add(path)

    def remove_dir(self, base: str) -> None:
        prefix = base + "/"
        bucket = self._by_top.get(self._top(prefix + "x"), set())
        doomed = [p for p in bucket if p.startswith(prefix)]
        for p in doomed:
            del self.files[p]
            bucket.discard(p)


def _fatal(entry: RecipeEntry, message: str) -> RecipeError:
    key = ("default_strategy",) if entry.recipe.default_strategy else ("compatible_strategies",)
    line, col = entry.where(key)
    return RecipeError(Problem(entry.display, line, col, key[0], message))


def _render_variant(catalog: Catalog, entry: RecipeEntry, key: str, base: str, tree: _Tree,
                    warnings: list[str]) -> Optional[dict[str, Any]]:
    """Write `{base}/hw/…` and alternatives for one variant; return its recommended_command."""
    recipe = entry.recipe
    hardware = hardware_list(catalog, recipe, recipe.variants[key])
    docs: list[tuple[str, dict[str, Any]]] = []
    for index, hw in enumerate(hardware):
        sel = recommend(catalog, entry, key, hw)
        if sel is None:
            if index == 0:
                return None
            continue
        try:
            dep = deploy(catalog, recipe, sel)
        except SynthesisError as err:
            raise _fatal(entry, f"cannot render {sel.strategy} on {hw}: {err}") from None
        profile = catalog.profile(hw)
        links: dict[str, str] = {}
        chosen = recipe.variants[sel.variant]
        for alt in alternatives(usable_strategies(recipe, profile), sel.strategy, chosen, profile):
            size = pool_sizes(alt.plan, alt.nodes)
            alt_sel = Selection(sel.variant, hw, alt.strategy, alt.nodes, sel.features, size, size)
            path = f"{base}/strategies/{alt.strategy}.json" if index == 0 else f"{base}/hw/{hw}/strategies/{alt.strategy}.json"
            tree.put(path, rendering(deploy(catalog, recipe, alt_sel)))
            links[alt.strategy] = "/" + path
        doc = hardware_document(rendering(dep), catalog.strategies_raw.get(sel.strategy),
                                catalog.taxonomy_raw["hardware_profiles"].get(hw), links)
        tree.put(f"{base}/hw/{hw}.json", doc)
        docs.append((hw, doc))
    default_doc = docs[0][1]
    return {**default_doc, "by_hardware": {hw: f"/{base}/hw/{hw}.json" for hw, _ in docs}}


def _promotable(entry: RecipeEntry, known_ids: set[str], warnings: list[str]) -> Iterator[tuple[str, str]]:
    for key, variant in entry.recipe.variants.items():
        if key == "default":
            continue
        model_id = variant.model_id
        if not isinstance(model_id, str) or "/" not in model_id:
            continue
        if model_id in known_ids:
            warnings.append(f"{entry.display}: variants.{key}.model_id: {model_id} is also a recipe of its own; "
                            "the variant gets no document of its own")
            continue
        yield key, model_id


def build_documents(catalog: Catalog, warnings: Optional[list[str]] = None) -> dict[str, Any]:
    """Every API document as a JSON-ready value, keyed by its path below the output root."""
    warnings = warnings if warnings is not None else []
    tree = _Tree()
    tree.put("taxonomy.json", catalog.taxonomy_raw)
    if catalog.platforms_raw is not MISSING:
        tree.put("platforms.json", catalog.platforms_raw)
    index: dict[str, Any] = {}
    for name, raw in catalog.strategy_files:
        tree.put(f"strategies/{name}.json", raw)
        index[name] = raw
    tree.put("strategies.json", index)

    known_ids = {e.hf_id for e in catalog.recipes}
    listing: list[dict[str, Any]] = []
    promoted_listing: list[dict[str, Any]] = []
    for entry in catalog.recipes:
        recipe, raw = entry.recipe, entry.raw
        doc = recipe_document(raw, entry.hf_id, install_block(recipe, raw.get("dependencies")))
        recommended = None
        promoted: list[tuple[str, str, dict[str, Any]]] = []
        if not recipe.is_omni:
            tree.remove_dir(entry.hf_id)
            recommended = _render_variant(catalog, entry, "default", entry.hf_id, tree, warnings)
            for key, model_id in _promotable(entry, known_ids, warnings):
                tree.remove_dir(model_id)
                rec = _render_variant(catalog, entry, key, model_id, tree, warnings)
                if rec is not None:
                    promoted.append((key, model_id, rec))
        doc = finish_recipe_document(doc, recommended, {k: "/" + m + ".json" for k, m, _ in promoted})
        tree.put(entry.hf_id + ".json", doc)
        for key, model_id, rec in promoted:
            tree.put(model_id + ".json", promoted_document(doc, key, model_id, entry.hf_id, rec))
            promoted_listing.append(index_entry(model_id, raw.get("meta"), entry.hf_id, entry.hf_id))
        listing.append(index_entry(entry.hf_id, raw.get("meta"), entry.hf_id))
    tree.put("models.json", listing + promoted_listing)
    return tree.files


def build_api(catalog: Catalog, warnings: Optional[list[str]] = None) -> dict[str, bytes]:
    """Every API file, serialized exactly as the reference does (no trailing newline)."""
    return {path: dumps(value).encode("utf-8") for path, value in build_documents(catalog, warnings).items()}
