"""The browse page (`/browse/`) and the small JSON index its script filters.

Every recipe row is rendered here, in the default order, so the page is complete without
JavaScript and every recipe has a plain link. `assets/browse.js` then reads `browse/index.json`
(one short record per recipe) to build the filter controls, and only hides and reorders the
pre-rendered rows — row markup exists in one place.
"""
from __future__ import annotations

import json
from typing import Any

from builder.site.facts import TASK_ORDER, RecipeFacts, SiteFacts
from builder.site.html.components import arch_label, initial_tile, size_text
from builder.site.html.frontmatter import front_matter
from builder.site.html.markup import blocks, esc, rel, tag
from builder.site.pages.listing import newest_models

URL = "browse/"
INDEX = "browse/index.json"

# Size buckets in billions of parameters: (id, label, lower bound inclusive).
SIZE_BUCKETS = (("xs", "<10B", 0.0), ("s", "10–70B", 10.0), ("m", "70–200B", 70.0),
                ("l", "200B–1T", 200.0), ("xl", "≥1T", 1000.0))
PRECISION_ORDER = ("bf16", "fp8", "fp4", "nvfp4", "mxfp4", "int4", "int8")


def size_bucket(params_b: float | None) -> str | None:
    if params_b is None:
        return None
    return [key for key, _, low in SIZE_BUCKETS if params_b >= low][-1]


def _precisions(r: RecipeFacts) -> list[str]:
    return list(dict.fromkeys(v.precision.lower() for v in r.variants))


def _record(r: RecipeFacts) -> dict[str, Any]:
    dv = r.default_variant
    return {
        "id": r.hf_id, "org": r.org, "repo": r.repo, "title": r.title, "provider": r.provider,
        "description": r.description or r.headline, "tasks": list(r.tasks), "arch": r.architecture,
        "params": r.params, "active": r.active, "params_b": r.params_b, "size": size_bucket(r.params_b),
        "precision": dv.precision.lower() if dv else "", "precisions": _precisions(r),
        "verified": list(r.verified), "updated": r.date_updated, "ctx": r.context_length,
    }


def browse_index(site: SiteFacts) -> bytes:
    """`browse/index.json`: records plus the vocabularies the filter rows are built from."""
    orgs = site.by_org()
    used_tasks = {t for r in site.recipes for t in r.tasks}
    order = {t: i for i, t in enumerate(TASK_ORDER)}
    used_hw = {hw for r in site.recipes for hw in r.verified}
    used_prec = {p for r in site.recipes for p in _precisions(r)}
    prec_rank = {p: i for i, p in enumerate(PRECISION_ORDER)}
    doc = {
        "tasks": [{"id": t, "name": site.task_name(t)}
                  for t in sorted(used_tasks, key=lambda t: (order.get(t, len(order)), t))],
        "sizes": [{"id": key, "name": label} for key, label, _ in SIZE_BUCKETS],
        "precisions": sorted(used_prec, key=lambda p: (prec_rank.get(p, len(prec_rank)), p)),
        "hardware": [{"id": hw, "name": p.display_name, "brand": p.brand}
                     for hw, p in site.hardware.items() if hw in used_hw or not p.restricted],
        "providers": [{"id": org, "name": site.provider(org)} for org in orgs],
        "recipes": [_record(r) for r in newest_models(site.recipes)],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _row(r: RecipeFacts, site: SiteFacts) -> str:
    dv = r.default_variant
    hw = "".join(tag("span", esc(site.hardware[h].display_name), class_="hw-chip hw-chip--verified")
                 for h in r.verified) or tag("span", "—", class_="muted")
    sub = r.org + " · " + ", ".join(site.task_name(t) for t in r.tasks)
    cells = [
        tag("span", initial_tile(r.org) + tag("span", tag("span", esc(r.repo), class_="br-repo")
                                              + tag("span", esc(sub), class_="br-sub"), class_="br-name"),
            class_="br-model"),
        tag("span", esc(size_text(r)) or "—", class_="br-size"),
        tag("span", esc(arch_label(r.architecture)) if r.architecture else "—", class_="br-arch"),
        tag("span", esc(dv.precision.upper()) if dv else "—", class_="br-prec"),
        tag("span", hw, class_="br-hw"),
        tag("span", esc(r.description or r.headline), class_="br-notes"),
    ]
    return tag("li", tag("a", "".join(cells), href=rel(URL, r.url), class_="browse-row"), data_recipe=r.hf_id)


def browse_markdown(site: SiteFacts) -> str:
    total = len(site.recipes)
    head = "".join(tag("span", label, class_=cls) for label, cls in (
        ("Model", "br-model"), ("Size", "br-size"), ("Arch", "br-arch"), ("Precision", "br-prec"),
        ("Verified on", "br-hw"), ("Notes", "br-notes")))
    meta = {"title": "Browse all recipes", "description": f"All {total} vLLM recipes: filter by provider, "
            "task, hardware, architecture and size.", "hide": ["navigation", "toc"], "search": {"exclude": True}}
    return front_matter(meta) + blocks([
        tag("h1", "Browse recipes"),
        # browse.js builds the filter bar here; without JavaScript the full list below still works.
        tag("div", tag("p", f"{total} recipes, newest first.", class_="browse-status"),
            class_="browse-controls", id="browse", data_browse_index=rel(URL, INDEX)),
        tag("div", "".join([tag("div", head, class_="browse-head", aria_hidden="true"),
                            tag("ul", "".join(_row(r, site) for r in newest_models(site.recipes)),
                                class_="browse-list", id="browse-list")]), class_="browse-table"),
    ])
