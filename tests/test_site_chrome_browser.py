"""The site around the command builder, in Chromium: search, shortcuts, redirects, weight, looks.

Uses the `site` fixture of ``test_browser`` (the repository's recipes built with ``mkdocs build``
and served on 127.0.0.1). Screenshots of home, a provider, GLM-5.2 and the open search panel at
390 px and 1280 px, light and dark, go to ``tests/artifacts/chrome/``; the first-visit weight to
``tests/artifacts/first-visit.json``.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import ARTIFACTS, GLM  # the `site` fixture comes from conftest.py

pytestmark = pytest.mark.browser

# Gzip bytes of everything a first visit to GLM-5.2 loads (search index included): 120 KiB until the
# command builder gained its 2026-08 rows (KV offload, feature modes, pools, strategy gating).
FIRST_VISIT_BUDGET = 150 * 1024


@pytest.fixture()
def page(site: dict[str, Any]) -> Iterator[Any]:
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def search(pg: Any, query: str) -> list[str]:
    """Type `query` into the header box; the hrefs of the results (recipes/providers first, then docs)."""
    box = pg.locator(".rs-search__input")
    box.click()
    box.fill(query)
    pg.wait_for_selector(".rs-search__panel .rs-item, .rs-search__panel .rs-foot")
    return pg.eval_on_selector_all(".rs-search__panel a", "els => els.map(a => a.getAttribute('href'))")


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.parametrize(("query", "top"), [
    ("glm 5.2", "/zai-org/GLM-5.2/"),
    ("GLM-5.2", "/zai-org/GLM-5.2/"),
    ("qwen3 0.6b", "/Qwen/Qwen3-0.6B/"),
    ("deepseek", "/deepseek-ai/"),          # the provider's exact name beats its models
])
def test_search_top_result(site: dict[str, Any], page: Any, query: str, top: str) -> None:
    page.goto(site["base"] + "/")
    assert path_of(search(page, query)[0]) == top


def test_search_orders_models_before_docs_and_hands_off_to_browse(site: dict[str, Any], page: Any) -> None:
    page.goto(site["base"] + "/")
    hrefs = search(page, "glm")
    kinds = page.eval_on_selector_all(".rs-search__panel a", "els => els.map(a => a.className.split(' ')[1] || a.className)")
    recipes = [path_of(h) for h, k in zip(hrefs, kinds, strict=False) if k == "rs-item--recipe"]
    assert recipes[0] == "/zai-org/GLM-5.2/", recipes      # newest of the prefix matches first
    assert recipes.index("/zai-org/GLM-5.2/") < recipes.index("/zai-org/GLM-4.5-Air/")
    order = [k for k in kinds if k.startswith("rs-item")]
    assert order == sorted(order, key=lambda k: k == "rs-item--doc"), order  # docs after models
    foot = urlsplit(hrefs[-1])
    assert foot.path == "/browse/" and parse_qs(foot.query) == {"q": ["glm"]}
    assert "in Browse" in page.inner_text(".rs-foot")
    # The hand-off lands on Browse filtered by the same words.
    page.locator(".rs-foot").click()
    page.wait_for_url("**/browse/?q=glm")


def test_empty_box_lists_latest_recipes(site: dict[str, Any], page: Any) -> None:
    page.goto(site["base"] + "/docs/api/")
    page.locator(".rs-search__input").click()
    page.wait_for_selector(".rs-search__panel .rs-item")
    assert page.inner_text(".rs-head").lower() == "latest recipes"
    assert page.locator(".rs-search__panel .rs-item--recipe").count() == 5
    assert "Browse all" in page.inner_text(".rs-foot")


def test_keyboard_shortcuts(site: dict[str, Any], page: Any) -> None:
    page.goto(site["base"] + "/zai-org/")
    focused = "() => document.activeElement && document.activeElement.classList.contains('rs-search__input')"
    for chord in ("Control+k", "Meta+k"):
        page.keyboard.press(chord)
        assert page.evaluate(focused), chord
        page.keyboard.press("Escape")
        assert not page.evaluate(focused), chord
        assert page.locator(".rs-search__panel").is_hidden()
    page.keyboard.press("/")
    assert page.evaluate(focused)
    page.keyboard.type("qwen3 0.6b")
    page.wait_for_selector(".rs-item.is-active")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/Qwen/Qwen3-0.6B/")


def test_index_loads_only_when_the_box_is_used(site: dict[str, Any], page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{site['base']}/{GLM}/", wait_until="networkidle")
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)
    assert not [u for u in requested if "search" in path_of(u) and u.endswith(".json")], requested
    page.locator(".rs-search__input").focus()
    page.wait_for_selector(".rs-search__panel .rs-item")
    assert [path_of(u) for u in requested if path_of(u).endswith("search.json")] == ["/search.json"]


@pytest.mark.parametrize(("path", "lands"), [
    ("/zai-org/glm-5.2/?hardware=b200", "/zai-org/GLM-5.2/"),
    ("/ZAI-ORG/GLM-5.2/?variant=nvfp4", "/zai-org/GLM-5.2/"),
    ("/ZAI-ORG/", "/zai-org/"),
    ("/qwen/qwen3-0.6b/", "/Qwen/Qwen3-0.6B/"),
])
def test_other_casings_redirect_keeping_the_query(site: dict[str, Any], page: Any, path: str, lands: str) -> None:
    page.goto(site["base"] + path)
    page.wait_for_url(f"**{lands}*")
    got = urlsplit(page.url)
    assert got.path == lands
    # Every parameter survives (the command builder may add the ones it settles, e.g. hardware).
    kept = parse_qs(got.query)
    assert all(kept.get(k) == v for k, v in parse_qs(urlsplit(path).query).items()), (path, page.url)


def test_not_found_page_finds_any_other_casing(site: dict[str, Any], page: Any) -> None:
    # As GitHub Pages does: an unknown path answers 404 with the site's 404.html.
    body = (site["out"] / "404.html").read_bytes()
    page.route("**/Zai-Org/**", lambda route: route.fulfill(status=404, body=body, content_type="text/html"))
    page.goto(site["base"] + "/Zai-Org/glm-5.2/?variant=nvfp4#command")
    page.wait_for_url("**/zai-org/GLM-5.2/*")
    got = urlsplit(page.url)
    assert got.path == "/zai-org/GLM-5.2/" and parse_qs(got.query)["variant"] == ["nvfp4"]


def test_first_visit_budget_and_no_third_party_requests(site: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    responses: list[Any] = []
    requests: list[str] = []
    pg.on("response", lambda r: responses.append(r))
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(f"{site['base']}/{GLM}/", wait_until="networkidle")
    pg.wait_for_timeout(500)
    files = {path_of(r.url): len(gzip.compress(r.body(), 6)) for r in responses if r.ok}
    context.close()
    report = {"first_visit_gzip_bytes": sum(files.values()), "budget": FIRST_VISIT_BUDGET, "files": files}
    (ARTIFACTS / "first-visit.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"GLM-5.2 first visit: {report['first_visit_gzip_bytes']} bytes gzip in {len(files)} files")
    assert [u for u in requests if not u.startswith(site["base"])] == []   # fonts, GitHub API, CDNs
    assert report["first_visit_gzip_bytes"] <= FIRST_VISIT_BUDGET, report


SHOTS = {"home": "/", "provider": "/zai-org/", "glm-5.2": f"/{GLM}/", "search": "/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(site: dict[str, Any], width: int, scheme: str) -> None:
    out = ARTIFACTS / "chrome"
    out.mkdir(parents=True, exist_ok=True)
    phone = width < 600
    context = site["browser"].new_context(viewport={"width": width, "height": 844 if phone else 900},
                                          device_scale_factor=2 if phone else 1, is_mobile=phone,
                                          has_touch=phone, color_scheme=scheme)
    pg = context.new_page()
    for name, path in SHOTS.items():
        pg.goto(site["base"] + path, wait_until="networkidle")
        if name == "search":
            if phone:
                pg.locator(".rs-search__open").click()
            search(pg, "glm")
        pg.screenshot(path=str(out / f"{name}-{width}-{scheme}.png"))
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= width, (name, width)
    context.close()
