"""Feature modes, strategy-gated features and Advanced options in a real browser.

Every selection is compared with ``deploy`` through ``check_all_tabs`` (the shown selection includes
the pressed mode pills as ``Selection.modes`` and the Advanced pills as ``Selection.advanced``).
Real recipes: MiniMax-M3 (two EAGLE3 heads; MXFP8 turns the GQA head on), Kimi-K3 (speculative
decoding gated off pipeline parallelism), DeepSeek-V3.2 and V4-Flash (Advanced options, which
their interacting flags once switched off). Reference-free: ``acme/Modes`` of tests/made_recipes.py
(a mode refused on AMD, a mode only for the FP8 variant, which forces it on, tuning notes, a
feature gated to one strategy).
"""
from __future__ import annotations

from typing import Any

import pytest
from browser_support import check_all_tabs, click, data, open_recipe, pressed, visible

pytestmark = pytest.mark.browser

SEEN: set[Any] = set()
"""Every (recipe, selection, docker) this module compared with deploy."""


@pytest.fixture(autouse=True)
def _record(request: pytest.FixtureRequest) -> Any:
    sites = [request.getfixturevalue(n) for n in ("site", "made_site") if n in request.fixturenames]
    before = [set(s["checked"]) for s in sites]
    yield
    for s, b in zip(sites, before, strict=True):
        SEEN.update(s["checked"] - b)


MINIMAX = "MiniMaxAI/MiniMax-M3"
KIMI = "moonshotai/Kimi-K3"
MODES = "acme/Modes"


# Keys of ours in localStorage (Material keeps its own, like the colour palette, under "/.__").
OURS = "() => Object.keys(localStorage).filter(k => !k.startsWith('/.__'))"


def index(d: dict[str, Any], table: str, key: str) -> int:
    return [x[0] for x in d[table]].index(key)


def mode_pill(page: Any, row: int, mode: int) -> Any:
    return page.locator(f'.cb-ui [data-a="md{row}"][data-i="{mode}"]')


def mode_row_label(page: Any) -> list[str]:
    return page.locator(".cb-ui .cb-row.cb-nested .cb-label").all_text_contents()


def features_note(page: Any) -> str:
    note = page.locator(".cb-ui .cb-row", has_text="Features").first.locator(".cb-note")
    return note.inner_text() if note.count() else ""


def explains(page: Any, pill: Any, reason: str) -> None:
    """A disabled pill: aria-disabled, its reason in the tooltip on hover and on keyboard focus."""
    assert pill.get_attribute("aria-disabled") == "true" and pill.get_attribute("data-why") == reason
    pill.hover()
    assert pill.locator(".cb-tip").is_visible() and reason in pill.locator(".cb-tip").inner_text()
    page.mouse.move(0, 0)
    pill.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert pill.locator(".cb-tip").is_visible()


def test_minimax_every_mode_pill(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, MINIMAX, "?hardware=h200")
    d = data(page)
    spec, modes = index(d, "ft", "spec_decoding"), [m[0] for m in d["fm"][0][2]]
    assert d["fm"][0][1] == "Spec method" and modes == ["eagle3", "eagle3_gqa"]
    assert mode_row_label(page) == [], "no mode row while speculative decoding is off"
    click(page, "ft", spec)
    assert mode_row_label(page) == ["Spec method"]
    before = len(site["checked"])
    for hw in ("h200", "mi300x", "mi355x", "b200"):
        click(page, "hw", index(d, "hw", hw))
        for strategy in ("single_node_tp", "multi_node_tp"):
            if page.locator(f'.cb-ui [data-a="st"][data-i="{index(d, "st", strategy)}"]').count():
                click(page, "st", index(d, "st", strategy))
            for j, name in enumerate(modes):
                mode_pill(page, 0, j).click()
                assert pressed(page)["md0"] == [j]
                sel = check_all_tabs(site, page, MINIMAX)
                assert sel.modes == (("spec_decoding", name),) and "spec_decoding" in sel.features
                assert d["fm"][0][2][j][3][:40] in features_note(page), "the active mode's tuning note"
    # MXFP8 turns speculative decoding on with the GQA head (its default_modes); BF16 drops it again.
    click(page, "ft", spec)
    click(page, "var", index(d, "var", "mxfp8"))
    sel = check_all_tabs(site, page, MINIMAX)
    assert "spec_decoding" in sel.features and sel.modes == (("spec_decoding", "eagle3_gqa"),)
    assert "fmode" not in page.url and "features" not in page.url, "the variant's defaults stay out of the URL"
    mode_pill(page, 0, 0).click()
    assert "fmode=spec_decoding:eagle3" in page.url
    check_all_tabs(site, page, MINIMAX)
    click(page, "var", index(d, "var", "default"))
    sel = check_all_tabs(site, page, MINIMAX)
    assert "spec_decoding" not in sel.features and mode_row_label(page) == []
    click(page, "ft", spec)
    assert check_all_tabs(site, page, MINIMAX).modes == (("spec_decoding", "eagle3"),), "the new variant's default"
    assert len(site["checked"]) - before >= 12


