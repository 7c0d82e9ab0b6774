"""HTML fragments shared by several pages: badges, recipe cards, provider tiles.

Each function takes already-computed facts and returns one line of escaped HTML.
"""
from __future__ import annotations

from builder.site.facts import RecipeFacts, SiteFacts
from builder.site.html.brand import mark_class
from builder.site.html.markup import esc, rel, tag

HF = "https://huggingface.co/"
VLLM_INSTALL = "https://docs.vllm.ai/en/latest/getting_started/installation/"
VLLM_OMNI = "https://github.com/vllm-project/vllm-omni"


def initial_tile(org: str, size: str = "") -> str:
    """The provider's mark (our own SVG, painted by the generated `assets/providers.css`)."""
    return tag("span", "", class_=f"prov-tile {mark_class(org)} {size}".strip(), aria_hidden="true")


def size_text(r: RecipeFacts) -> str:
    if r.params and r.active and r.architecture == "moe":
        return f"{r.params} / {r.active}"
    return r.params


def ctx_short(n: int | None) -> str:
    if not n:
        return ""
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)}M"
    return f"{round(n / 1024)}K" if n >= 1000 else str(n)


def badge(text: str, kind: str = "", title: str = "", href: str = "") -> str:
    cls = f"badge badge--{kind}" if kind else "badge"
    if href:
        return tag("a", esc(text), class_=cls, href=href, title=title or None)
    return tag("span", esc(text), class_=cls, title=title or None)


def arch_label(arch: str) -> str:
    return {"moe": "MoE", "dense": "Dense"}.get(arch, arch.title())


def recipe_badges(r: RecipeFacts, site: SiteFacts, *, full: bool = False, element: str = "div") -> str:
    """Architecture, size, context, (min vLLM, nightly,) tasks — `full` on the recipe page."""
    out = []
    if r.architecture:
        out.append(badge(arch_label(r.architecture), "arch", "Mixture of experts" if r.architecture == "moe" else ""))
    if r.params:
        active = f", {r.active} active per token" if r.active and r.architecture == "moe" else ""
        out.append(badge(size_text(r), "size", f"{r.params} parameters{active}"))
    dv = r.default_variant
    if dv and not full:
        out.append(badge(dv.precision.upper(), "precision", "Default checkpoint precision"))
    if r.context_length:
        text = f"{r.context_length:,} ctx" if full else f"{ctx_short(r.context_length)} ctx"
        out.append(badge(text, "ctx", f"Context length: {r.context_length:,} tokens"))
    if full and r.min_vllm:
        out.append(badge(f"vLLM {r.min_vllm}+", "vllm", "Minimum vLLM version", VLLM_INSTALL))
    if full and r.omni:
        out.append(badge("vLLM-Omni nightly", "nightly", "Served by vLLM-Omni (nightly build)", VLLM_OMNI))
    elif full and r.nightly:
        out.append(badge("nightly", "nightly", "Needs a vLLM nightly build"))
    out.extend(badge(site.task_name(t), f"task badge--{t}") for t in r.tasks)
    return tag(element, "".join(out), class_="badges")


def recipe_card(r: RecipeFacts, site: SiteFacts, from_url: str) -> str:
    """A home-page card: the whole card is one link to the recipe."""
    blurb = r.description or r.headline
    body = (
        tag("span", esc(r.repo), class_="card__repo")
        + tag("span", initial_tile(r.org) + esc(r.org), class_="card__org")
        + recipe_badges(r, site, element="span")
        + tag("span", esc(blurb), class_="card__blurb")
    )
    return tag("a", body, class_="recipe-card", href=rel(from_url, r.url))


def provider_tile(org: str, name: str, count: int, from_url: str) -> str:
    noun = "recipe" if count == 1 else "recipes"
    body = (initial_tile(org) + tag("span", esc(name), class_="tile__name")
            + tag("span", esc(org), class_="tile__org") + tag("span", f"{count} {noun}", class_="tile__count"))
    return tag("a", body, class_="provider-tile", href=rel(from_url, f"{org}/"))
