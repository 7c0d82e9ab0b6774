"""Compute every file of the JSON API (spec §1): build order, overwrites and stale subtrees.

The reference writes files as it goes and wipes `{base}/` before rendering each variant; we
replay the same sequence over an in-memory tree so that colliding ids behave identically, then
serialize only the survivors.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from builder.api.documents import (
    finish_recipe_document,
    hardware_document,
    index_entry,
    promoted_document,
    recipe_document,
)
from builder.api.renderings import Renderings
from builder.api.sinks import MemorySink, Sink
from builder.api.variants import with_variant_endpoints
from builder.errors import Problem, RecipeError
from builder.jsonout import dumps_bytes
from builder.models import MISSING, Catalog, RecipeEntry
from builder.synth import NEWEST, Edition, SynthesisError
from builder.synth.install import install_block
from builder.synth.select import listed_hardware, plan


def _fatal(entry: RecipeEntry, message: str) -> RecipeError:
    key = ("default_strategy",) if entry.recipe.default_strategy else ("compatible_strategies",)
    line, col = entry.where(key)
    return RecipeError(Problem(entry.display, line, col, key[0], message))


def _render_variant(catalog: Catalog, entry: RecipeEntry, key: str, base: str, tree: Sink,
                    renderings: Renderings, edition: Edition = NEWEST) -> dict[str, Any] | None:
    """Write `{base}/hw/…` and alternatives for one variant; return its recommended_command."""
    hardware = listed_hardware(catalog, entry, key, edition)
    docs: list[tuple[str, dict[str, Any]]] = []
    for index, hw in enumerate(hardware):
        planned = plan(catalog, entry, key, hw, edition)
        if planned is None:
            if index == 0:
                return None
            continue
        sel = planned.recommended
        try:
            render = renderings.get(entry, sel)
        except SynthesisError as err:
            raise _fatal(entry, f"cannot render {sel.strategy} on {hw}: {err}") from None
        links: dict[str, str] = {}
        for alt_sel in planned.alternatives:
            name = alt_sel.kv_store or alt_sel.strategy
            path = f"{base}/strategies/{name}.json" if index == 0 else f"{base}/hw/{hw}/strategies/{name}.json"
            try:
                alt_doc = renderings.get(entry, alt_sel)
            except SynthesisError:
                continue  # a failed alternative is left out (§5.5)
            tree.put(path, alt_doc)
            links[name] = "/" + path
        doc = hardware_document(render, catalog.strategies_raw.get(sel.strategy),
                                catalog.taxonomy_raw["hardware_profiles"].get(hw), links)
        tree.put(f"{base}/hw/{hw}.json", doc)
        docs.append((hw, doc))
    default_doc = docs[0][1]
    return {**default_doc, "by_hardware": {hw: f"/{base}/hw/{hw}.json" for hw, _ in docs}}


def _promotable(entry: RecipeEntry, known_ids: set[str], warnings: list[str],
                edition: Edition = NEWEST) -> Iterator[tuple[str, str]]:
    for key, variant in entry.recipe.variants.items():
        if key == "default" and not edition.promote_default:
            continue
        model_id = variant.model_id
        if not isinstance(model_id, str) or "/" not in model_id:
            continue
        if model_id in known_ids:
            # The reference only warns ("skipping variant promotion … collides with standalone recipe").
            line, col = entry.where(("variants", key, "model_id"))
            warnings.append(f"{entry.display}:{line}:{col}: variants.{key}.model_id: skipping variant promotion: "
                            f"{model_id} (variant of {entry.hf_id}) collides with standalone recipe")
            continue
        yield key, model_id


@dataclass
class RecipeOutcome:
    """What one recipe contributes to `models.json`, and what it warned about."""

    listing: dict[str, Any]
    promoted: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """Every file the recipe wrote (known when recipes are written apart: what a rebuild may reuse)."""


def check_inputs(catalog: Catalog, edition: Edition) -> None:
    """The 2026-08 edition needs `kv_store/` (2026-08 §1.2; an empty folder is fine)."""
    if edition.kv_store and catalog.kv_store_files is None:
        folder = catalog.root / "kv_store"
        raise RecipeError(Problem(folder.as_posix(), message=f"the {edition.name} API edition needs a kv_store/ "
                                  "folder of KV-store deployments (it may be empty)"))


def emit_vocabulary(catalog: Catalog, tree: Sink, edition: Edition = NEWEST) -> None:
    """taxonomy.json, platforms.json, strategies/*.json and strategies.json (steps 1–3 of §1.3),
    then (2026-08 step 4) kv_store/*.json and kv_store.json."""
    tree.put("taxonomy.json", catalog.taxonomy_raw)
    if catalog.platforms_raw is not MISSING:
        tree.put("platforms.json", catalog.platforms_raw)
    index: dict[str, Any] = {}
    for name, raw in catalog.strategy_files:
        tree.put(f"strategies/{name}.json", raw)
        index[name] = raw
    tree.put("strategies.json", index)
    if edition.kv_store:
        from .kv import kv_index

        files = catalog.kv_store_files or ()
        for name, raw in files:
            tree.put(f"kv_store/{name}.json", raw)
        tree.put("kv_store.json", kv_index(files))


def emit_recipe(catalog: Catalog, entry: RecipeEntry, tree: Sink, known_ids: set[str],
                edition: Edition = NEWEST, renderings: Renderings | None = None) -> RecipeOutcome:
    """One recipe's subtree, document and promoted documents (step 5 of §1.3)."""
    renderings = renderings if renderings is not None else Renderings(catalog, edition)
    recipe, raw = entry.recipe, entry.raw
    warnings: list[str] = []
    doc = recipe_document(raw, entry.hf_id, install_block(recipe, raw.get("dependencies")))
    recommended = None
    promoted: list[tuple[str, str, dict[str, Any]]] = []
    if not recipe.is_omni:
        tree.remove_dir(entry.hf_id)
        recommended = _render_variant(catalog, entry, "default", entry.hf_id, tree, renderings, edition)
        for key, model_id in _promotable(entry, known_ids, warnings, edition):
            tree.remove_dir(model_id)
            rec = _render_variant(catalog, entry, key, model_id, tree, renderings, edition)
            if rec is not None:
                promoted.append((key, model_id, rec))
    doc = finish_recipe_document(doc, recommended, {k: "/" + m + ".json" for k, m, _ in promoted})
    tree.put(entry.hf_id + ".json", doc)
    outcome = RecipeOutcome(index_entry(entry.hf_id, raw.get("meta"), entry.hf_id), warnings=warnings)
    for key, model_id, rec in promoted:
        tree.put(model_id + ".json", promoted_document(doc, key, model_id, entry.hf_id, rec))
        outcome.promoted.append(index_entry(model_id, raw.get("meta"), entry.hf_id, entry.hf_id))
    return outcome


def emit_index(tree: Sink, outcomes: list[RecipeOutcome], warnings: list[str]) -> None:
    """models.json: recipes in walk order, then promoted variants in promotion order (§4.4)."""
    for outcome in outcomes:
        warnings += outcome.warnings
    tree.put("models.json", [o.listing for o in outcomes] + [p for o in outcomes for p in o.promoted])


def emit_documents(catalog: Catalog, tree: Sink, warnings: list[str], edition: Edition = NEWEST,
                   renderings: Renderings | None = None) -> None:
    """Every API document, in the reference's build order (later writes win, §1.3)."""
    check_inputs(catalog, edition)
    emit_vocabulary(catalog, tree, edition)
    known_ids = {e.hf_id for e in catalog.recipes}
    renderings = renderings if renderings is not None else Renderings(catalog, edition)
    outcomes = [emit_recipe(catalog, entry, tree, known_ids, edition, renderings) for entry in catalog.recipes]
    emit_index(tree, outcomes, warnings)


def build_documents(catalog: Catalog, warnings: list[str] | None = None,
                    edition: Edition = NEWEST, renderings: Renderings | None = None) -> dict[str, Any]:
    """Every reference API document as a JSON-ready value, keyed by its path below the output root."""
    sink = MemorySink()
    emit_documents(catalog, sink, warnings if warnings is not None else [], edition, renderings)
    return sink.files


@dataclass(frozen=True)
class ApiBuild:
    """The API in memory: each reference document as a value (what the site reads, never
    re-parsed), and every file as the bytes to publish (the documents plus our variant endpoints)."""

    documents: dict[str, Any]
    files: dict[str, bytes]


def build_api_tree(catalog: Catalog, warnings: list[str] | None = None, edition: Edition = NEWEST) -> ApiBuild:
    renderings = Renderings(catalog, edition)  # shared: the variant endpoints reuse the documents' renderings
    documents = build_documents(catalog, warnings, edition, renderings)
    files = {path: dumps_bytes(value) for path, value in documents.items()}
    return ApiBuild(documents, with_variant_endpoints(catalog, files, warnings, edition, renderings))


def build_api(catalog: Catalog, warnings: list[str] | None = None, edition: Edition = NEWEST) -> dict[str, bytes]:
    """Every API file, serialized exactly as the reference does, plus our variant endpoints."""
    return build_api_tree(catalog, warnings, edition).files
