"""The Markdown of one recipe page (`/<org>/<repo>/`).

Layout, top to bottom: header (title, provider, description, badges, verified hardware), the
command-builder slot, the fit matrix, the guide, and a footer line (related recipes, edit link,
updated date). The guide is the contributor's Markdown, made safe by :mod:`builder.site.pages.guide`; the
plugin sanitizes the rendered page body once more as a whole (:mod:`builder.site.html.sanitize`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from builder.site.facts import RecipeFacts, SiteFacts
from builder.site.html.components import HF, recipe_badges
from builder.site.html.frontmatter import front_matter
from builder.site.html.markup import blocks, esc, rel, tag
from builder.site.pages.fit import FitMatrix
from builder.site.pages.guide import guide_markdown

# The command builder is mounted here by `recipe.html`; the page body is split at this element.
SLOT = '<div class="recipe-builder-slot" data-recipe-slot="command"></div>'


@dataclass(frozen=True)
class Links:
    """Where the footer links of a recipe page point (from `repo_url`/`edit_uri`)."""

    edit: str | None = None
    issues: str | None = None


def select_link(hardware: str, variant: str | None = None) -> str:
    """A same-page link that selects a hardware/variant pair in the command builder."""
    query = {"hardware": hardware} | ({"variant": variant} if variant else {})
    return "?" + urlencode(query) + "#command"


def _header(r: RecipeFacts, site: SiteFacts) -> str:
    prov = site.provider(r.org)
    title = tag("h1", tag("span", esc(r.org + "/"), class_="recipe-title__org") + esc(r.repo),
                class_="recipe-title", id="recipe-title")
    provider = tag("p", "by " + tag("a", esc(prov), href=rel(r.url, f"{r.org}/"))
                   + " · " + tag("a", "View on Hugging Face", href=HF + r.hf_id, class_="recipe-hf"),
                   class_="recipe-provider")
    parts = [title, provider]
    if r.description:
        parts.append(tag("p", esc(r.description), class_="recipe-desc"))
    if r.headline:
        parts.append(tag("p", esc(r.headline), class_="recipe-headline"))
    parts.append(recipe_badges(r, site, full=True))
    return tag("header", "".join(parts), class_="recipe-head")


def _verified(r: RecipeFacts, site: SiteFacts) -> str:
    if not r.verified:
        return tag("p", "Not yet verified end-to-end on any hardware profile.", class_="recipe-verified")
    links = " ".join(
        tag("a", esc(site.hardware[hw].display_name), href=select_link(hw), class_="hw-chip hw-chip--verified")
        for hw in r.verified)
    return tag("p", tag("span", "Verified on", class_="recipe-verified__label") + " " + links,
               class_="recipe-verified")


def _row_names(r: RecipeFacts) -> dict[str, str]:
    """Variant labels, with the key added where two variants share a label (`BF16 (base)`)."""
    counts = Counter(v.label for v in r.variants)
    return {v.key: v.label if counts[v.label] == 1 else f"{v.label} ({v.key})" for v in r.variants}


def _fit_table(r: RecipeFacts, site: SiteFacts, fit: FitMatrix) -> str:
    # Omni recipes have no command builder to select a pair in, so the matrix would be inert.
    if r.omni or not fit.hardware or not fit.rows:
        return ""
    labels = {v.key: v for v in r.variants}
    names = _row_names(r)
    head = tag("th", "Variant", scope="col") + "".join(
        tag("th", esc(site.hardware[hw].display_name)
            + (tag("span", "", class_="dot dot--verified", title="Verified") if hw in r.verified else ""),
            scope="col", title=site.hardware[hw].description or None)
        for hw in fit.hardware)
    rows = []
    for key, cells in fit.rows:
        v = labels[key]
        name = tag("th", esc(names[key]) + tag("small", f"{v.vram_gb:g} GB"), scope="row",
                   title=v.description or None)
        tds = []
        for c in cells:
            if c.nodes is None:
                tds.append(tag("td", esc(c.short), class_="fit fit--no", title=c.detail))
            else:
                kind = "fit--one" if c.nodes == 1 else "fit--multi"
                tds.append(tag("td", tag("a", esc(c.short), href=select_link(c.hardware, key), title=c.detail),
                               class_=f"fit {kind}"))
        rows.append(tag("tr", name + "".join(tds)))
    table = tag("table", tag("thead", tag("tr", head)) + tag("tbody", "".join(rows)), class_="fit-matrix")
    note = tag("p", "Nodes needed for the weights alone (minimum VRAM ÷ node memory); "
               "KV cache needs more. Pick a cell to load that pair into the command above.",
               class_="fit-note", data_search_exclude=True)
    # The matrix is a lookup table, not prose: keep it out of the search index.
    return blocks(["## Where it runs", tag("div", table, class_="fit-scroll", data_search_exclude=True), note])


def _related(r: RecipeFacts, site: SiteFacts) -> str:
    found = [x for x in (site.get(h) for h in r.related) if x is not None and x.hf_id != r.hf_id]
    if not found:
        return ""
    return "Related: " + ", ".join(tag("a", esc(x.hf_id), href=rel(r.url, x.url)) for x in found)


def _footer(r: RecipeFacts, site: SiteFacts, links: Links) -> str:
    items = [f'Updated {tag("time", esc(r.date_updated), datetime=r.date_updated)}']
    if links.edit:
        items.append(tag("a", "Edit this recipe", href=links.edit, class_="recipe-edit"))
    if links.issues:
        items.append(tag("a", "Report an issue", href=links.issues))
    items.append(tag("a", "JSON", href=rel(r.url, f"{r.hf_id}.json"), title="This recipe in the JSON API"))
    related = _related(r, site)
    if related:
        items.append(related)
    return tag("footer", " · ".join(tag("span", i) for i in items), class_="recipe-foot")


def recipe_markdown(r: RecipeFacts, site: SiteFacts, fit: FitMatrix, guide: str, links: Links) -> str:
    meta = {
        "title": r.hf_id,
        "description": r.description or r.title,
        "template": "recipe.html",
        "search": {"boost": 2},
        # The command builder needs the page's full content width: at 1280 px the table of
        # contents column squeezed its pill rows and hid the fit table behind a scrollbar.
        "hide": ["toc"],
    }
    guide_md = guide_markdown(guide)
    return front_matter(meta) + blocks([
        _header(r, site),
        _verified(r, site),
        SLOT,
        _fit_table(r, site, fit),
        tag("div", "Guide", class_="recipe-section-label", data_search_exclude=True) if guide_md else "",
        guide_md,
        _footer(r, site, links),
    ])


def split_at_slot(html: str) -> tuple[str, str]:
    """The rendered body before and after the command-builder slot (all of it before, if absent)."""
    before, found, after = html.partition(SLOT)
    return (before, after) if found else (html, "")
