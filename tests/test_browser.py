"""The command builder in a real browser: what a reader sees after clicking equals ``deploy``.

Builds the site from the repository's recipes (``mkdocs build`` into a temporary folder; set
``VLLM_RECIPES_DIR`` to build another recipe folder), serves it on 127.0.0.1 and drives Chromium:
clicks through selections on several recipes and compares every visible command, env block and
docker form with ``deploy`` for the selection the pressed pills show; checks URL round trips,
back/forward, instant navigation, the page without JavaScript, and that builder clicks make no
network requests. Screenshots and payload sizes go to ``tests/artifacts/``.
"""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from browser_support import (
    ARTIFACTS,
    GLM,
    check_all_tabs,
    click,
    copied,
    data,
    gz,
    open_recipe,
    page_requests,
    pressed,
    visible,
)

from builder.models import Catalog
from builder.synth import Selection

pytestmark = pytest.mark.browser

OTHERS = ("moonshotai/Kimi-K2.5", "deepseek-ai/DeepSeek-V4-Pro", "Qwen/Qwen3-Coder-480B-A35B-Instruct",
          "Google/gemma-4-26B-A4B-it", "MiniMaxAI/MiniMax-M2.5", "Qwen/Qwen3-32B")


# ---- tests --------------------------------------------------------------------------------

def test_glm_clicks_match_deploy(site: dict[str, Any], page: Any) -> None:
    requests = page_requests(page)
    open_recipe(site, page, GLM)
    d = data(page)
    hw, var, st = ([x[0] for x in d[k]] for k in ("hw", "var", "st"))
    assert check_all_tabs(site, page, GLM) == Selection("default", "h200", "single_node_tp", 1, ("tool_calling", "reasoning"))
    page.wait_for_load_state("networkidle")  # the favicon and friends arrive late
    requests.clear()
    for i in range(len(d["ft"])):  # each toggle is a new selection and must not touch the network
        if page.locator(f'.cb-ui [data-a="ft"][data-i="{i}"]').get_attribute("aria-disabled") == "true":
            continue  # e.g. an advanced option that does not apply to this strategy
        click(page, "ft", i)
        check_all_tabs(site, page, GLM)
    assert requests == [], "feature toggles made network requests"
    click(page, "var", var.index("nvfp4"))
    assert pressed(page)["hw"] == [hw.index("b200")], "NVFP4 needs Blackwell: H200 switches to B200"
    sel = check_all_tabs(site, page, GLM)
    assert (sel.variant, sel.hardware) == ("nvfp4", "b200")
    assert "hardware=b200" in page.url and "variant=nvfp4" in page.url
    for name in ("single_node_tep", "multi_node_tp", "multi_node_tp_pp", "multi_node_tep"):
        click(page, "st", st.index(name))
        check_all_tabs(site, page, GLM)
    click(page, "st", st.index("multi_node_dep"))
    for n in d["nodes"]:
        click(page, "n", n)
        assert check_all_tabs(site, page, GLM).nodes == n
    assert page.locator(".cb-ui .cb-tabs [data-a='tab']").count() == d["nodes"][-1]
    click(page, "tab", 2)
    assert copied(page) == "\n".join(visible(page)[0]) + "\n\n" + visible(page)[1], "Copy takes env and command"
    click(page, "inst", 1)
    check_all_tabs(site, page, GLM, docker=True)
    click(page, "tab", 1)
    assert copied(page) == visible(page)[1] and visible(page)[1].startswith("docker run ")
    click(page, "inst", 0)
    click(page, "st", st.index("pd_cluster"))
    check_all_tabs(site, page, GLM)
    for action, value in (("pn", 2), ("dm", d["modes"].index("dep")), ("dn", 3), ("pm", d["modes"].index("tep")), ("pn", 0)):
        click(page, action, value)
        check_all_tabs(site, page, GLM)
    # No dead end: MI300X cannot run NVFP4, so picking it serves the largest variant that runs there.
    mi300x = page.locator(f'.cb-ui [data-a="hw"][data-i="{hw.index("mi300x")}"]')
    assert mi300x.get_attribute("aria-disabled") is None and "switches Variant" in mi300x.text_content()
    click(page, "hw", hw.index("mi300x"))
    sel = check_all_tabs(site, page, GLM)
    assert sel.hardware == "mi300x" and sel.variant != "nvfp4"
    assert "Variant switched" in page.locator(".cb-ui .cb-status").inner_text()
    click(page, "inst", 1)
    check_all_tabs(site, page, GLM, docker=True)
    assert requests == [], "builder clicks made network requests"


