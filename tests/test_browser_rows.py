"""More rows of the command builder in a real browser: Advanced options and the as-a-file view
(see test_browser_builder.py)."""
from __future__ import annotations

from typing import Any

import pytest
from browser_support import GLM, check_all_tabs, click, data, open_recipe, pressed, shown_selection, visible
from test_browser_builder import MINIMAX, _popover

from builder.site.command_builder.space import run

pytestmark = pytest.mark.browser


def test_advanced_options(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200")
    keys = [x[0] for x in data(page)["ad"]]
    gpu, auto = keys.index("gpu_mem_095"), keys.index("max_model_len_auto")
    assert page.locator(".cb-ui .cb-row", has_text="Advanced").count() == 1
    click(page, "ad", gpu)
    sel = check_all_tabs(site, page, GLM)
    # Advanced arguments come before the feature arguments (site spec §2.5.1, step 6).
    lines = visible(page)[1].split(" \\\n  ")
    assert sel.advanced == ("gpu_mem_095",) and lines.index("--gpu-memory-utilization 0.95") < lines.index("--reasoning-parser glm45")
    assert "advanced=gpu_mem_095" in page.url and "features=" not in page.url
    click(page, "ad", auto)
    click(page, "st", [x[0] for x in data(page)["st"]].index("multi_node_dep"))
    check_all_tabs(site, page, GLM)
    click(page, "ad", keys.index("ep_weight_filter"))
    sel = check_all_tabs(site, page, GLM)
    assert "ep_weight_filter" in sel.advanced and "--enable-ep-weight-filter" in visible(page)[1]
    open_recipe(site, page, GLM, page.url[page.url.index("?"):])
    assert {gpu, auto} <= set(pressed(page)["ad"])
    check_all_tabs(site, page, GLM)


def test_as_a_file_view(site: dict[str, Any], page: Any) -> None:
    """docker-compose.yaml and the Kubernetes manifest of the shown selection: manifests.py's text."""
    import yaml

    from builder.synth.manifests import k8s_name, manifest

    catalog = site["catalog"]
    for hf_id, query in ((GLM, "?hardware=mi355x"), ("Qwen/Qwen3-0.6B", ""), (MINIMAX, "?hardware=h200&features=text_only")):
        open_recipe(site, page, hf_id, query)
        sel = shown_selection(page, data(page))
        dep = run(catalog, catalog.entry(hf_id), sel)
        launch = dep.launches[0]
        _popover(page, "file")
        for which, kind in enumerate(("compose", "k8s")):
            page.locator(f'.cb-ui .cb-pop [data-a="file"][data-i="{which}"]').click()
            text = page.locator(".cb-ui .cb-file").inner_text()
            assert text == manifest(kind, launch, catalog.profile(sel.hardware), dep.docker_image, k8s_name(launch.argv[2]))
            docs = list(yaml.safe_load_all(text))
            c = docs[0]["services"]["vllm"] if kind == "compose" else docs[0]["spec"]["template"]["spec"]["containers"][0]
            assert (c["entrypoint"] + c["command"] if kind == "compose" else c["command"] + c["args"]) == list(launch.argv)
        page.keyboard.press("Escape")


def test_install_copy(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=mi355x")
    for inst in (0, 1):
        click(page, "inst", inst)
        page.locator(".cb-ui .cb-copyinst").click()
        page.wait_for_function("() => document.querySelector('.cb-ui .cb-copyinst').textContent === 'Copied'")
        assert page.evaluate("() => navigator.clipboard.readText()") == page.locator(".cb-ui .cb-install").first.inner_text()
