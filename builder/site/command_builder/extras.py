"""What a recipe page shows around the command builder: the self-host dialog and the omni block.

Both are plain values for ``partials/command-builder.html``; the page script only opens the
dialog. Platform entries of a recipe (`meta.platforms`) may override the catalog's blurb and
install snippet and add a start script (``platforms.yaml`` documents the fields).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builder.synth.omni import omni_tasks

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry


def self_host(catalog: Catalog, entry: RecipeEntry) -> list[dict[str, Any]]:
    """One tab per platform the recipe lists and the catalog knows, in the recipe's order."""
    known = {p.id: p for p in (catalog.platforms.platforms if catalog.platforms else [])}
    out = []
    for link in getattr(entry.recipe.meta, "platforms", None) or []:
        base = known.get(link.id)
        if base is None or not base.url.startswith(("https://", "http://")):
            continue  # a `javascript:` or relative link would run or mislead from our page
        out.append({"id": link.id, "name": base.name, "url": base.url, "blurb": link.blurb or base.blurb,
                    "install": (link.install or base.install or "").rstrip("\n"), "script": (link.script or "").rstrip("\n")})
    return out


def omni_block(entry: RecipeEntry) -> list[dict[str, Any]]:
    """Tasks of an omni recipe with their serve command and request (empty for other recipes)."""
    return [{"id": t.id, "label": t.label, "description": t.description, "endpoint": t.endpoint,
             "command": t.command, "curl": t.curl} for t in omni_tasks(entry.recipe)]
