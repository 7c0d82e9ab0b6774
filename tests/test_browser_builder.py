"""The command builder's newer rows and fixed bugs, in a real browser (see tests/test_browser.py).

Each test drives the page as a reader would and compares what it shows with the Python synthesis:
``deploy`` for commands, ``install_for`` for the Install row, ``snippets`` for the client
examples. ``made_site`` is built from tests/made_recipes.py (hostile text, 33 features, TPU,
platforms); ``site`` from the repository's recipes. The last test counts the selections checked
across both browser modules.
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
    data,
    open_recipe,
    page_requests,
    pressed,
    shown_selection,
    visible,
)
from made_recipes import N_FEATURES

from builder.site.command_builder.space import run
from builder.synth.install import install_for
from builder.synth.snippets import snippets

pytestmark = pytest.mark.browser

MINIMAX = "MiniMaxAI/MiniMax-M3"
OMNI = "Qwen/Qwen3-Omni-30B-A3B-Instruct"


def ids(page: Any, key: str) -> list[str]:
    return [x[0] for x in data(page)[key]]


def status(page: Any) -> str:
    return page.locator(".cb-ui .cb-status").inner_text()


def install_text(page: Any) -> str:
    return page.locator(".cb-ui .cb-install").first.inner_text()


def run_image(docker: str) -> str:
    """The image of a `docker run` form: the first token of the line that names the model."""
    return next(line.split()[0] for line in docker.split("\n") if line.startswith("  ") and not line.lstrip().startswith("-"))


# ---- 1. bugs --------------------------------------------------------------------------------


def test_install_follows_hardware_and_variant(site: dict[str, Any], page: Any) -> None:
    catalog = site["catalog"]
    entry = catalog.entry(GLM)
    open_recipe(site, page, GLM, "?hardware=mi355x&install=docker")
    sel = check_all_tabs(site, page, GLM, docker=True)
    want = install_for(entry.recipe, entry.recipe.variants[sel.variant], sel.hardware, catalog.profile(sel.hardware))
    assert install_text(page) == want.docker[0]
    assert install_text(page) == "docker pull " + run_image(visible(page)[1]), "pulled image = image that runs"
    click(page, "inst", 0)
    assert install_text(page) == want.pip[0] and "rocm" in install_text(page)
    assert "(ROCm)" in page.locator('.cb-ui [data-a="inst"][data-i="0"]').inner_text()
    # CUDA 12.9: Install and the docker run form switch together; the choice is in the URL.
    click(page, "hw", ids(page, "hw").index("h200"))
    click(page, "inst", 1)
    click(page, "cu", 1)
    assert "cuda=cu129" in page.url
    pulled = install_text(page).removeprefix("docker pull ")
    assert pulled.endswith("-cu129") and run_image(visible(page)[1]) == pulled
    open_recipe(site, page, GLM, page.url[page.url.index("?"):])
    assert pressed(page)["cu"] == [1] and run_image(visible(page)[1]) == pulled


def test_install_on_tpu_is_docker_only(made_site: dict[str, Any], made_page: Any) -> None:
    page = made_page
    open_recipe(made_site, page, "acme/Tpu", "?hardware=tpu")
    pip = page.locator('.cb-ui [data-a="inst"][data-i="0"]')
    assert pip.get_attribute("aria-disabled") == "true"
    assert pressed(page)["inst"] == [1]
    check_all_tabs(made_site, page, "acme/Tpu", docker=True)
    assert install_text(page) == "docker pull vllm/vllm-tpu:v9" == "docker pull " + run_image(visible(page)[1])


def test_mutually_exclusive_features(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, MINIMAX)
    ft = ids(page, "ft")
    text_only, encoder = ft.index("text_only"), ft.index("encoder_parallel")
    assert [text_only, encoder] in data(page)["ex"] or [encoder, text_only] in data(page)["ex"]
    if encoder not in pressed(page).get("ft", []):
        click(page, "ft", encoder)
    click(page, "ft", text_only)
    on = pressed(page)["ft"]
    assert text_only in on and encoder not in on
    assert "turned off" in status(page)
    command = check_all_tabs(site, page, MINIMAX) and visible(page)[1]
    assert "--language-model-only" in command and "--mm-encoder-tp-mode" not in command
    click(page, "ft", encoder)
    assert text_only not in pressed(page)["ft"]
    check_all_tabs(site, page, MINIMAX)
    # An old link with both on keeps one.
    open_recipe(site, page, MINIMAX, "?features=text_only,encoder_parallel")
    assert not {text_only, encoder} <= set(pressed(page).get("ft", []))


def test_no_dead_end_when_the_variant_cannot_run_there(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?variant=nvfp4&hardware=b200")
    hw = ids(page, "hw")
    click(page, "hw", hw.index("h100"))
    sel = check_all_tabs(site, page, GLM)
    assert sel.hardware == "h100" and sel.variant != "nvfp4"
    # The largest variant that runs there, and the reader is told.
    runs = [v for v in site["catalog"].entry(GLM).recipe.variants.items() if v[0] != "nvfp4"]
    assert "Variant switched to" in status(page)
    assert sel.variant == max((x for x in runs if "rec" in data(page)["c"].get(
        f"{ids(page, 'var').index(x[0])}.{hw.index('h100')}", {})), key=lambda x: x[1].vram_minimum_gb)[0]


def test_omni_recipe_gets_its_commands(site: dict[str, Any], page: Any) -> None:
    page.goto(f"{site['base']}/{OMNI}/")
    body = page.locator("#command").inner_text()
    assert "no single serve command" not in body
    commands = page.locator(".cb-omni .cb-cmd").all_inner_texts()
    assert commands and all(c.startswith("vllm serve Qwen/Qwen3-Omni-30B-A3B-Instruct") and "--omni" in c for c in commands)
    assert page.locator(".cb-omni .cb-snippet").count() >= 1


def test_self_host_dialog(site: dict[str, Any], page: Any) -> None:
    hosted = [e.hf_id for e in site["catalog"].recipes if e.recipe.meta.platforms]
    assert hosted
    open_recipe(site, page, hosted[0])
    page.locator('[data-a="selfhost"]').click()
    dialog = page.locator("dialog.cb-selfhost")
    assert dialog.evaluate("d => d.open") is True
    assert dialog.locator("h4").count() == len(site["catalog"].entry(hosted[0]).recipe.meta.platforms)
    page.keyboard.press("Escape")
    assert dialog.evaluate("d => d.open") is False


def test_variant_description_checkpoint_and_gpu_hint(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?variant=nvfp4&hardware=b200")
    link = page.locator(".cb-ui .cb-ckpt")
    model = site["catalog"].entry(GLM).recipe.variants["nvfp4"].model_id
    assert link.get_attribute("href") == f"https://huggingface.co/{model}" and link.inner_text() == model
    small = "Qwen/Qwen3-0.6B"
    open_recipe(site, page, small, "?hardware=h200")
    note = page.locator(".cb-ui .cb-row").first.locator(".cb-note").inner_text()
    sel = shown_selection(page, data(page))
    tp = run(site["catalog"], site["catalog"].entry(small), sel).launches[0].argv
    used = int(tp[list(tp).index("--tensor-parallel-size") + 1])
    assert f"runs on {used} of the 8 GPUs" in note


def test_no_text_glitches(site: dict[str, Any], page: Any) -> None:
    for hf_id in (GLM, MINIMAX, "deepseek-ai/DeepSeek-V3.2", "openai/gpt-oss-120b"):
        open_recipe(site, page, hf_id)
        text = page.locator(".cb").evaluate("e => e.textContent")
        assert "Optional: Optional" not in text and "Optional: Optional:" not in text
        assert not re.search(r"[a-z0-9]\s+Minimum \d", text), hf_id  # "…serving Minimum 893 GB"


def test_builder_gets_the_full_content_width(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM)
    width = page.locator(".cb-rows").evaluate("e => e.getBoundingClientRect().width")
    assert width >= 880, width
    assert not page.locator(".md-sidebar--secondary").is_visible() or \
        page.locator(".md-sidebar--secondary").evaluate("e => e.getBoundingClientRect().width") == 0
    table = page.locator(".fit-scroll")
    if table.count():
        assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the fit table scrolls"
    # Pills of one group stay on one line at this width (no squeezed, wrapping rows).
    for g in page.locator(".cb-ui .cb-rows .cb-row").nth(1).locator(".cb-group").all():
        tops = g.locator(".cb-pill").evaluate_all("ps => ps.map(p => Math.round(p.getBoundingClientRect().top))")
        assert len(set(tops)) == 1, tops


# ---- 2. stored XSS --------------------------------------------------------------------------


def test_hostile_recipe_text_never_runs(made_site: dict[str, Any], made_page: Any) -> None:
    page, hf_id = made_page, "evil/Hostile"
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script("""document.addEventListener('securitypolicyviolation',
        e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));""")
    open_recipe(made_site, page, hf_id)
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    # `<a id="CommandBuilder">` / `<a id="document$">` in the guide do not disable the builder.
    assert page.locator('[data-cb][data-cb-live]').count() == 1
    assert page.evaluate("() => window.CommandBuilder instanceof HTMLAnchorElement"), "the shadowing name exists"
    d = data(page)
    for action, index in [("hw", i) for i in range(len(d["hw"]))] + [("var", 0), ("var", 1), ("ft", 0), ("ft", 1), ("ft", 2)]:
        b = page.locator(f'.cb-ui [data-a="{action}"][data-i="{index}"]')
        if b.count():
            b.hover()
            b.click()
    for st in range(len(d["st"])):
        if page.locator(f'.cb-ui [data-a="st"][data-i="{st}"]').count():
            click(page, "st", st)
            check_all_tabs(made_site, page, hf_id)
    for which in ("curl", "bench", "python", "file", "env"):
        page.locator(f'.cb-ui [data-a="pop"][data-i="{which}"]').click()
    click(page, "inst", 1)
    page.locator('[data-a="selfhost"]').click()
    page.keyboard.press("Escape")
    for a in page.locator("a").all():
        href = a.get_attribute("href") or ""
        assert not href.strip().lower().startswith("javascript:"), href
    text = page.locator("body").inner_text()
    assert "<img src=x" in text, "hostile text is shown as text"
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []
    assert page.evaluate("() => window.__csp || []") == [], "the page itself must not need a CSP exception"
    assert page.locator("img[src='x']").count() == 0


# ---- 3. more than 31 features ----------------------------------------------------------------


def test_thirty_three_features(made_site: dict[str, Any], made_page: Any) -> None:
    page, hf_id = made_page, "acme/Many"
    open_recipe(made_site, page, hf_id)
    assert len(data(page)["ft"]) == N_FEATURES  # advanced options are rows of their own (`ad`)
    for i in (31, 32, 1, 0, 30):
        click(page, "ft", i)
        check_all_tabs(made_site, page, hf_id)
    assert "--served-model-name-32 32" in visible(page)[1] and "--served-model-name-31 31" in visible(page)[1]
    assert "f32" in page.url
    open_recipe(made_site, page, hf_id, page.url[page.url.index("?"):])
    check_all_tabs(made_site, page, hf_id)
    assert 32 in pressed(page)["ft"]


# ---- 4. new rows -----------------------------------------------------------------------------


def _popover(page: Any, which: str) -> str:
    page.locator(f'.cb-ui [data-a="pop"][data-i="{which}"]').click()
    assert page.locator(f'.cb-ui [data-a="pop"][data-i="{which}"]').get_attribute("aria-expanded") == "true"
    return page.locator(".cb-ui .cb-pop").inner_text()


def test_client_snippets_come_from_synthesis(site: dict[str, Any], page: Any) -> None:
    catalog = site["catalog"]
    for query in ("", "?hardware=b200&strategy=multi_node_dep&nodes=2", "?hardware=h200&strategy=pd_cluster"):
        open_recipe(site, page, GLM, query)
        sel = shown_selection(page, data(page))
        want = snippets(run(catalog, catalog.entry(GLM), sel))
        for which, text in (("curl", want.curl), ("bench", want.bench), ("python", want.python)):
            assert text in _popover(page, which), (which, sel)
            page.keyboard.press("Escape")
            assert page.locator(".cb-ui .cb-pop").count() == 0
        assert ("$HEAD_IP" in want.curl) == (sel.strategy == "multi_node_dep")


def test_env_popover_fills_placeholders_and_remembers(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200&strategy=multi_node_dep&nodes=2")
    before = visible(page)
    assert "$HEAD_IP" in before[1]
    _popover(page, "env")
    fields = page.locator(".cb-ui .cb-pop input[data-env]").evaluate_all("xs => xs.map(x => x.dataset.env)")
    assert {"HEAD_IP", "IFACE_NAME"} <= set(fields)
    page.locator('.cb-ui input[data-env="HEAD_IP"]').fill("10.1.2.3")
    page.locator('.cb-ui input[data-env="HEAD_IP"]').press("Enter")
    page.locator('.cb-ui input[data-env="IFACE_NAME"]').fill("ib0")
    page.locator('.cb-ui input[data-env="IFACE_NAME"]').press("Tab")
    after = visible(page)
    assert after[1] == before[1].replace("$HEAD_IP", "10.1.2.3")
    assert after[0] == tuple(x.replace("$IFACE_NAME", "ib0") for x in before[0])
    page.reload()
    page.wait_for_selector(".cb-ui .cb-cmd")
    assert visible(page) == after, "values are remembered (localStorage)"
    assert "10.1.2.3" in _popover(page, "curl")
    assert page.locator('.cb-ui [data-a="pop"][data-i="env"]').inner_text() == "Env (2)"
    _popover(page, "env")
    page.locator('.cb-ui [data-a="envclear"]').click()
    assert visible(page) == before


def test_aria_tabs_keys_tooltips_and_highlight(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200&strategy=multi_node_dep&nodes=4")
    first = page.locator(".cb-ui .cb-tabs [data-a='tab']").first
    first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.i") == "1"
    assert page.locator(".cb-ui [data-a='tab'][aria-selected='true']").get_attribute("data-i") == "1"
    page.keyboard.press("End")
    assert page.evaluate("() => document.activeElement.dataset.i") == "3"
    page.keyboard.press("Home")
    assert page.evaluate("() => document.activeElement.dataset.i") == "0"
    # Disabled pills explain themselves on hover and on keyboard focus.
    disabled = page.locator(".cb-ui .cb-pill[aria-disabled='true']").first
    for e in site["catalog"].recipes:  # any page with a disabled pill (TPUs have no pip install)
        if disabled.count() or e.recipe.is_omni:
            break
        tpus = [h for h in e.recipe.meta.hardware if site["catalog"].profile(h).brand == "Google"]
        open_recipe(site, page, e.hf_id, f"?hardware={tpus[0]}" if tpus else "")
    assert disabled.count()
    disabled.hover()
    assert disabled.locator(".cb-tip").is_visible()
    page.mouse.move(0, 0)
    disabled.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert disabled.locator(".cb-tip").is_visible()
    # A short highlight when the command changes.
    open_recipe(site, page, GLM)
    click(page, "hw", [x[0] for x in data(page)["hw"]].index("b200"))
    assert page.locator(".cb-ui .cb-cmd.cb-flash").count() == 1
    page.wait_for_timeout(800)
    assert page.locator(".cb-ui .cb-cmd.cb-flash").count() == 0


def test_every_recipe_sweep_matches_deploy_with_no_requests(site: dict[str, Any], made_site: dict[str, Any],
                                                           page: Any, made_page: Any) -> None:
    """Every hardware, strategy and node count of every recipe; each click costs no request."""
    for where, pg in ((site, page), (made_site, made_page)):
        for e in where["catalog"].recipes:
            if e.recipe.is_omni:
                continue
            open_recipe(where, pg, e.hf_id)
            pg.wait_for_load_state("networkidle")
            requests = page_requests(pg)
            d = data(pg)
            check_all_tabs(where, pg, e.hf_id)
            for i in range(len(d["hw"])):
                b = pg.locator(f'.cb-ui [data-a="hw"][data-i="{i}"]')
                if b.get_attribute("aria-disabled") != "true" and i not in pressed(pg)["hw"]:
                    b.click()
                    check_all_tabs(where, pg, e.hf_id)
            c = d["c"][f"{pressed(pg)['var'][0]}.{pressed(pg)['hw'][0]}"]
            for s in c["st"]:
                click(pg, "st", s)
                check_all_tabs(where, pg, e.hf_id)
                if d["st"][s][4] == 1:
                    for n in pg.locator('.cb-ui [data-a="n"]').evaluate_all("xs => xs.map(x => +x.dataset.i)")[1::5]:
                        click(pg, "n", n)
                        check_all_tabs(where, pg, e.hf_id)
            for i in range(min(len(d["ft"]), 3)):
                if pg.locator(f'.cb-ui [data-a="ft"][data-i="{i}"]').get_attribute("aria-disabled") == "true":
                    continue  # a feature gated to other strategies (acme/Modes)
                click(pg, "ft", i)
                check_all_tabs(where, pg, e.hf_id)
            assert requests == [], (e.hf_id, requests)


def test_screenshots(site: dict[str, Any]) -> None:
    """1280 px and 390 px, light and dark, under tests/artifacts/ (look at them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height, scheme in ((1280, 900, "light"), (1280, 900, "dark"), (390, 844, "light"), (390, 844, "dark")):
        phone = width < 600
        ctx = site["browser"].new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                          device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)
        pg = ctx.new_page()
        for name, query in (("default", ""), ("multinode", "?variant=nvfp4&hardware=b200&strategy=multi_node_dep&nodes=2")):
            pg.goto(f"{site['base']}/{GLM}/{query}")
            pg.wait_for_selector(".cb-ui .cb-cmd")
            path = ARTIFACTS / f"builder-{name}-{width}-{scheme}.png"
            pg.locator(".cb").screenshot(path=str(path))
            shots.append(path.name)
            assert pg.evaluate("() => document.documentElement.scrollWidth") <= width, (name, width)
        pg.goto(f"{site['base']}/{GLM}/")
        pg.wait_for_selector(".cb-ui .cb-cmd")
        pg.screenshot(path=str(ARTIFACTS / f"page-{width}-{scheme}.png"))
        ctx.close()
    (ARTIFACTS / "screenshots.json").write_text(json.dumps(shots, indent=1) + "\n", encoding="utf-8")


def test_enough_selections_were_checked(site: dict[str, Any], made_site: dict[str, Any]) -> None:
    checked = site["checked"] | made_site["checked"]
    recipes = {hf for hf, _, _ in checked}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "selections.json").write_text(json.dumps({"selections": len(checked), "recipes": len(recipes)}) + "\n")
    print(f"checked {len(checked)} selections on {len(recipes)} recipes")
    assert len(checked) >= 150 and len(recipes) >= 10, (len(checked), recipes)