def test_other_recipes_match_deploy(site: dict[str, Any], page: Any) -> None:
    catalog: Catalog = site["catalog"]
    chosen = [h for h in OTHERS if catalog.entry(h) is not None][:4]
    chosen += [e.hf_id for e in catalog.recipes if e.hf_id not in chosen and e.hf_id != GLM
               and not e.recipe.is_omni][:max(0, 4 - len(chosen))]
    assert len(chosen) == 4
    for hf_id in chosen:
        open_recipe(site, page, hf_id)
        d = data(page)
        check_all_tabs(site, page, hf_id)
        for i in range(len(d["hw"])):  # every usable hardware, then every strategy on one of them
            c = d["c"].get(f"{pressed(page)['var'][0]}.{i}")
            if c is not None and "x" not in c and i not in pressed(page)["hw"]:
                click(page, "hw", i)
                check_all_tabs(site, page, hf_id)
                if i % 2 and "docker" in d["inst"]:
                    click(page, "inst", 1)
                    check_all_tabs(site, page, hf_id, docker=True)
                    click(page, "inst", 0)
        for s in data(page)["c"][f"{pressed(page)['var'][0]}.{pressed(page)['hw'][0]}"]["st"]:
            click(page, "st", s)
            check_all_tabs(site, page, hf_id)


