"""Work done once: the per-recipe results of the last site build, reused when their inputs are unchanged.

Three kinds of per-recipe work are remembered, each under a key made of its inputs' content:

* the recipe's share of the JSON API (:mod:`builder.api.cached`): the recipe's bytes, the
  vocabulary's bytes, the set of recipe ids, the edition and the builder's code;
* its command-builder data (:class:`builder.site.command_builder.BuilderCache`: the recipe, its API
  document, taxonomy, strategies and KV stores), kept only while the code, the edition and the
  vocabulary (``vocabulary_key``) are unchanged;
* its page's Markdown (:func:`builder.site.pages.build_site`: the facts and links the page shows).

So an edit to one recipe renders that recipe's documents, data and page; an edit to the taxonomy or
a strategy changes every key and renders everything. `recipes serve` keeps a :class:`SiteMemo` in
memory across rebuilds; `recipes build` keeps it in `.recipes-cache/` beside the site folder
(:class:`builder.write.site_cache.SiteRecord`). MkDocs still templates every page.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.api.cached import RecipeShare, build_api_cached
from builder.models import Catalog
from builder.site import command_builder
from builder.site.pages import SiteBuild, SiteOptions, build_site
from builder.synth import Edition
from builder.write.cache import digest_inputs

FORMAT = 1


@dataclass
class SiteMemo:
    format: int = FORMAT
    vocabulary_key: str = ""
    api: dict[str, RecipeShare] = field(default_factory=dict)
    builder: command_builder.BuilderCache = field(default_factory=command_builder.BuilderCache)
    pages: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    """Recipe key and builder-data fingerprint → the page's `recipe_builder` context."""


@dataclass
class SiteWork:
    """What the plugin publishes, and which recipes this build rendered (by kind of work)."""

    api: Any
    site: SiteBuild
    builders: dict[str, dict[str, Any] | None]
    rendered: dict[str, list[str]]
    memo: SiteMemo


def usable(memo: object) -> SiteMemo:
    """`memo` if it is a memo of this format (one loaded from disk may not be), else an empty one."""
    return memo if isinstance(memo, SiteMemo) and memo.format == FORMAT else SiteMemo()


def site_work(catalog: Catalog, root: Path, edition: Edition, options: SiteOptions, memo: SiteMemo) -> SiteWork:
    """The API, the pages and the command-builder contexts of `catalog`, reusing `memo`."""
    inputs = digest_inputs(root, f"site-api {edition.name}")
    models = root / "models"
    keys = {}
    for entry in catalog.recipes:
        with contextlib.suppress(KeyError, ValueError):  # not a file below models/: never reused
            keys[entry.hf_id] = inputs.recipe_keys[entry.path.relative_to(models).as_posix()]
    cached = build_api_cached(catalog, keys, memo.api, edition)
    # Page and builder keys hold their inputs but not the code that renders them: same code only.
    same = memo.vocabulary_key == inputs.vocabulary_key
    site = build_site(catalog, cached.api, options, root=root, memo=memo.pages if same else None)
    builder = memo.builder if same else command_builder.BuilderCache()
    before = dict(builder.texts)
    texts = command_builder.all_texts(catalog, cached.api.documents, builder, edition)
    ids = {e.hf_id for e in catalog.recipes}
    builder.texts = {h: v for h, v in builder.texts.items() if h in ids}  # forget removed recipes
    contexts: dict[str, dict[str, Any] | None] = {}
    builders = {}
    for entry in catalog.recipes:  # the context parses the data again: only for new data
        key = f"{keys.get(entry.hf_id)} {builder.texts[entry.hf_id][0]}"
        found = memo.contexts[key] if same and key in memo.contexts and entry.hf_id in keys \
            else command_builder.context_of(catalog, entry, texts[entry.hf_id])
        builders[entry.hf_id] = contexts[key] = found
    rendered = {"api": cached.rendered, "pages": site.rendered,
                "builder": [h for h in builder.texts if before.get(h) != builder.texts[h]]}
    return SiteWork(cached.api, site, builders, rendered,
                    SiteMemo(FORMAT, inputs.vocabulary_key, cached.memo, builder, site.memo, contexts))
