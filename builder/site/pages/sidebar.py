"""The providers sidebar of provider and recipe pages: every org, the current one expanded.

It is plain HTML handed to the theme (not part of the page body), a few KB for the whole
catalog — unlike the reference site, which embedded every recipe in every page.
"""
from __future__ import annotations

from builder.site.facts import SiteFacts
from builder.site.html.components import initial_tile
from builder.site.html.markup import esc, rel, tag
from builder.site.pages.listing import newest_models


def sidebar_html(site: SiteFacts, page_url: str, org: str, current: str | None = None) -> str:
    items = []
    for o, recipes in site.by_org().items():
        models = "".join(
            tag("li", tag("a", esc(r.repo), href=rel(page_url, r.url), title=site.task_name(r.primary_task),
                          class_="prov-nav__model" + (" is-active" if r.hf_id == current else ""),
                          aria_current="page" if r.hf_id == current else None))
            for r in newest_models(recipes))
        link = tag("a", initial_tile(o) + esc(site.provider(o)), href=rel(page_url, f"{o}/"),
                   class_="prov-nav__org" + (" is-active" if o == org and current is None else ""),
                   aria_current="page" if o == org and current is None else None)
        summary = tag("summary", link + tag("span", str(len(recipes)), class_="prov-nav__count"))
        items.append(tag("li", tag("details", summary + tag("ul", models), open=o == org)))
    return tag("nav", tag("p", "Providers", class_="prov-nav__title") + tag("ul", "".join(items)),
               class_="prov-nav", aria_label="Providers")
