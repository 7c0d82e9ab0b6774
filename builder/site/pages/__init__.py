"""Everything the site publishes besides the JSON API, computed in one pass.

:func:`build_site` is the seam between the builder and MkDocs: it returns the Markdown of every
generated page (keyed by the docs-relative path MkDocs will see) and the extra static files
(browse index, variant redirects). The MkDocs plugin adds them to the build unchanged; it
computes nothing itself. Like Pelican's writer, every output path is claimed once, so two
things colliding on one URL is an error rather than a silent overwrite.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from builder.api import ApiBuild
from builder.errors import Problem, RecipeError
from builder.site.facts import RecipeFacts, SiteFacts, site_facts
from builder.site.pages import browse as browse_page
from builder.site.pages import cards, redirects, seo
from builder.site.pages import listing as listing_pages
from builder.site.pages.fit import fit_matrix
from builder.site.pages.recipe import Links, recipe_markdown
from builder.site.pages.sidebar import sidebar_html

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry


@dataclass(frozen=True)
class SiteOptions:
    repo_url: str | None = None
    """Repository home, for "Report an issue" links."""
    edit_base: str | None = None
    """URL prefix of the recipes folder in the repository's editor; a recipe's
    `models/<org>/<repo>.yaml` is appended to it."""
    site_url: str | None = None
    """Absolute site URL, for structured data."""


@dataclass(frozen=True)
class SitePage:
    src_uri: str
    """Docs-relative Markdown path, e.g. `zai-org/GLM-5.2/index.md` (served at `/zai-org/GLM-5.2/`)."""
    url: str
    kind: str
    """`home`, `browse`, `provider` or `recipe`."""
    markdown: str
    org: str | None = None
    hf_id: str | None = None
    source: str | None = None
    """Recipe file relative to the recipes folder (recipe pages only)."""


@dataclass
class SiteBuild:
    facts: SiteFacts
    options: SiteOptions = SiteOptions()
    pages: dict[str, SitePage] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    """Static files relative to the site root."""
    case_files: dict[str, bytes] = field(default_factory=dict)
    """Redirects from other casings of page URLs (`zai-org/glm-5.2/index.html`). Kept apart: on a
    case-insensitive file system they would overwrite the pages they point to."""
    rendered: list[str] = field(default_factory=list)
    """Recipes whose page this build rendered (the others came from the memo)."""
    memo: dict[str, str] = field(default_factory=dict)
    """Key of a recipe page's inputs → its Markdown, for every recipe page of this build."""

    def sidebar(self, page: SitePage) -> str | None:
        if page.kind not in ("provider", "recipe") or page.org is None:
            return None
        return sidebar_html(self.facts, page.url, page.org, page.hf_id)

    def json_ld(self, page: SitePage) -> str | None:
        return seo.json_ld(self.facts, page.kind, page.url, self.options.site_url, page.org, page.hf_id)

    def case_index(self) -> str:
        """Lower-cased provider and recipe URLs → the canonical ones, as JSON safe in a script."""
        found = {p.url.lower(): p.url for p in self.pages.values() if p.kind in ("provider", "recipe")}
        return json.dumps(dict(sorted(found.items())), separators=(",", ":")).replace("<", "\\u003c")

    def card(self, page: SitePage | None) -> str:
        """Site-relative path of the Open Graph card for `page` (recipes have their own)."""
        return cards.card_path(page.hf_id) if page is not None and page.kind == "recipe" and page.hf_id \
            else cards.SITE_CARD

    def _claim(self, dest: str, what: str, claimed: dict[str, str]) -> None:
        if dest in claimed:
            raise RecipeError(Problem(dest, message=f"{what} and {claimed[dest]} both publish this path"))
        claimed[dest] = what

    def add_page(self, page: SitePage, claimed: dict[str, str]) -> None:
        self._claim(page.url + "index.html", f"page {page.url or '/'}", claimed)
        self.pages[page.src_uri] = page

    def add_file(self, path: str, content: bytes, what: str, claimed: dict[str, str]) -> None:
        self._claim(path, what, claimed)
        self.files[path] = content


