"""The site search index (`search.json`), fetched by `assets/search.js` when the box is first used.

Why our own instead of Material's search plugin: Material's worker downloads its lunr index on
every first visit (57 KB gzip of a 166 KB visit) and ranks by term frequency, so "glm" found
GLM-4.5-Air above GLM-5.2 and docs paragraphs mixed into model results. Here everything that
decides an order is computed at build time:

* recipes are listed newest first (:func:`~builder.site.pages.listing.newest_models`: within a
  model family the higher version in the name, GLM-5.2 before GLM-5.1 before GLM-4.5-Air;
  families by their latest `date_updated`), providers by name, docs by path;
* each record carries `k`, its squashed match key (repo name; provider name and org), and `h`, the
  squashed haystack of every field the Browse page filters on (so "see all in Browse" finds the
  same recipes).

The browser only splits the query into words, keeps records whose haystack holds every word, and
sorts them stably by a match tier (exact key, key prefix, word prefix, anywhere): newer wins ties
because the list is already newest first. Squashing (lower case; `-`, `_`, `.` and spaces removed)
is the same in `search.js` and `browse.js`, so "glm52" finds GLM-5.2.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from builder.site.facts import RecipeFacts, SiteFacts
from builder.site.html.components import size_text
from builder.site.pages.listing import newest_first, newest_models, squash

INDEX = "search.json"
LATEST = 5


@dataclass(frozen=True)
class DocEntry:
    """One heading of a hand-written page (collected from MkDocs' table of contents)."""

    url: str
    """Site-root URL with anchor, e.g. `docs/api/#models-json`."""
    title: str
    page: str
    """Title of the page the heading is on (shown under the heading)."""


def _recipe(r: RecipeFacts, site: SiteFacts) -> dict[str, Any]:
    hw = " ".join(f"{h} {site.hardware[h].display_name}" for h in r.verified if h in site.hardware)
    precisions = " ".join(dict.fromkeys(v.precision.lower() for v in r.variants))
    hay = " ".join([r.hf_id, r.title, r.provider, site.provider(r.org), r.description or r.headline,
                    " ".join(r.tasks), r.architecture, r.params, precisions, hw])
    meta = " · ".join(x for x in (site.provider(r.org), size_text(r)) if x)
    return {"u": r.url, "n": r.repo, "o": r.org, "m": meta, "k": squash(r.repo), "h": squash(hay)}


def _provider(org: str, count: int, site: SiteFacts) -> dict[str, Any]:
    name = site.provider(org)
    return {"u": f"{org}/", "n": name, "o": org, "c": count, "k": squash(name), "k2": squash(org),
            "h": squash(f"{name} {org}")}


def search_index(site: SiteFacts, docs: list[DocEntry]) -> bytes:
    """`search.json`: recipes (newest first), providers and doc headings, as compact JSON."""
    models = newest_models(site.recipes)
    position = {r.hf_id: i for i, r in enumerate(models)}
    doc = {
        "recipes": [_recipe(r, site) for r in models],
        # The empty box lists the most recently updated recipes, like the home page.
        "latest": [position[r.hf_id] for r in newest_first(site.recipes)[:LATEST]],
        "providers": sorted((_provider(org, len(rs), site) for org, rs in site.by_org().items()),
                            key=lambda p: (p["k"], p["o"])),
        "docs": [{"u": d.url, "n": d.title, "p": d.page, "k": squash(d.title), "h": squash(f"{d.title} {d.page}")}
                 for d in sorted(set(docs), key=lambda d: (d.url, d.title))],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def doc_entries(page: Any) -> list[DocEntry]:
    """The page and its headings (two levels), for the search index."""
    title = page.title or page.url
    found = [DocEntry(page.url, title, "Docs")]
    stack = list(page.toc)
    while stack:
        item = stack.pop(0)
        if item.level <= 3 and item.title != title:
            found.append(DocEntry(page.url + item.url, item.title, title))
        stack.extend(item.children)
    return found
