"""The API in memory for the site, rendering only the recipes whose inputs changed.

`build_api_tree` renders every recipe. The site build instead keeps each recipe's share of the
API — its documents (values, what the pages read), its files (bytes) and its `models.json`
entries — under the recipe's content key (its bytes, the vocabulary's bytes, the set of ids, the
edition and the builder's code: :func:`builder.write.cache.digest_inputs`), and renders a recipe
only when its key is new. As in the parallel build (:mod:`builder.api.parallel`), this is exact
only when no two recipes can write the same path; otherwise every recipe is rendered in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from builder.api.build import ApiBuild, RecipeOutcome, build_api_tree, check_inputs, emit_index, emit_recipe, emit_vocabulary
from builder.api.parallel import independent
from builder.api.renderings import Renderings
from builder.api.sinks import MemorySink
from builder.api.variants import with_variant_endpoints
from builder.jsonout import dumps_bytes
from builder.models import Catalog, RecipeEntry
from builder.synth import NEWEST, Edition


@dataclass(frozen=True)
class RecipeShare:
    """One recipe's part of the API: its documents, its files (documents and variant endpoints)."""

    documents: dict[str, Any]
    files: dict[str, bytes]
    outcome: RecipeOutcome


@dataclass
class CachedApi:
    """The API and which recipes this build rendered (the others came from the memo)."""

    api: ApiBuild
    rendered: list[str] = field(default_factory=list)
    memo: dict[str, RecipeShare] = field(default_factory=dict)
    """Key → share of every recipe of this build: what the next build may reuse."""


def _share(catalog: Catalog, entry: RecipeEntry, known_ids: set[str], edition: Edition,
           renderings: Renderings) -> RecipeShare:
    sink = MemorySink()
    outcome = emit_recipe(catalog, entry, sink, known_ids, edition, renderings)
    files = {path: dumps_bytes(value) for path, value in sink.files.items()}
    if not entry.recipe.is_omni:
        files = with_variant_endpoints(replace(catalog, recipes=(entry,)), files, outcome.warnings, edition,
                                       renderings)
    renderings.forget()  # selections never repeat across recipes
    return RecipeShare(sink.files, files, outcome)


def build_api_cached(catalog: Catalog, keys: dict[str, str], memo: dict[str, RecipeShare],
                     edition: Edition = NEWEST) -> CachedApi:
    """The same documents and files as `build_api_tree`, reusing `memo` (recipe key → share);
    `keys`: recipe id → its content key."""
    if not independent(catalog, edition):
        return CachedApi(build_api_tree(catalog, edition=edition), [e.hf_id for e in catalog.recipes])
    check_inputs(catalog, edition)
    vocabulary = MemorySink()
    emit_vocabulary(catalog, vocabulary, edition)
    documents = dict(vocabulary.files)
    files = {path: dumps_bytes(value) for path, value in documents.items()}
    known_ids = {e.hf_id for e in catalog.recipes}
    renderings = Renderings(catalog, edition)
    result = CachedApi(ApiBuild(documents, files))
    outcomes: list[RecipeOutcome] = []
    for entry in catalog.recipes:
        key = keys.get(entry.hf_id)
        share = memo.get(key) if key is not None else None
        if share is None:
            share = _share(catalog, entry, known_ids, edition, renderings)
            result.rendered.append(entry.hf_id)
        if key is not None:
            result.memo[key] = share
        documents.update(share.documents)
        files.update(share.files)
        outcomes.append(share.outcome)
    index = MemorySink()
    emit_index(index, outcomes, [])
    documents.update(index.files)
    files.update({path: dumps_bytes(value) for path, value in index.files.items()})
    return result
