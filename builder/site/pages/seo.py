"""Structured data for generated pages (schema.org JSON-LD), as a string safe inside `<script>`."""
from __future__ import annotations

import json
from typing import Any

from builder.site.facts import SiteFacts
from builder.site.html.components import HF


def _script_json(data: Any) -> str:
    # `<`, `>` and `&` escaped so no recipe string can close the script element.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _crumbs(site_url: str, trail: list[tuple[str, str]]) -> dict[str, Any]:
    return {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": name, "item": site_url + url}
        for i, (name, url) in enumerate(trail, start=1)]}


def breadcrumbs_ld(site_url: str | None, trail: list[tuple[str, str]]) -> str | None:
    """A `BreadcrumbList` for any page (`trail`: name, site-root URL pairs, home first)."""
    if not site_url:
        return None
    return _script_json({"@context": "https://schema.org", **_crumbs(site_url.rstrip("/") + "/", trail)})


def json_ld(site: SiteFacts, kind: str, url: str, site_url: str | None,
            org: str | None = None, hf_id: str | None = None) -> str | None:
    """JSON-LD for generated pages (breadcrumbs, and `SoftwareApplication` for recipes); None
    without an absolute site URL."""
    if not site_url:
        return None
    if kind == "home":
        return breadcrumbs_ld(site_url, [("Recipes", "")])
    if kind == "browse":
        return breadcrumbs_ld(site_url, [("Recipes", ""), ("Browse", url)])
    if org is None:
        return None
    base = site_url.rstrip("/") + "/"
    trail = [("Recipes", ""), (site.provider(org), f"{org}/")]
    if kind == "provider":
        return _script_json({"@context": "https://schema.org", **_crumbs(base, trail)})
    r = site.get(hf_id or "")
    if kind != "recipe" or r is None:
        return None
    app = {
        "@type": "SoftwareApplication", "name": r.hf_id, "alternateName": r.title,
        "description": r.description or r.title, "applicationCategory": "DeveloperApplication",
        "url": base + url, "sameAs": HF + r.hf_id, "dateModified": r.date_updated,
        "creator": {"@type": "Organization", "name": r.provider or r.org},
    }
    if r.min_vllm:
        app["softwareRequirements"] = f"vLLM >= {r.min_vllm}"
    return _script_json({"@context": "https://schema.org",
                         "@graph": [app, _crumbs(base, trail + [(r.repo, url)])]})


def robots_txt(site_url: str | None) -> str:
    """Everything may be crawled; variant aliases carry their own `noindex`."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"