def test_url_state_round_trips_and_history(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200&variant=nvfp4")
    d = data(page)
    hw, var, st = ([x[0] for x in d[k]] for k in ("hw", "var", "st"))
    assert pressed(page)["hw"] == [hw.index("b200")] and pressed(page)["var"] == [var.index("nvfp4")]
    check_all_tabs(site, page, GLM)
    open_recipe(site, page, GLM, "?variant=bf16&hardware=h100&strategy=multi_node_dep&nodes=4"
                "&features=reasoning,spec_decoding&install=docker")
    sel = check_all_tabs(site, page, GLM, docker=True)
    assert sel == Selection("bf16", "h100", "multi_node_dep", 4, ("reasoning", "spec_decoding"))
    open_recipe(site, page, GLM, "?hardware=h200&strategy=pd_cluster&prefill_nodes=2&decode_nodes=1&decode_mode=dep")
    sel = check_all_tabs(site, page, GLM)
    assert (sel.prefill_nodes, sel.decode_nodes, sel.decode_mode) == (2, 1, "dep")
    # An impossible pair is rewritten to what is shown, so shared links match the page.
    open_recipe(site, page, GLM, "?hardware=h200&variant=nvfp4")
    assert "hardware=b200" in page.url
    # Back and forward walk through the clicks.
    open_recipe(site, page, GLM)
    steps = []
    for action, value in (("hw", hw.index("b300")), ("st", st.index("multi_node_tp")), ("n", 3), ("ft", 0)):
        click(page, action, value)
        steps.append((page.url, visible(page)))
    for url, shown in reversed(steps[:-1]):
        page.go_back()
        page.wait_for_function("u => location.href === u", arg=url)
        assert visible(page) == shown
    page.go_forward()
    page.wait_for_function("u => location.href === u", arg=steps[1][0])
    assert visible(page) == steps[1][1]
    check_all_tabs(site, page, GLM)


def test_instant_navigation_attaches_the_builder(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM)
    catalog: Catalog = site["catalog"]
    targets = [e.hf_id for e in catalog.recipes if e.hf_id != GLM and not e.recipe.is_omni]
    href = page.evaluate("""ids => { const a = [...document.querySelectorAll('a[href]')].find(a =>
        ids.some(id => new URL(a.href).pathname === '/' + id + '/')); return a ? new URL(a.href).pathname : null; }""",
                         targets)
    if href is None:
        pytest.skip("the GLM-5.2 page links to no other recipe page")
    # Material intercepts link clicks only once its bundle has set up instant navigation.
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => typeof window.location$ !== 'undefined' && typeof window.document$ !== 'undefined'")
    page.evaluate("() => { window.__stay = true; }")
    page.evaluate("""p => [...document.querySelectorAll('a[href]')].find(a => new URL(a.href).pathname === p).click()""",
                  href)
    page.wait_for_function("p => location.pathname === p", arg=href)
    page.wait_for_function("() => !document.querySelector('.cb-ui .cb-cmd') || "
                           "document.querySelector('[data-cb]').hasAttribute('data-cb-live')")
    assert page.evaluate("() => window.__stay") is True, "instant navigation expected (no full reload)"
    hf_id = href.strip("/")
    check_all_tabs(site, page, hf_id)
    if data(page)["ft"]:
        click(page, "ft", 0)
        check_all_tabs(site, page, hf_id)


# Tags with sorted attributes and trimmed text: two renderings that show the same thing compare equal.
CANONICAL = """() => { const out = []; const walk = (n, depth) => {
  for (const c of n.childNodes) {
    if (c.nodeType === 3) { const t = c.textContent.replace(/\\s+/g, ' ').trim(); if (t) out.push(depth + '#' + t); }
    else if (c.nodeType === 1) {
      out.push(depth + c.tagName + ' ' + [...c.attributes].map(a => a.name + '=' + a.value).sort().join(' '));
      walk(c, depth + 1); } } };
  walk(document.querySelector('.cb-ui'), 0); return out; }"""


def test_page_without_javascript_shows_the_recommended_command(site: dict[str, Any]) -> None:
    off = site["browser"].new_context(java_script_enabled=False)
    on = site["browser"].new_context()
    pg, live = off.new_page(), on.new_page()
    pg.goto(f"{site['base']}/{GLM}/")
    doc = json.loads((site["out"] / f"{GLM}.json").read_text(encoding="utf-8"))
    assert pg.locator(".cb-ui .cb-cmd").inner_text() == doc["recommended_command"]["command"]
    assert pg.locator(".cb-ui .cb-summary").inner_text() == "H200 · Tensor Parallel · FP8"
    # The script redraws exactly what the server sent, so nothing moves when it starts.
    for hf_id in sorted({hf for hf, _, _ in site["checked"]} | {GLM}):
        pg.goto(f"{site['base']}/{hf_id}/")
        open_recipe(site, live, hf_id)
        assert pg.evaluate(CANONICAL) == live.evaluate(CANONICAL), hf_id
    off.close()
    on.close()


def test_payload_and_screenshots(site: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    responses: list[Any] = []
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    base = site["base"]
    pg.on("response", lambda r: responses.append(r))
    pg.goto(f"{base}/{GLM}/", wait_until="networkidle")
    # The server does not compress: count what gzip would send for each same-origin file.
    first = {r.url[len(base):]: gz(r.body()) for r in responses if r.url.startswith(base) and r.ok}
    html = (site["out"] / GLM / "index.html").read_bytes()
    inline = re.search(rb"<template data-cb-data>(.*?)</template>", html, re.S)
    ours = {k: v for k, v in first.items() if "command-builder" in k}
    search = sum(v for k, v in first.items() if k.startswith("/search") or "/workers/search" in k)
    report = {"first_visit_gzip_bytes": sum(first.values()), "search_gzip_bytes": search, "files": first,
              "builder_data_inline_gzip_bytes": gz(inline.group(1)) if inline else 0,
              "builder_js_css_gzip_bytes": sum(ours.values())}
    requests = page_requests(pg)
    d = data(pg)
    for action, i in (("hw", [x[0] for x in d["hw"]].index("b200")), ("ft", 2), ("st", 2), ("n", 4), ("inst", 1)):
        click(pg, action, i)
    report["requests_per_click"] = len(requests) / 5
    (ARTIFACTS / "payload.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "files"}))
    assert requests == []
    # A third of the reference site's 365 KB first visit, Material's own CSS and JS included. The
    # site-wide search index (fetched by Material's search worker on every first visit) is
    # counted apart: its size follows the catalog, not the page.
    # (130 KB since issue 12: node pills up to 16 and the popovers' data added about 8 KB;
    # 137 KB with the KV Offload row: its data about 3.3 KB, kv.js and the row's markup about 3 KB;
    # 142 KB with the pool, strategy-gating and hardware-note rows: about 2.5 KB of script and style.)
    assert report["first_visit_gzip_bytes"] - search < 142_000, report
    # The recipe data inlined in the page (every selection of GLM-5.2) stays under 30 KB gzip.
    assert report["builder_data_inline_gzip_bytes"] < 30_000, report
    pg.goto(f"{base}/{GLM}/?hardware=b200&variant=nvfp4")
    pg.screenshot(path=str(ARTIFACTS / "glm-5.2-1280.png"), full_page=False)
    context.close()
    phone = site["browser"].new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True, color_scheme="dark")
    pg = phone.new_page()
    pg.goto(f"{base}/{GLM}/?variant=nvfp4&hardware=b200&strategy=multi_node_dep&nodes=2")
    pg.wait_for_selector(".cb-ui .cb-cmd")
    width = pg.evaluate("() => document.documentElement.scrollWidth")
    pg.locator(".cb").screenshot(path=str(ARTIFACTS / "glm-5.2-390.png"))
    phone.close()
    assert width <= 390, "the builder makes the phone layout scroll sideways"
