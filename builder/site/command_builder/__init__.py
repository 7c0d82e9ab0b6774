"""The command builder of recipe pages: what the MkDocs plugin hands to ``partials/command-builder.html``.

The plugin calls :func:`page_context` once per recipe page and puts the result in the Jinja
variable ``recipe_builder``. The builder's data is inlined in the page (one request fewer than a
separate file, and the URL's selection can be shown before first paint); the script and
stylesheet are ``assets/command-builder.{js,css}``.

Computing the data renders every selection a page offers, which is the slow part of a site build,
so the first call of a build computes every recipe at once, on all cores when it is safe to fork;
later calls read that cache, and a rebuild (`mkdocs serve`) recomputes only recipes whose inputs
changed.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from typing import TYPE_CHECKING, Any, Optional

from builder.site.command_builder.extras import omni_block, self_host
from builder.site.command_builder.recipe import recipe_document
from builder.site.command_builder.view import default_view

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

_job: dict[str, Any] = {}
"""What forked workers read (inherited memory, nothing pickled but the recipe id)."""
_seen: dict[str, Any] = {"catalog": None}
_docs: dict[str, tuple[str, Optional[str]]] = {}
"""hf_id → (fingerprint of its inputs, builder JSON): `mkdocs serve` rebuilds only what changed."""


def api_document(api_files: dict[str, bytes], hf_id: str) -> dict[str, Any]:
    data = api_files.get(f"{hf_id}.json") or api_files.get(f"/{hf_id}.json")
    return json.loads(data) if data else {}


def encode(doc: Optional[dict[str, Any]]) -> str:
    """Compact, deterministic JSON text of a builder document."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def builder_json(catalog: "Catalog", entry: "RecipeEntry", api_files: dict[str, bytes]) -> Optional[str]:
    """The builder data of one recipe as JSON text; None when the recipe has no commands (omni)."""
    doc = recipe_document(catalog, entry, api_document(api_files, entry.hf_id))
    return None if doc is None else encode(doc)


def _work(hf_id: str) -> Optional[str]:
    catalog, api_files = _job["catalog"], _job["api"]
    return builder_json(catalog, catalog.entry(hf_id), api_files)


def all_builder_json(catalog: "Catalog", api_files: dict[str, bytes],
                     only: Optional[list[str]] = None) -> dict[str, Optional[str]]:
    """Builder data of every recipe (or of `only`), in parallel when the process can fork safely."""
    ids = [e.hf_id for e in catalog.recipes] if only is None else only
    workers = min(os.cpu_count() or 1, len(ids))
    # Forking a process that runs threads (`mkdocs serve`) can deadlock the children.
    can_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or not can_fork:
        return {hf_id: builder_json(catalog, catalog.entry(hf_id), api_files) for hf_id in ids}
    _job.update(catalog=catalog, api=api_files)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return dict(zip(ids, pool.map(_work, ids, chunksize=1), strict=True))
    finally:
        _job.clear()


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _fingerprint(shared: str, entry: "RecipeEntry", api_files: dict[str, bytes]) -> str:
    """What a recipe's data depends on: its YAML, its API document, the taxonomy and strategies."""
    return _digest([shared, entry.raw, hashlib.sha256(api_files.get(f"{entry.hf_id}.json", b"")).hexdigest()])


def _data(catalog: "Catalog", entry: "RecipeEntry", api_files: dict[str, bytes]) -> Optional[str]:
    if _seen["catalog"] is not catalog:  # a new build: refresh every recipe whose inputs changed
        _seen["catalog"] = catalog
        shared = _digest([catalog.taxonomy_raw, catalog.strategies_raw])
        prints = {e.hf_id: _fingerprint(shared, e, api_files) for e in catalog.recipes}
        stale = [h for h, fp in prints.items() if _docs.get(h, ("",))[0] != fp]
        for hf_id, text in all_builder_json(catalog, api_files, stale).items():
            _docs[hf_id] = (prints[hf_id], text)
    if entry.hf_id not in _docs:  # not part of the catalog it came with
        _docs[entry.hf_id] = ("", builder_json(catalog, entry, api_files))
    return _docs[entry.hf_id][1]


def _for_template(text: str) -> str:
    """JSON text safe inside <template>: only `&` and `<` are special there (quotes stay as is)."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def page_context(catalog: "Catalog", entry: "RecipeEntry", api_files: dict[str, bytes]) -> Optional[dict[str, Any]]:
    """`recipe_builder` for a recipe page; None when the page has nothing to show.

    Keys: ``data`` (the inlined JSON, already escaped for the template), ``view`` (rows and command
    card of the recommended selection, for the server-rendered HTML), ``command`` (the
    recommended command, which the page shows without JavaScript), ``selfhost`` (platform tabs)
    and ``omni`` (task commands of omni recipes, which have no ``data``).
    """
    text = _data(catalog, entry, api_files)
    extras = {"selfhost": self_host(catalog, entry), "omni": omni_block(entry), "hf_id": entry.hf_id}
    if text is None:
        return {**extras, "data": None, "view": None, "command": None} if extras["omni"] else None
    data = json.loads(text)
    view = default_view(data)
    return {**extras, "data": _for_template(text), "view": view, "command": view["output"]["command"]}
