"""The command builder of recipe pages: what the MkDocs plugin hands to ``partials/command-builder.html``.

The plugin calls :func:`page_contexts` once per build, before any page is rendered, and puts each
recipe's result in the Jinja variable ``recipe_builder``. The builder's data is inlined in the page
(one request fewer than a separate file, and the URL's selection can be shown before first paint);
the script and stylesheet are ``assets/command-builder.{js,css}``.

Computing the data renders every selection a page offers, which is the slow part of a site build,
so all recipes are computed at once, on all cores when it is safe to fork; a
:class:`BuilderCache` kept by the caller (``mkdocs serve``) lets a rebuild recompute only the
recipes whose inputs changed.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.models import Catalog, RecipeEntry
from builder.models.recipe import effective_strategies
from builder.site.command_builder.extras import omni_block, self_host
from builder.site.command_builder.recipe import recipe_document
from builder.site.command_builder.space import PD
from builder.site.command_builder.view import default_view
from builder.synth import NEWEST, Edition

_job: dict[str, Any] = {}
"""Handed to forked workers for the duration of one :func:`all_builder_json` call (inherited
memory: nothing is pickled but the recipe id)."""


@dataclass
class BuilderCache:
    """hf_id → (fingerprint of its inputs, builder JSON), kept across `mkdocs serve` rebuilds."""

    texts: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def api_document(documents: Mapping[str, Any], hf_id: str) -> dict[str, Any]:
    """The recipe's API document as built in memory (never re-parsed from its bytes)."""
    doc = documents.get(f"{hf_id}.json")
    return doc if isinstance(doc, dict) else {}


def encode(doc: dict[str, Any] | None) -> str:
    """Compact, deterministic JSON text of a builder document."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def builder_json(catalog: Catalog, entry: RecipeEntry, documents: Mapping[str, Any],
                 edition: Edition = NEWEST) -> str | None:
    """The builder data of one recipe as JSON text; None when the recipe has no commands (omni)."""
    doc = recipe_document(catalog, entry, api_document(documents, entry.hf_id), edition)
    return None if doc is None else encode(doc)


def _work(hf_id: str) -> str | None:
    catalog, documents = _job["catalog"], _job["documents"]
    return builder_json(catalog, _entry(catalog, hf_id), documents, _job["edition"])


def all_builder_json(catalog: Catalog, documents: Mapping[str, Any],
                     only: list[str] | None = None, edition: Edition = NEWEST) -> dict[str, str | None]:
    """Builder data of every recipe (or of `only`), in parallel when the process can fork safely."""
    ids = [e.hf_id for e in catalog.recipes] if only is None else only
    workers = min(os.cpu_count() or 1, len(ids))
    # Forking a process that runs threads (`mkdocs serve`) can deadlock the children.
    can_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or not can_fork:
        return {hf_id: builder_json(catalog, _entry(catalog, hf_id), documents, edition) for hf_id in ids}
    # Largest first, so no core is left finishing one big recipe while the other idles.
    order = sorted(ids, key=lambda h: -_weight(_entry(catalog, h)))
    _job.update(catalog=catalog, documents=documents, edition=edition)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = dict(zip(order, pool.map(_work, order, chunksize=1), strict=True))
    finally:
        _job.clear()
    return {hf_id: done[hf_id] for hf_id in ids}


def _weight(entry: RecipeEntry) -> int:
    """A rough cost of a recipe's data: its variants times its strategies, a prefill/decode
    cluster (pools of 1–16 nodes) counting as ten."""
    names = effective_strategies(entry.recipe)
    return (10 * (PD in names) + len(names)) * len(entry.recipe.variants)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _entry(catalog: Catalog, hf_id: str) -> RecipeEntry:
    entry = catalog.entry(hf_id)
    assert entry is not None, hf_id
    return entry


def _fingerprint(shared: str, entry: RecipeEntry, documents: Mapping[str, Any]) -> str:
    """What a recipe's data depends on: its YAML, its API document, the taxonomy and strategies."""
    return _digest([shared, entry.raw, api_document(documents, entry.hf_id)])


def all_texts(catalog: Catalog, documents: Mapping[str, Any], cache: BuilderCache | None = None,
              edition: Edition = NEWEST) -> dict[str, str | None]:
    """Builder JSON of every recipe; with a cache, only recipes whose inputs changed are computed."""
    if cache is None:
        return all_builder_json(catalog, documents, edition=edition)
    shared = _digest([edition.name, catalog.taxonomy_raw, catalog.strategies_raw, catalog.kv_store_files])
    prints = {e.hf_id: _fingerprint(shared, e, documents) for e in catalog.recipes}
    stale = [h for h, fp in prints.items() if cache.texts.get(h, ("",))[0] != fp]
    for hf_id, text in all_builder_json(catalog, documents, stale, edition).items():
        cache.texts[hf_id] = (prints[hf_id], text)
    return {h: cache.texts[h][1] for h in prints}


def _for_template(text: str) -> str:
    """JSON text safe inside <template>: only `&` and `<` are special there (quotes stay as is)."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def context_of(catalog: Catalog, entry: RecipeEntry, text: str | None) -> dict[str, Any] | None:
    """`recipe_builder` for a recipe page; None when the page has nothing to show.

    Keys: ``data`` (the inlined JSON, already escaped for the template), ``view`` (rows and command
    card of the recommended selection, for the server-rendered HTML), ``command`` (the
    recommended command, which the page shows without JavaScript), ``selfhost`` (platform tabs)
    and ``omni`` (task commands of omni recipes, which have no ``data``).
    """
    extras = {"selfhost": self_host(catalog, entry), "omni": omni_block(entry), "hf_id": entry.hf_id}
    if text is None:
        return {**extras, "data": None, "view": None, "command": None} if extras["omni"] else None
    data = json.loads(text)
    view = default_view(data)
    return {**extras, "data": _for_template(text), "view": view, "command": view["output"]["command"]}


def page_contexts(catalog: Catalog, documents: Mapping[str, Any], cache: BuilderCache | None = None,
                  edition: Edition = NEWEST) -> dict[str, dict[str, Any] | None]:
    """`recipe_builder` of every recipe page, computed up front."""
    texts = all_texts(catalog, documents, cache, edition)
    return {e.hf_id: context_of(catalog, e, texts.get(e.hf_id)) for e in catalog.recipes}


def page_context(catalog: Catalog, entry: RecipeEntry, documents: Mapping[str, Any],
                 edition: Edition = NEWEST) -> dict[str, Any] | None:
    """`recipe_builder` of one recipe page."""
    return context_of(catalog, entry, builder_json(catalog, entry, documents, edition))
