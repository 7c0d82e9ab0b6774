"""The browse page in Chromium: faceted filters, counts, sorting and the URL as its only state.

Every expectation is computed here from `browse/index.json` (the records the page filters), so a
filter that shows the wrong rows, a count that disagrees with what a click would show, or a sort in
the wrong order fails.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser


def shown(page: Any) -> list[str]:
    return page.eval_on_selector_all("#browse-list li[data-recipe]:not([hidden])", "xs => xs.map(x => x.dataset.recipe)")


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_browse(site: dict[str, Any], page: Any, q: str = "") -> dict[str, Any]:
    page.goto(f"{site['base']}/browse/{q}")
    page.wait_for_selector("#browse .bf-bar")
    return page.evaluate("() => fetch('index.json').then(r => r.json())")


def chip(page: Any, row: str, label: str) -> Any:
    return page.locator(".bf-row", has=page.locator(".bf-label", has_text=row)).locator(
        ".bf-chip", has_text=label).first


def test_filters_counts_and_url(site: dict[str, Any], page: Any) -> None:
    d = open_browse(site, page)
    recipes = d["recipes"]
    assert shown(page) == [r["id"] for r in recipes]  # newest first, every recipe
    assert page.locator(".bf-count").inner_text() == f"{len(recipes)} recipes"
    page.locator(".bf-btn", has_text="Filters").click()
    assert query(page)["panel"] == ["open"]
    # Each task chip's count is what clicking it shows.
    for t in d["tasks"]:
        want = [r["id"] for r in recipes if t["id"] in r["tasks"]]
        c = chip(page, "Task", t["name"])
        assert c.locator(".bf-n").inner_text() == str(len(want)), t
    moe = [r["id"] for r in recipes if r["arch"] == "moe"]
    chip(page, "Arch", "MoE").click()
    assert shown(page) == moe and query(page)["arch"] == ["moe"]
    assert page.locator(".bf-count").inner_text() == f"{len(moe)} of {len(recipes)} recipes"
    # Counts now include the arch filter; a chip with nothing left is disabled.
    for p in d["precisions"]:
        n = sum(1 for r in recipes if r["arch"] == "moe" and p in r["precisions"])
        c = chip(page, "Precision", p.upper())
        assert c.locator(".bf-n").inner_text() == str(n), p
        assert c.is_disabled() == (n == 0), p
    fp8 = [r["id"] for r in recipes if r["arch"] == "moe" and "fp8" in r["precisions"]]
    chip(page, "Precision", "FP8").click()
    assert shown(page) == fp8 and query(page)["precision"] == ["fp8"]
    # Back undoes one filter at a time; Forward redoes it.
    page.go_back()
    page.wait_for_function("() => !location.search.includes('precision')")
    assert shown(page) == moe
    page.go_forward()
    page.wait_for_function("() => location.search.includes('precision')")
    assert shown(page) == fp8
    # A shared link reproduces the selection; Clear keeps nothing but the sort.
    page.goto(page.url)
    page.wait_for_selector("#browse .bf-bar")
    assert shown(page) == fp8
    page.select_option(".bf-bar select[aria-label=Sort]", "name")
    page.locator(".bf-bar .bf-btn", has_text="Clear").click()
    assert query(page) == {"sort": ["name"]}
    assert shown(page) == sorted((r["id"] for r in recipes), key=str.lower)


def test_sorts(site: dict[str, Any], page: Any) -> None:
    d = open_browse(site, page)
    recipes = d["recipes"]
    ids = [r["id"] for r in recipes]
    options = page.eval_on_selector_all(".bf-bar select[aria-label=Sort] option", "xs => xs.map(x => [x.value, x.text])")
    assert options[0] == ["released", "Newest"]  # the default, left out of the URL
    assert {v for v, _ in options} == {"released", "updated", "name", "size_desc", "size_asc"}
    size = {r["id"]: (r["params_b"] if r["params_b"] is not None else -1) for r in recipes}
    updated = {r["id"]: r["updated"] for r in recipes}
    want = {
        "updated": sorted(ids, key=lambda i: updated[i], reverse=True),  # stable: ties stay newest first
        "name": sorted(ids, key=str.lower),
        "size_desc": sorted(ids, key=lambda i: -size[i]),
        "released": ids,
    }
    for value, order in want.items():
        page.select_option(".bf-bar select[aria-label=Sort]", value)
        assert shown(page) == order, value
        assert query(page).get("sort") == (None if value == "released" else [value])
    smallest = shown_after(page, "size_asc")
    known = [i for i in smallest if size[i] >= 0]
    assert known == sorted(known, key=lambda i: size[i]) and smallest[len(known):] == [i for i in ids if size[i] < 0]


def shown_after(page: Any, sort: str) -> list[str]:
    page.select_option(".bf-bar select[aria-label=Sort]", sort)
    return shown(page)


def test_header_search_hands_off_a_query(site: dict[str, Any], page: Any) -> None:
    d = open_browse(site, page, "?q=glm")
    want = [r["id"] for r in d["recipes"] if "glm" in r["id"].lower()]
    assert want and shown(page) == want
    assert page.locator(".bf-pills").inner_text().strip().startswith("“glm”")
    page.locator(".bf-pills .bf-chip").click()
    assert "q" not in query(page) and len(shown(page)) == len(d["recipes"])
