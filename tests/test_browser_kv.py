"""The KV Offload row in a real browser: offload connectors, Mooncake topologies and instances,
companion tabs, disabled reasons, URL and local memory — every shown step compared with ``deploy``
(browser_support.check_all_tabs records each KV selection in site["checked"])."""
from __future__ import annotations

from typing import Any

import pytest
from browser_support import GLM, check_all_tabs, click, data, open_recipe, page_requests, pressed, shown_selection, visible

from builder.site.command_builder.space import run
from builder.synth.kvchoice import kv_refusal
from builder.synth.snippets import snippets

pytestmark = pytest.mark.browser

LLAMA = "meta-llama/Llama-3.3-70B-Instruct"
LLAMA_SMALL = "meta-llama/Llama-3.1-8B-Instruct"
FLASH = "deepseek-ai/DeepSeek-V4-Flash"


# Keys of ours in localStorage (Material keeps its own, like the colour palette, under "/.__").
OURS = "() => Object.keys(localStorage).filter(k => !k.startsWith('/.__'))"


def option(page: Any, key: str) -> int:
    return [o[0] for o in data(page)["ko"]].index(key)


def group(page: Any, key: str) -> int:
    return [g[0] for g in data(page)["kg"]].index(key)


def strategy(page: Any, name: str) -> int:
    return [s[0] for s in data(page)["st"]].index(name)


def pick(page: Any, key: str) -> None:
    """Click the option's pill, opening its group first (a nested row shows the group's members)."""
    d = data(page)
    o = d["ko"][option(page, key)]
    if o[3] >= 0 and pressed(page).get("kvg") != [o[3]]:
        click(page, "kvg", o[3])
    click(page, "kv", option(page, key))


def instances(page: Any, n: int) -> None:
    box = page.locator('.cb-ui input[data-a="ki"]')
    box.fill(str(n))
    box.dispatch_event("change")


def kv_checked(site: dict[str, Any]) -> set[Any]:
    return {x for x in site["checked"] if x[1].kv_store or x[1].kv_offload}


def check_mooncake(site: dict[str, Any], page: Any, hf_id: str, counts: tuple[int, ...] = (1, 2, 3)) -> None:
    for key in ("kv_store_distributed_mooncake", "kv_store_centralized_mooncake"):
        pick(page, key)
        for n in counts:
            instances(page, n)
            sel = check_all_tabs(site, page, hf_id)
            assert (sel.kv_store, sel.instances) == (key, n)


