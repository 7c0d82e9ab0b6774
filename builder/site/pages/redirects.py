"""Redirect pages: variant checkpoints (`/nvidia/GLM-5.2-NVFP4/` → `/zai-org/GLM-5.2/?variant=nvfp4`)
and other casings of provider and recipe URLs (`/zai-org/glm-5.2/`, `/ZAI-ORG/` → the canonical page).

A static host cannot answer 307, so each alias is a tiny standalone HTML file (not a Markdown
page: no theme, no sitemap entry, no search entry) that redirects three ways — `location.replace`
(keeping any extra query such as `?hardware=b200`), a meta refresh, and a visible link — and asks
search engines not to index it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from builder.site.html.markup import esc, rel


@dataclass(frozen=True)
class Alias:
    checkpoint: str
    """The variant's Hugging Face id, e.g. `nvidia/GLM-5.2-NVFP4`."""
    recipe: str
    variant: str | None
    """Variant key to select; None for the default variant's own checkpoint."""


def aliases(docs: dict[str, dict[str, Any]], taken: set[str]) -> list[Alias]:
    """Promoted variants (from the API `variants.<v>.json` pointers) and default checkpoints.

    `docs` maps recipe hf id → its API document, in build order; `taken` holds ids that already
    have a page. When two variants promote the same checkpoint the later one wins, as in the API.
    """
    found: dict[str, Alias] = {}
    for hf_id, doc in docs.items():
        variants = doc.get("variants") or {}
        for key, v in variants.items():
            pointer = v.get("json") if isinstance(v, dict) else None
            if isinstance(pointer, str) and pointer.startswith("/") and pointer.endswith(".json"):
                # A promoted default checkpoint (2026-08) lands on the recipe as it opens.
                found[pointer[1:-5]] = Alias(pointer[1:-5], hf_id, None if key == "default" else key)
        listed = variants.get("default")
        default: dict[str, Any] = listed if isinstance(listed, dict) else {}
        mid = default.get("model_id")
        # The default checkpoint 404s on the reference site; here it lands on the recipe itself.
        if isinstance(mid, str) and "/" in mid and mid != hf_id and mid not in found:
            found[mid] = Alias(mid, hf_id, None)
    return [a for cid, a in found.items() if cid not in taken]


def case_aliases(urls: list[str]) -> dict[str, str]:
    """Lower- and upper-case spellings of page URLs (`org/` and `org/repo/`) → the canonical URL.

    Only the two whole-path casings people type or paste: enumerating every mixed casing would
    be exponential. A spelling that is itself a canonical URL is never an alias.
    """
    canonical = set(urls)
    found: dict[str, str] = {}
    for url in urls:
        for spelling in (url.lower(), url.upper()):
            if spelling != url and spelling not in canonical:
                found.setdefault(spelling, url)
    return dict(sorted(found.items()))


def _script_str(value: str) -> str:
    # JSON is a valid JS string literal; `<` is escaped so `</script>` cannot end the block.
    return json.dumps(value).replace("<", "\\u003c")


def redirect_html(alias: Alias) -> str:
    here = f"{alias.checkpoint}/"
    query = ("?" + urlencode({"variant": alias.variant})) if alias.variant else ""
    what = f"the {alias.variant} variant" if alias.variant else "the default checkpoint"
    body = f"<code>{esc(alias.checkpoint)}</code> is {esc(what)} of"
    return _page(here, f"{alias.recipe}/", query, f"{alias.checkpoint} → {alias.recipe}", body)


def case_redirect_html(here: str, target: str) -> str:
    """The page at `here` (e.g. `zai-org/glm-5.2/`) sending readers on to `target`, query kept."""
    return _page(here, target, "", f"{here.rstrip('/')} → {target.rstrip('/')}",
                 f"<code>/{esc(here)}</code> is spelled")


def _page(here: str, to_url: str, query: str, title: str, body: str) -> str:
    target = rel(here, to_url)
    name = to_url.rstrip("/")
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n"
        f"<title>{esc(title)}</title>\n"
        f"<link rel=\"canonical\" href=\"{esc(target)}\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={esc(target + query)}\">\n"
        "<script>(function () {\n"
        f"  var url = new URL({_script_str(target + query)}, location.href);\n"
        "  new URLSearchParams(location.search).forEach(function (v, k) {\n"
        "    if (!url.searchParams.has(k)) url.searchParams.set(k, v);\n"
        "  });\n"
        "  location.replace(url.href + location.hash);\n"
        "})();</script>\n</head>\n<body>\n"
        f"<p>{body} <a href=\"{esc(target + query)}\">{esc(name)}</a>.</p>\n"
        "</body>\n</html>\n"
    )
