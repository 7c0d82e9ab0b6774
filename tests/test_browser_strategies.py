"""The Strategy, Nodes and prefill/decode rows in a real browser (site §2.3, §2.4.3, §2.4.5, §2.6.4).

Per-hardware strategy switches with their reasons on disabled pills, `multi_node_tp_dp`, node
counts that start at a GPU floor (and grow to it or snap back), prefill/decode pools of 1–16
nodes with the node shown, hardware notes, and the URL of all of it. Every selection is compared
with ``deploy`` (check_all_tabs, which records it in ``site["checked"]``); the reasons come from
``builder.synth.select`` and are compared with it.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import ARTIFACTS, GLM, check_all_tabs, click, data, enter, open_recipe, page_requests, pressed, visible

from builder.synth.select import node_floor, strategy_offers

pytestmark = pytest.mark.browser

KIMI = "moonshotai/Kimi-K3"
DEEPSEEK = "deepseek-ai/DeepSeek-V3.2"


def ids(page: Any, key: str) -> list[str]:
    return [x[0] for x in data(page)[key]]


def query(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def pills(page: Any, action: str) -> dict[int, str | None]:
    """Pill index → its disabled reason (None when enabled) for one row."""
    return page.locator(f'.cb-ui .cb-pill[data-a="{action}"]').evaluate_all(
        "xs => Object.fromEntries(xs.map(x => [x.dataset.i, x.getAttribute('aria-disabled') === 'true' ? x.dataset.why : null]))")


def status(page: Any) -> str:
    return page.locator(".cb-ui .cb-status").inner_text()


def test_strategy_pills_follow_the_hardware(site: dict[str, Any], page: Any) -> None:
    """Kimi-K3: offered and switched-off strategies per hardware, reasons from select.strategy_offers."""
    catalog = site["catalog"]
    entry = catalog.entry(KIMI)
    open_recipe(site, page, KIMI)
    page.wait_for_load_state("networkidle")
    requests = page_requests(page)
    hw, st = ids(page, "hw"), ids(page, "st")
    for name in ("h100", "h200", "b200", "gb200", "gb300", "b300", "mi355x"):
        click(page, "hw", hw.index(name))
        want = {st.index(o.name): o.reason for o in strategy_offers(catalog, entry, name) if o.name in st}
        assert {int(k): v for k, v in pills(page, "st").items()} == want, name
        check_all_tabs(site, page, KIMI)
    assert requests == []
    # H100: DEP switched off, single node hidden (its floor of 32 GPUs exceeds one node), tp_dp not granted.
    click(page, "hw", hw.index("h100"))
    shown = pills(page, "st")
    assert shown[str(st.index("multi_node_dep"))] == "Multi-Node Data + Expert Parallel isn't supported on H100 for this model."
    assert str(st.index("single_node_tp")) not in shown and str(st.index("multi_node_tp_dp")) not in shown
    # The reason shows on hover and on keyboard focus; a click says it and changes nothing.
    dep = page.locator(f'.cb-ui .cb-pill[data-a="st"][data-i="{st.index("multi_node_dep")}"]')
    dep.hover()
    assert dep.locator(".cb-tip").is_visible() and "isn't supported on H100" in dep.locator(".cb-tip").inner_text()
    page.mouse.move(0, 0)
    assert not dep.locator(".cb-tip").is_visible()
    dep.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.i") == str(st.index("multi_node_dep"))
    assert dep.locator(".cb-tip").is_visible()
    before = page.url
    dep.click(force=True)  # (Playwright will not click an aria-disabled button otherwise)
    assert page.url == before and "isn't supported on H100" in status(page)
    # A link to a switched-off strategy falls back to the recommended one.
    open_recipe(site, page, KIMI, "?hardware=h200&strategy=multi_node_dep")
    assert pressed(page)["st"] == [st.index("multi_node_tp")] and "strategy" not in query(page)


def test_tp_dp_where_granted(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, KIMI)
    hw, st = ids(page, "hw"), ids(page, "st")
    tp_dp = st.index("multi_node_tp_dp")
    for name, counts in (("h200", (2, 3, 8)), ("gb200", (4, 6, 16)), ("gb300", (4, 5))):
        click(page, "hw", hw.index(name))
        click(page, "st", tp_dp)
        assert pressed(page)["n"] == [counts[0]], f"{name}: starts at the floor"
        for n in counts:
            click(page, "n", n)
            sel = check_all_tabs(site, page, KIMI)
            assert (sel.strategy, sel.nodes) == ("multi_node_tp_dp", n)
    for name in ("b200", "b300", "mi355x"):  # not granted there: not shown at all
        click(page, "hw", hw.index(name))
        assert str(tp_dp) not in pills(page, "st"), name


def test_gpu_floors_grow_and_snap_back(site: dict[str, Any], page: Any) -> None:
    catalog = site["catalog"]
    entry = catalog.entry(KIMI)
    open_recipe(site, page, KIMI, "?hardware=h100")
    st = ids(page, "st")
    # H100: every layout needs 32 GPUs, so node pills start at 4 and say their GPU total.
    assert min(int(i) for i in pills(page, "n")) == 4 == node_floor(catalog, entry, "multi_node_tp", "h100")[0]
    assert page.locator('.cb-ui .cb-pill[data-a="n"][data-i="16"] .cb-hint').inner_text() == "128×GPU"
    assert node_floor(catalog, entry, "multi_node_tp", "h100")[1] in page.locator(".cb-ui .cb-rows").inner_text()
    check_all_tabs(site, page, KIMI)
    # A link below the floor is raised to it.
    open_recipe(site, page, KIMI, "?hardware=h100&strategy=multi_node_tep&nodes=2")
    assert check_all_tabs(site, page, KIMI).nodes == 4
    # GB200: TP from 2 trays, DEP from 4. The count grows to a floor and snaps back when it no longer applies.
    open_recipe(site, page, KIMI, "?hardware=gb200")
    click(page, "st", st.index("multi_node_tp"))
    assert pressed(page)["n"] == [2]
    click(page, "st", st.index("multi_node_dep"))
    assert pressed(page)["n"] == [4] and min(int(i) for i in pills(page, "n")) == 4
    check_all_tabs(site, page, KIMI)
    click(page, "st", st.index("multi_node_tp"))
    assert pressed(page)["n"] == [2], "a count that only followed the floor snaps back"
    click(page, "n", 3)
    click(page, "st", st.index("multi_node_tp_pp"))
    assert pressed(page)["n"] == [4], "a picked count grows to the new floor"
    click(page, "n", 6)
    click(page, "st", st.index("multi_node_tep"))
    assert pressed(page)["n"] == [6], "a picked count above the floor is kept"
    check_all_tabs(site, page, KIMI)
    # A hardware change starts from that hardware's recommendation (no floor carried over).
    click(page, "hw", ids(page, "hw").index("b300"))
    assert pressed(page)["st"] == [st.index("single_node_tp")]
    click(page, "st", st.index("multi_node_dep"))
    assert pressed(page)["n"] == [2]
    check_all_tabs(site, page, KIMI)


POOL_SIZES = ((1, 16), (2, 9), (5, 5), (9, 2), (16, 1))


def _pools(site: dict[str, Any], page: Any, hf_id: str, hardware: str) -> int:
    """Every pool size of POOL_SIZES for both roles and each offered mode, checked with deploy."""
    open_recipe(site, page, hf_id, f"?hardware={hardware}&strategy=pd_cluster")
    page.wait_for_load_state("networkidle")
    requests = page_requests(page)
    modes = [int(i) for i in pills(page, "pm")] or [None]
    done = 0
    for k, (p, q) in enumerate(POOL_SIZES):
        for j, mode in enumerate(modes):
            if (k + j) % 2 and k not in (0, len(POOL_SIZES) - 1):
                continue  # middle sizes in every other mode: the extremes in all
            enter(page, "pn", p)
            enter(page, "dn", q)
            if mode is not None:
                click(page, "pm", mode)
                click(page, "dm", modes[(j + 1) % len(modes)])
            sel = check_all_tabs(site, page, hf_id, every_node=False)  # (build time checks every node)
            assert (sel.prefill_nodes, sel.decode_nodes) == (p, q)
            gpus = data(page)["hw"][ids(page, "hw").index(hardware)][3]
            assert f"total {(p + q) * gpus} GPUs · {p + q} nodes" in page.locator(".cb-ui .cb-rows").inner_text()
            done += 1
    assert requests == [], requests
    return done


def test_pd_pools_of_1_to_16_nodes(site: dict[str, Any], page: Any) -> None:
    assert _pools(site, page, KIMI, "h200") >= 9
    # Per-pool GPU totals, and mode pills only with more than one mode.
    rows = page.locator(".cb-ui .cb-rows").inner_text()
    assert "× 8 = 128 GPUs" in rows and "× 8 = 8 GPUs" in rows
    assert _pools(site, page, DEEPSEEK, "b200") >= 5
    # GLM-5.2: the shared (co-located) layout and back to dedicated pools.
    open_recipe(site, page, GLM, "?hardware=h200&strategy=pd_cluster")
    click(page, "pn", 0)
    sel = check_all_tabs(site, page, GLM)
    assert (sel.prefill_nodes, sel.decode_nodes) == (0, 0)
    enter(page, "dn", 3)
    sel = check_all_tabs(site, page, GLM)
    assert (sel.prefill_nodes, sel.decode_nodes) == (1, 3)
    assert query(page)["decode_nodes"] == "3"


def test_node_selector_and_url(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, KIMI, "?hardware=h200&strategy=pd_cluster&prefill_nodes=5&decode_nodes=9&prefill_mode=tp")
    box = page.locator('.cb-ui input[data-a="rank"]')
    assert box.get_attribute("aria-label") == "Node whose command is shown"
    assert page.locator('.cb-ui input[data-a="pn"]').get_attribute("aria-label") == "Prefill node count"
    enter(page, "rank", 4)
    assert query(page)["prefill_rank"] == "3"
    assert "--node-rank 3" in visible(page)[1] and "--headless" in visible(page)[1]
    assert "--node-rank = 3" in page.locator(".cb-ui .cb-nodepick").inner_text()
    check_all_tabs(site, page, KIMI)
    # Decode pool, shown node and the link.
    click(page, "tab", 1)
    enter(page, "rank", 9)
    assert query(page)["decode_rank"] == "8"
    link = page.url
    shown = visible(page)
    open_recipe(site, page, KIMI, "?" + urlparse(link).query)
    click(page, "tab", 1)
    assert visible(page) == shown
    # Changing a pool's size or mode shows its first node again.
    enter(page, "dn", 4)
    assert "decode_rank" not in query(page) and query(page)["prefill_rank"] == "3"
    click(page, "pm", data(page)["modes"].index("dep"))
    assert "prefill_rank" not in query(page)
    check_all_tabs(site, page, KIMI)
    # Back and forward walk through pool changes.
    steps = []
    for action, value in (("pn", 7), ("dn", 12), ("rank", 3)):
        enter(page, action, value)
        steps.append(page.url)
    page.go_back()
    page.wait_for_function("u => location.href === u", arg=steps[1])
    assert page.locator('.cb-ui input[data-a="pn"]').input_value() == "7"
    assert page.locator('.cb-ui input[data-a="dn"]').input_value() == "12"
    page.go_back()
    page.wait_for_function("u => location.href === u", arg=steps[0])
    assert page.locator('.cb-ui input[data-a="dn"]').input_value() == "4"
    page.go_forward()
    page.wait_for_function("u => location.href === u", arg=steps[1])
    check_all_tabs(site, page, KIMI)


def test_hardware_note(site: dict[str, Any], page: Any) -> None:
    entry = site["catalog"].entry(KIMI)
    note = entry.recipe.hardware_notes["h100"]
    # Server-rendered for the default selection of a link (no script needed to read it).
    html = (site["out"] / KIMI / "index.html").read_text(encoding="utf-8")
    assert "cb-hwnote" not in html.split("<template", 1)[0], "B300 (the default) has no note"
    open_recipe(site, page, KIMI, "?hardware=h100")
    callout = page.locator(".cb-ui .cb-hwnote")
    assert callout.locator(".cb-hwnote-title").inner_text() == note.title
    assert note.body in callout.inner_text()
    assert note.link is not None and callout.locator("a").get_attribute("href") == note.link.href
    click(page, "hw", ids(page, "hw").index("gb200"))
    assert callout.locator(".cb-hwnote-title").inner_text() == entry.recipe.hardware_notes["gb200"].title
    assert callout.locator("a").count() == 0
    check_all_tabs(site, page, KIMI)
    click(page, "hw", ids(page, "hw").index("b300"))
    assert callout.count() == 0
    page.go_back()
    assert page.locator(".cb-ui .cb-hwnote-title").inner_text() == entry.recipe.hardware_notes["gb200"].title


def test_enough_strategy_selections(site: dict[str, Any]) -> None:
    mine = {x for x in site["checked"] if x[0] in (KIMI, DEEPSEEK, GLM)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "strategy-selections.json").write_text(json.dumps({"selections": len(mine)}) + "\n")
    assert len(mine) >= 40 and len({x[0] for x in mine}) >= 3, len(mine)