def test_every_option_on_glm(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200")
    head = page.locator(".cb-ui .cb-head")
    assert "Verified on" in head.inner_text()
    assert page.locator(".cb-ui .cb-row .cb-label").all_text_contents()[3] == "KV Offload"
    for name in ("single_node_tp", "single_node_tep"):
        click(page, "st", strategy(page, name))
        for key in ("simple", "lmcache"):
            pick(page, key)
            sel = check_all_tabs(site, page, GLM)
            assert sel.kv_offload == key and "Verified on" not in head.inner_text()
    # LMCache: its server is a numbered step before vLLM Serve, and clients talk to vLLM Serve only.
    assert page.locator(".cb-ui .cb-tabs [data-a='tab']").all_inner_texts() == ["1. LMCache Server", "2. vLLM Serve"]
    assert "· LMCache" in head.inner_text()
    assert page.locator('.cb-ui [data-a="pop"][data-i="curl"]').get_attribute("aria-disabled") == "true"
    assert 'uv pip install "lmcache==0.5.1"' in page.locator(".cb-ui .cb-rows").inner_text()
    check_mooncake(site, page, GLM)
    click(page, "st", strategy(page, "single_node_tp"))
    check_mooncake(site, page, GLM, (3, 2))
    assert page.locator(".cb-ui .cb-row .cb-label").all_text_contents().count("Nodes / Instance") == 1
    assert "· Mooncake (Centralized) × 2" in head.inner_text()
    assert page.locator(".cb-ui .cb-row.cb-nested").count() == 2  # Store Topology and Instances
    click(page, "kv", -1)
    assert "Verified on" in head.inner_text() and "kv_offload" not in page.url
    assert len(kv_checked(site)) >= 14


def test_multi_node_instances_and_docker(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200&strategy=multi_node_tp&nodes=2")
    pick(page, "simple")
    check_all_tabs(site, page, GLM)
    # LMCache runs beside one server: off on multi-node, with synthesis's reason.
    lm = page.locator(f'.cb-ui [data-a="kv"][data-i="{option(page, "lmcache")}"]')
    catalog = site["catalog"]
    why = kv_refusal(catalog, catalog.entry(GLM).recipe, "lmcache", "b200", "multi_node_tp")
    assert lm.get_attribute("aria-disabled") == "true" and lm.get_attribute("data-why") == why + "."
    check_mooncake(site, page, GLM, (1, 2, 3))
    # Each instance of a multi-node instance meets at its own head: $VLLM_INSTANCE_n.
    names = page.locator(".cb-ui .cb-tabs [data-a='tab']").all_inner_texts()
    assert names[3:] == ["4. Head", "5. Node 1", "6. Router"]
    click(page, "tab", 4)
    box = page.locator('.cb-ui input[data-a="kn"]')
    box.fill("3")
    box.dispatch_event("change")
    assert "--master-addr $VLLM_INSTANCE_3" in visible(page)[1] and "kv_instance=2" in page.url
    assert "runs on $VLLM_INSTANCE_3" in page.locator(".cb-ui .cb-instance").inner_text()
    click(page, "n", 3)
    check_all_tabs(site, page, GLM)
    click(page, "inst", 1)  # docker: the instance launches are wrapped, the other steps are not
    check_all_tabs(site, page, GLM, docker=True)
    instances(page, 1)
    check_all_tabs(site, page, GLM, docker=True)


def test_kv_variables_land_where_synthesis_puts_them(made_site: dict[str, Any], made_page: Any) -> None:
    """acme/Placed: one env text, the Mooncake variables after it (variant's own variable) or before
    it (the override's); pip and docker tabs of both variants equal deploy."""
    for variant in ("default", "fp8"):
        open_recipe(made_site, made_page, "acme/Placed", f"?variant={variant}&hardware=b200")
        for docker in (False, True):
            if docker:
                click(made_page, "inst", 1)
            pick(made_page, "kv_mooncake")
            instances(made_page, 1)
            sel = check_all_tabs(made_site, made_page, "acme/Placed", docker=docker)
            assert (sel.variant, sel.kv_store) == (variant, "kv_mooncake")
    assert {x[1].variant for x in made_site["checked"] if x[0] == "acme/Placed" and x[1].kv_store} == {"default", "fp8"}


def test_offloading_tiers_where_verified(site: dict[str, Any], page: Any) -> None:
    for hf_id, query in ((LLAMA, "?hardware=h200"), (LLAMA, "?hardware=mi300x"), (FLASH, "")):
        open_recipe(site, page, hf_id, query)
        for key in ("offloading_cpu", "offloading_fs", "simple", "lmcache"):
            pick(page, key)
            sel = check_all_tabs(site, page, hf_id)
            assert sel.kv_offload == key
        rows = page.locator(".cb-ui .cb-row.cb-nested")
        pick(page, "offloading_fs")
        assert rows.count() == 1 and rows.locator(".cb-label").inner_text().upper() == "OFFLOAD TIERS"
        assert "export PYTHONHASHSEED=0" in visible(page)[0]
        click(page, "inst", 1)
        check_all_tabs(site, page, hf_id, docker=True)
        check_mooncake(site, page, hf_id, (2,))


def test_disabled_reasons_on_hover_and_focus(site: dict[str, Any], page: Any) -> None:
    catalog = site["catalog"]
    cases = ((GLM, "?hardware=h200", "offloading", "offloading_cpu", "single_node_tp"),
             (GLM, "?hardware=h200&strategy=pd_cluster", "mooncake", "kv_store_distributed_mooncake", "pd_cluster"),
             (LLAMA_SMALL, "?hardware=xeon6", "mooncake", "kv_store_distributed_mooncake", None),
             (LLAMA_SMALL, "?hardware=arc_pro_b60", "offloading", "offloading_cpu", None))
    for hf_id, query, grp, key, name in cases:
        open_recipe(site, page, hf_id, query)
        d = data(page)
        hw = d["hw"][pressed(page)["hw"][0]][0]
        name = name or d["st"][pressed(page)["st"][0]][0]
        why = kv_refusal(catalog, catalog.entry(hf_id).recipe, key, hw, name) + "."
        pill = page.locator(f'.cb-ui [data-a="kvg"][data-i="{group(page, grp)}"]')
        tip = pill.locator(".cb-tip")
        assert pill.get_attribute("aria-disabled") == "true" and tip.inner_text() == why
        page.mouse.move(0, 0)
        pill.hover()
        tip.wait_for(state="visible")
        page.mouse.move(0, 0)
        tip.wait_for(state="hidden")
        # Keyboard focus (focus-visible): Tab onto it from the pill before it.
        pill.evaluate("el => el.previousElementSibling.focus()")
        page.keyboard.press("Tab")
        assert pill.evaluate("el => el === document.activeElement")
        tip.wait_for(state="visible")
        page.keyboard.press("Enter")  # a disabled pill only explains itself
        assert page.locator(".cb-ui .cb-status").inner_text() == why
        assert pressed(page).get("kv") == [-1]
    # XPU: every option off; on the Xeon CPU node Offloading is off by brand but Simple is not.
    open_recipe(site, page, LLAMA_SMALL, "?hardware=arc_pro_b60")
    kv_pills = page.locator('.cb-ui [data-a="kv"]:not([data-i="-1"]), .cb-ui [data-a="kvg"]')
    assert all(kv_pills.nth(i).get_attribute("aria-disabled") == "true" for i in range(kv_pills.count()))
    open_recipe(site, page, LLAMA_SMALL, "?hardware=xeon6")
    assert page.locator(f'.cb-ui [data-a="kv"][data-i="{option(page, "simple")}"]').get_attribute("aria-disabled") is None
    pick(page, "simple")
    check_all_tabs(site, page, LLAMA_SMALL)


def test_url_round_trip_history_and_memory(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=h200&kv_offload=kv_store_centralized_mooncake&kv_instances=3&kv_instance=1")
    assert pressed(page)["kv"] == [option(page, "kv_store_centralized_mooncake")]
    assert page.locator('.cb-ui input[data-a="ki"]').input_value() == "3"
    sel = check_all_tabs(site, page, GLM)
    assert sel.instances == 3
    # Defaults are omitted: two instances is the centralized default.
    instances(page, 2)
    assert "kv_offload=kv_store_centralized_mooncake" in page.url and "kv_instances" not in page.url
    pick(page, "kv_store_distributed_mooncake")
    assert "kv_instances" not in page.url and page.locator('.cb-ui input[data-a="ki"]').input_value() == "1"
    pick(page, "simple")
    for move, part, key in ((page.go_back, "distributed", "kv_store_distributed_mooncake"),
                            (page.go_back, "centralized", "kv_store_centralized_mooncake"),
                            (page.go_forward, "distributed", "kv_store_distributed_mooncake"),
                            (page.go_forward, "simple", "simple")):
        move()
        page.wait_for_function("p => location.search.includes(p)", arg=part)
        assert pressed(page)["kv"] == [option(page, key)]
    check_all_tabs(site, page, GLM)
    # Invalid picks fall back to Off: unknown names, and LMCache with a multi-node strategy.
    for query in ("?kv_offload=bogus", "?strategy=multi_node_tp&nodes=2&kv_offload=lmcache", "?kv_offload=offloading_cpu"):
        open_recipe(site, page, GLM, query + "&hardware=h200")
        assert pressed(page)["kv"] == [-1] and "kv_offload" not in page.url
    # The URL is the only selection state: a later visit without one starts from Off, and nothing of
    # the choice is kept in the browser (only the Env values are, issue 12).
    instances_before = page.evaluate(OURS)
    open_recipe(site, page, GLM, "")
    assert pressed(page)["kv"] == [-1] and "kv_offload" not in page.url
    assert instances_before == [] == page.evaluate(OURS)


def test_clicks_make_no_requests(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=h200")
    seen = page_requests(page)
    pick(page, "simple")
    pick(page, "kv_store_centralized_mooncake")
    instances(page, 5)
    click(page, "tab", 3)
    box = page.locator('.cb-ui input[data-a="kn"]')
    box.fill("5")
    box.dispatch_event("change")
    click(page, "tab", 4)
    assert page.locator('.cb-ui [data-a="pop"][data-i="curl"]').get_attribute("aria-disabled") is None
    click(page, "pop", "curl")  # clients talk to the router: synthesis's example for this deployment
    catalog = site["catalog"]
    dep = run(catalog, catalog.entry(GLM), shown_selection(page, data(page)))
    assert page.locator(".cb-ui .cb-pop pre").inner_text() == snippets(dep).curl
    assert "$ROUTER_HOST:$ROUTER_PORT" in snippets(dep).curl
    page.keyboard.press("Escape")
    pick(page, "lmcache")
    click(page, "kv", -1)
    assert seen == []


def test_enough_kv_selections_checked(site: dict[str, Any]) -> None:
    """Runs last in this module: the KV selections above, compared with deploy, over 3+ recipes."""
    kv = kv_checked(site)
    print(f"KV selections compared with deploy: {len(kv)} over {len({x[0] for x in kv})} recipes")
    assert len(kv) >= 40 and len({x[0] for x in kv}) >= 3, (len(kv), {x[0] for x in kv})