def test_fmode_url_round_trip_and_history(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, MINIMAX, "?hardware=mi300x&features=tool_calling,reasoning,encoder_parallel,spec_decoding"
                                     "&fmode=spec_decoding:eagle3_gqa")
    sel = check_all_tabs(site, page, MINIMAX)
    assert sel.modes == (("spec_decoding", "eagle3_gqa"),) and "fmode=spec_decoding:eagle3_gqa" in page.url
    mode_pill(page, 0, 0).click()
    assert "fmode" not in page.url, "omitted at the variant's default"
    page.go_back()
    assert pressed(page)["md0"] == [1] and "fmode=spec_decoding:eagle3_gqa" in page.url
    check_all_tabs(site, page, MINIMAX)
    page.go_forward()
    assert pressed(page)["md0"] == [0]
    check_all_tabs(site, page, MINIMAX)
    # An unknown mode falls back to the default; a mode the variant does not offer too.
    open_recipe(site, page, MINIMAX, "?features=spec_decoding&fmode=spec_decoding:nope")
    assert pressed(page)["md0"] == [0] and "fmode" not in page.url
    check_all_tabs(site, page, MINIMAX)


def test_modes_live_in_the_url_only(site: dict[str, Any], page: Any) -> None:
    query = "?features=tool_calling,reasoning,encoder_parallel,spec_decoding"
    open_recipe(site, page, MINIMAX, query)
    mode_pill(page, 0, 1).click()
    assert "fmode=spec_decoding:eagle3_gqa" in page.url
    shared = page.url
    # Nothing is kept in the browser: a later visit without the parameter shows the default head,
    # and the shared link shows exactly the chosen one.
    assert page.evaluate(OURS) == []
    open_recipe(site, page, MINIMAX, query)
    assert pressed(page)["md0"] == [0] and "fmode" not in page.url
    page.goto(shared)
    page.wait_for_selector(".cb-ui .cb-cmd")
    assert pressed(page)["md0"] == [1]
    check_all_tabs(site, page, MINIMAX)


def _modes_with(site: dict[str, Any], page: Any, feature: str) -> dict[str, Any]:
    """acme/Modes on H200 with `feature` switched on; the page's data."""
    open_recipe(site, page, MODES, "?hardware=h200")
    d = data(page)
    click(page, "ft", index(d, "ft", feature))
    return d


def test_variant_restricted_and_hardware_refused_modes(made_site: dict[str, Any], made_page: Any) -> None:
    page, site = made_page, made_site
    d = _modes_with(site, page, "spec_decoding")
    # BF16 offers MTP and EAGLE3 (DSpark is the FP8 checkpoint's): two pills, MTP by default.
    assert page.locator('.cb-ui [data-a="md0"]').count() == 2 and pressed(page)["md0"] == [0]
    assert "Two draft tokens suit chat traffic." in features_note(page)
    for j in (0, 1):
        mode_pill(page, 0, j).click()
        check_all_tabs(site, page, MODES)
    # EAGLE3 chosen, then AMD: the mode is refused there and the command falls back to MTP.
    click(page, "hw", index(d, "hw", "mi300x"))
    assert pressed(page)["md0"] == [0]
    assert check_all_tabs(site, page, MODES).modes == (("spec_decoding", "mtp"),)
    explains(page, mode_pill(page, 0, 1), "Not supported on this hardware")
    mode_pill(page, 0, 1).click(force=True)  # Playwright itself refuses aria-disabled elements
    assert pressed(page)["md0"] == [0], "a disabled mode pill does nothing"
    assert page.locator(".cb-ui .cb-status").inner_text() == "Not supported on this hardware"
    # FP8 forces speculative decoding on with DSpark and offers all three modes.
    click(page, "var", index(d, "var", "fp8"))
    sel = check_all_tabs(site, page, MODES)
    assert "spec_decoding" in sel.features and sel.modes == (("spec_decoding", "dspark"),)
    assert page.locator('.cb-ui [data-a="md0"]').count() == 3 and "fmode" not in page.url
    assert "Sample drafts greedily" in features_note(page)
    click(page, "hw", index(d, "hw", "b200"))
    for j in (0, 1, 2):
        mode_pill(page, 0, j).click()
        check_all_tabs(site, page, MODES)
    assert "fmode=spec_decoding:dspark" not in page.url and "fmode=spec_decoding:mtp" not in page.url
    # Back to BF16: the feature forced only by FP8 goes, and the modes start from BF16's default.
    click(page, "var", index(d, "var", "default"))
    sel = check_all_tabs(site, page, MODES)
    assert "spec_decoding" not in sel.features and "fmode" not in page.url