def _issue_link(repo_url: str | None, r: RecipeFacts) -> str | None:
    if not repo_url:
        return None
    return repo_url.rstrip("/") + "/issues/new?" + urlencode({"title": f"Recipe: {r.hf_id}"})


def _page_key(shared: str, r: RecipeFacts, site: SiteFacts, fit: object, guide: str, links: Links) -> str:
    """Everything a recipe page is made of: its facts, fit matrix, guide and links, the ids and URLs
    of the recipes it links to, its provider's name, and (`shared`) the hardware and task names."""
    related = [(x.hf_id, x.url) if x is not None else None for x in (site.get(h) for h in r.related)]
    text = repr((shared, r, related, site.provider(r.org), fit, guide, links))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def build_site(catalog: Catalog, api: ApiBuild, options: SiteOptions = SiteOptions(),
               root: Path | None = None, memo: dict[str, str] | None = None) -> SiteBuild:
    """All generated pages and site files for `catalog`, from the API built in memory; `memo`
    (a previous build's :attr:`SiteBuild.memo`) spares rendering recipe pages whose inputs are unchanged."""
    entries: list[RecipeEntry] = list(catalog.recipes)
    docs: dict[str, dict[str, Any]] = {e.hf_id: api.documents.get(f"{e.hf_id}.json") or {} for e in entries}
    api_files = api.files
    site = site_facts(catalog, docs, root if root is not None else getattr(catalog, "root", None))
    facts, hardware = site.recipes, site.hardware
    out = SiteBuild(site, options)
    claimed = {path: f"API file {path}" for path in api_files}

    out.add_page(SitePage("index.md", "", "home", listing_pages.home_markdown(site)), claimed)
    out.add_page(SitePage("browse/index.md", browse_page.URL, "browse", browse_page.browse_markdown(site)), claimed)
    out.add_file(browse_page.INDEX, browse_page.browse_index(site), "the browse index", claimed)
    out.add_file("robots.txt", seo.robots_txt(options.site_url).encode(), "robots.txt", claimed)
    for org, recipes in site.by_org().items():
        out.add_page(SitePage(f"{org}/index.md", f"{org}/", "provider",
                              listing_pages.provider_markdown(org, recipes, site), org=org), claimed)
    shared = repr((site.hardware, site.task_names))
    for entry, r in zip(entries, facts, strict=True):
        links = Links(edit=options.edit_base + r.source if options.edit_base else None,
                      issues=_issue_link(options.repo_url, r))
        fit = fit_matrix(entry.recipe, hardware)
        key = _page_key(shared, r, site, fit, entry.recipe.guide, links)
        md = (memo or {}).get(key)
        if md is None:
            md = recipe_markdown(r, site, fit, entry.recipe.guide, links)
            out.rendered.append(r.hf_id)
        out.memo[key] = md
        out.add_page(SitePage(f"{r.hf_id}/index.md", r.url, "recipe", md, org=r.org, hf_id=r.hf_id,
                              source=r.source), claimed)
    # Aliases are a convenience: one that would share a folder with a page on a case-insensitive
    # file system (`google/x` next to `Google/x`) is dropped rather than risk overwriting it.
    folded = {path.lower() for path in claimed}
    for alias in redirects.aliases(docs, {r.hf_id for r in facts}):
        if f"{alias.checkpoint}/index.html".lower() in folded:
            continue
        out.add_file(f"{alias.checkpoint}/index.html", redirects.redirect_html(alias).encode(),
                     f"redirect for {alias.checkpoint}", claimed)
    pages = [p.url for p in out.pages.values() if p.kind in ("provider", "recipe")]
    for spelling, target in redirects.case_aliases(pages).items():
        if f"{spelling}index.html" not in claimed:  # a real page or variant alias wins
            claimed[f"{spelling}index.html"] = f"redirect to {target}"
            out.case_files[f"{spelling}index.html"] = redirects.case_redirect_html(spelling, target).encode()
    return out
