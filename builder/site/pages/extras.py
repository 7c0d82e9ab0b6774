"""Site files for machines: `/llms.txt` (an index for agents) and `/schema/recipe.json`.

    site_extra_files(catalog, api_files, site_url=config.site_url)  # path → bytes, site-relative

`llms.txt` follows the llmstxt.org layout: a title, a one-paragraph summary, then link lists.
It only links API files that exist in `api_files`, so it cannot point at a missing document.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from builder.models.schema import schema_text

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

LLMS_TXT = "llms.txt"
SCHEMA_JSON = "schema/recipe.json"

ENDPOINTS = [
    ("/models.json", "every recipe and promoted variant checkpoint: hf_id, title, provider, page url, json url"),
    ("/taxonomy.json", "hardware profiles (GPU count, memory per node, brand, generation) and tasks"),
    ("/strategies.json", "every serving strategy by name; one each at /strategies/{name}.json"),
    ("/kv_store.json", "the Mooncake KV-store deployments by name; one each at /kv_store/{name}.json"),
    ("/{org}/{repo}.json", "one recipe: metadata, features, variants, install steps and recommended_command "
                           "(with by_hardware links)"),
    ("/{org}/{repo}/hw/{hw}.json", "the recommended command of the default variant on one hardware, "
                                   "with strategy_spec, hardware_profile and alternatives links"),
    ("/{org}/{repo}/strategies/{strategy}.json", "an alternative strategy on the default hardware "
                                                 "(/{org}/{repo}/hw/{hw}/strategies/{strategy}.json elsewhere)"),
    ("/{org}/{repo}/variants.json", "every variant: precision, vram_minimum_gb, model_id, links per hardware "
                                    "and the reason for hardware it cannot run on"),
    ("/{org}/{repo}/variants/{variant}/hw/{hw}.json", "the recommended command of any variant on any hardware; "
                                                      "alternatives at …/hw/{hw}/strategies/{strategy}.json"),
    ("/" + SCHEMA_JSON, "JSON Schema of a recipe YAML file"),
]


def site_extra_files(catalog: Catalog, api_files: dict[str, bytes],
                     site_url: str | None = None) -> dict[str, bytes]:
    """`llms.txt` and the recipe JSON Schema; never a path that `api_files` already has."""
    files = {LLMS_TXT: llms_txt(catalog, api_files, site_url).encode("utf-8"),
             SCHEMA_JSON: schema_text().encode("utf-8")}
    return {path: data for path, data in files.items() if path not in api_files}


def _text(value: str) -> str:
    """One line of Markdown link text or description: no line breaks, no stray brackets."""
    return re.sub(r"\s+", " ", value).strip().replace("[", "(").replace("]", ")")


def _recipe_line(entry: RecipeEntry, api_files: dict[str, bytes], base: str) -> str:
    meta, hf_id = entry.recipe.meta, entry.hf_id
    variants = ", ".join(f"{key} ({v.precision})" for key, v in entry.recipe.variants.items())
    json_links = [f"/{path}" for path in (f"{hf_id}.json", f"{hf_id}/variants.json") if path in api_files]
    parts = [_text(meta.description), f"Tasks: {', '.join(meta.tasks)}.", f"Variants: {variants}."]
    if json_links:
        parts.append("JSON: " + ", ".join(base + link for link in json_links))
    return f"- [{_text(meta.title)} ({hf_id})]({base}/{hf_id}/): " + " ".join(parts)


def llms_txt(catalog: Catalog, api_files: dict[str, bytes], site_url: str | None = None) -> str:
    base = (site_url or "").rstrip("/")
    lines = [
        "# vLLM Recipes",
        "",
        "> Tested `vllm serve` commands for open models on every GPU and accelerator: one recipe per model, "
        "every variant (precision) on every hardware profile, as static pages and a static JSON API.",
        "",
        "Every command is synthesized from the recipe YAML by one builder, so the JSON API, the pages and "
        "the `recipes command ORG/REPO` CLI always agree. Fetch JSON rather than scraping HTML; commands "
        "with `$PLACEHOLDERS` (HEAD_IP, IFACE_NAME, …) need those set on each node first.",
        "",
        "## API",
        "",
    ]
    # Templates are shown as code; concrete paths are links.
    # A concrete path is listed only when this build has it (the 2026-06 edition has no kv_store.json).
    lines += [f"- `{path}`: {what}" if "{" in path else f"- [{path}]({base}{path}): {what}"
              for path, what in ENDPOINTS if "{" in path or path.endswith("recipe.json") or path[1:] in api_files]
    lines += ["", f"Field reference: {base}/docs/api/ · Recipe format: {base}/docs/authoring/", "", "## Recipes", ""]
    lines += [_recipe_line(entry, api_files, base) for entry in catalog.recipes]
    lines += ["", "## Optional", "",
              f"- [Architecture]({base}/docs/architecture/): how the builder turns YAML into commands", ""]
    return "\n".join(lines)