def test_strategy_gated_feature_keeps_its_toggle(made_site: dict[str, Any], made_page: Any) -> None:
    page, site = made_page, made_site
    d = _modes_with(site, page, "context_parallel")
    gated = index(d, "ft", "context_parallel")
    check_all_tabs(site, page, MODES)
    assert "--decode-context-parallel-size 2" in visible(page)[1]
    for strategy in ("single_node_tep", "multi_node_tp"):
        click(page, "st", index(d, "st", strategy))
        pill = page.locator(f'.cb-ui [data-a="ft"][data-i="{gated}"]')
        assert pill.get_attribute("aria-pressed") == "true", "the toggle is kept"
        explains(page, pill, "Not available with this strategy")
        sel = check_all_tabs(site, page, MODES)
        assert "context_parallel" in sel.features and "--decode-context-parallel-size" not in visible(page)[1]
    click(page, "st", index(d, "st", "single_node_tp"))
    assert "--decode-context-parallel-size 2" in visible(page)[1]
    check_all_tabs(site, page, MODES)


def test_kimi_spec_decoding_is_gated_off_pipeline_parallelism(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, KIMI, "?hardware=b200")
    d = data(page)
    spec = index(d, "ft", "spec_decoding")
    click(page, "ft", spec)
    click(page, "st", index(d, "st", "multi_node_tp"))
    assert "--speculative-config" in visible(page)[1]
    check_all_tabs(site, page, KIMI)
    click(page, "st", index(d, "st", "multi_node_tp_pp"))
    explains(page, page.locator(f'.cb-ui [data-a="ft"][data-i="{spec}"]'), "Not available with this strategy")
    assert "spec_decoding" in check_all_tabs(site, page, KIMI).features and "--speculative-config" not in visible(page)[1]


@pytest.mark.parametrize("hf_id", ["deepseek-ai/DeepSeek-V3.2", "deepseek-ai/DeepSeek-V4-Flash"])
def test_advanced_options_on_deepseek(site: dict[str, Any], page: Any, hf_id: str) -> None:
    open_recipe(site, page, hf_id, "?hardware=mi355x")
    d = data(page)
    assert [x[0] for x in d["ad"]][:4] == ["max_batched_8k", "max_num_seqs_256", "gpu_mem_095", "max_model_len_auto"]
    assert page.locator(".cb-ui .cb-row", has_text="Advanced").count() == 1
    click(page, "ft", index(d, "ft", "spec_decoding"))
    for k, option in enumerate(d["ad"]):
        if page.locator(f'.cb-ui [data-a="ad"][data-i="{k}"]').get_attribute("aria-disabled") == "true":
            continue  # e.g. the expert-parallel weight filter under plain TP
        click(page, "ad", k)
        assert option[0] in check_all_tabs(site, page, hf_id).advanced
    assert "advanced=" in page.url
    for hw, strategy in (("h200", "single_node_dep"), ("b200", "pd_cluster")):
        click(page, "hw", index(d, "hw", hw))
        click(page, "st", index(d, "st", strategy))
        check_all_tabs(site, page, hf_id)
    open_recipe(site, page, hf_id, page.url[page.url.index("?"):])
    assert len(check_all_tabs(site, page, hf_id).advanced) >= 4


def test_zz_selections_checked() -> None:
    """Runs last: how much this module compared with deploy (at least 30 selections, 3 recipes)."""
    if not SEEN:
        pytest.skip("run with the rest of the module")
    recipes = {hf_id for hf_id, _, _ in SEEN}
    print(f"\n{len(SEEN)} selections checked over {len(recipes)} recipes: {sorted(recipes)}")
    assert len(SEEN) >= 30 and len(recipes) >= 3
