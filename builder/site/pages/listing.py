"""The home page (`/`) and one page per provider (`/<org>/`)."""
from __future__ import annotations

import re

from builder.site.facts import TASK_ORDER, RecipeFacts, SiteFacts
from builder.site.html.components import (
    HF,
    arch_label,
    initial_tile,
    provider_tile,
    recipe_card,
    size_text,
)
from builder.site.html.frontmatter import front_matter
from builder.site.html.markup import blocks, esc, rel, slug, tag

LATEST = 8


def newest_first(recipes: list[RecipeFacts] | tuple[RecipeFacts, ...]) -> list[RecipeFacts]:
    """Most recently added first (`date_added`, else `date_updated`); ties by hf id so the order is stable."""
    return sorted(sorted(recipes, key=lambda r: r.hf_id), key=lambda r: r.date_added, reverse=True)


_SQUASH = re.compile(r"[-_.\s]+")


def squash(text: str) -> str:
    """What the browser scripts call `squash`: lower case without `-`, `_`, `.` and spaces."""
    return _SQUASH.sub("", text.lower())


_FAMILY = re.compile(r"^[^\d]*")
_NUMBERS = re.compile(r"\d+")


def _family(r: RecipeFacts) -> str:
    """The name before its first digit, squashed: `glm` for GLM-5.2, `deepseekv` for DeepSeek-V4-Pro."""
    return r.org.lower() + "/" + squash(_FAMILY.match(r.repo).group(0))  # type: ignore[union-attr]


def _version(r: RecipeFacts) -> tuple[int, ...]:
    """Numbers in the name, padded so GLM-5 sorts as 5.0 (below 5.2) rather than as a prefix."""
    return (tuple(int(n) for n in _NUMBERS.findall(r.repo)) + (0,) * 8)[:8]


def newest_models(recipes: tuple[RecipeFacts, ...] | list[RecipeFacts]) -> list[RecipeFacts]:
    """Newest first, as a reader means it. Recipes carry no release date, and `date_added` (or
    `date_updated`) says when the recipe was written or last edited (GLM-5 after GLM-5.2), so within
    a family the version in the name decides; families come in the order of their newest recipe."""
    ordered = newest_first(recipes)
    latest: dict[str, int] = {}
    for i, r in enumerate(ordered):
        latest.setdefault(_family(r), i)
    rank = {r.hf_id: i for i, r in enumerate(ordered)}
    return sorted(ordered, key=lambda r: (latest[_family(r)], tuple(-n for n in _version(r)), rank[r.hf_id]))


def latest(site: SiteFacts, limit: int = LATEST) -> list[RecipeFacts]:
    """Newest recipes, at most one per provider so the list shows breadth (spec §1.4)."""
    picked: list[RecipeFacts] = []
    seen: set[str] = set()
    for r in newest_first(site.recipes):
        if r.org not in seen:
            picked.append(r)
            seen.add(r.org)
        if len(picked) == limit:
            break
    return picked


def home_markdown(site: SiteFacts) -> str:
    url = ""
    total = len(site.recipes)
    orgs = site.by_org()
    hero = tag("div", "".join([
        tag("h1", "Deploy any model on any hardware with vLLM", class_="home-title"),
        tag("p", "Pick a model, choose your GPUs, copy the <code>vllm serve</code> line. Every recipe is "
                 "tuned per hardware, checked by its author, and available as "
                 + tag("a", "JSON", href=rel(url, "models.json")) + " too.", class_="home-intro"),
        tag("p", tag("a", f"Browse all {total} recipes", href=rel(url, "browse/"),
                     class_="md-button md-button--primary")
            + " " + tag("a", "About", href=rel(url, "about/"), class_="md-button"), class_="home-actions"),
    ]), class_="home-hero")
    cards = "".join(recipe_card(r, site, url) for r in latest(site))
    tiles = "".join(provider_tile(org, site.provider(org), len(rs), url) for org, rs in orgs.items())
    meta = {"title": "Deploy any model on any hardware",
            "description": "Deploy any open model on any hardware with vLLM: "
                           "tuned, copy-paste serve commands for every GPU.",
            "hide": ["navigation", "toc"],
            "search": {"exclude": True}}
    return front_matter(meta) + blocks([
        hero,
        "## Latest recipes",
        tag("div", cards, class_="card-grid"),
        tag("p", tag("a", f"View all {total} →", href=rel(url, "browse/")), class_="more-link"),
        "## Browse by provider",
        tag("div", tiles, class_="tile-grid"),
    ])


def _model_row(r: RecipeFacts, site: SiteFacts, from_url: str) -> str:
    bits = [tag("span", esc(r.repo), class_="model-row__name")]
    if r.params:
        bits.append(tag("span", esc(size_text(r)), class_="model-row__size"))
    if r.architecture:
        bits.append(tag("span", esc(arch_label(r.architecture)), class_="badge badge--arch"))
    also = [site.task_name(t) for t in r.tasks[1:]]
    if also:
        bits.append(tag("span", esc("Also: " + ", ".join(also)), class_="model-row__also"))
    chips = "".join(tag("span", esc(f"{v.label} {v.vram_gb:g}G"), class_="chip", title=v.description or None)
                    for v in r.variants)
    bits.append(tag("span", chips, class_="model-row__chips"))
    if r.min_vllm:
        bits.append(tag("span", esc(f"v{r.min_vllm}+"), class_="model-row__vllm"))
    return tag("li", tag("a", "".join(bits), href=rel(from_url, r.url), class_="model-row"))


def group_by_task(recipes: tuple[RecipeFacts, ...]) -> list[tuple[str, list[RecipeFacts]]]:
    groups: dict[str, list[RecipeFacts]] = {}
    for r in newest_models(recipes):
        groups.setdefault(r.primary_task, []).append(r)
    order = {t: i for i, t in enumerate(TASK_ORDER)}
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def provider_markdown(org: str, recipes: tuple[RecipeFacts, ...], site: SiteFacts) -> str:
    url = f"{org}/"
    name = site.provider(org)
    n = len(recipes)
    noun = "recipe" if n == 1 else "recipes"
    head = tag("header", initial_tile(org, "prov-tile--lg") + tag("div", "".join([
        tag("h1", esc(name), class_="provider-title"),
        tag("p", esc(org) + f" · {n} {noun} · " + tag("a", "Hugging Face", href=HF + org), class_="provider-sub"),
    ])), class_="provider-head")
    parts = [head]
    for task, rs in group_by_task(recipes):
        # Stable anchors (`#task-text`) whatever the count; needs attr_list (mkdocs.yml).
        parts.append(f"## {esc(site.task_name(task))} ({len(rs)}) {{ #task-{slug(task)} }}")
        parts.append(tag("ul", "".join(_model_row(r, site, url) for r in rs), class_="model-list"))
    meta = {"title": f"{name} on vLLM", "description": f"vLLM serve recipes for {name} models: {n} {noun} "
            "with hardware-tuned commands."}
    return front_matter(meta) + blocks(parts)
