"""The site around the builder, without a browser: real URLs only, the search index's order,
share cards that are the same every build, redirects for other casings, a clear busy-port error.
"""
from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from test_site_pages import fixture_recipes

from builder.api import build_api_tree
from builder.check import load_catalog
from builder.site.html.brand import monogram, providers_css
from builder.site.pages import build_site, cards, redirects
from builder.site.pages.search import DocEntry, search_index
from builder.site.pages.urls import placeholder_reason

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("url", ["https://recipes.example.com/", "https://example.org", "http://docs.test/",
                                 "https://github.com/vllm-recipes/recipes", "https://github.com/your-org/x"])
def test_placeholders_are_named(url: str) -> None:
    assert "placeholder" in placeholder_reason(url, "site_url")


@pytest.mark.parametrize("url", ["https://recipes.vllm.ai/", "https://github.com/vllm-project/recipes",
                                 "http://127.0.0.1:8000/", "https://me.github.io/recipes/", None])
def test_real_and_local_urls_pass(url: str) -> None:
    assert placeholder_reason(url, "site_url") is None


@pytest.mark.parametrize(("setting", "value"), [("site_url", "https://recipes.example.com/"),
                                                ("repo_url", "https://github.com/your-org/recipes")])
def test_strict_build_refuses_a_placeholder(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                            setting: str, value: str) -> None:
    recipes = fixture_recipes(tmp_path)
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True,
                         plugins={"recipes": {"recipes_dir": str(recipes)}}, **{setting: value})
    with caplog.at_level(logging.WARNING), pytest.raises(Abort):
        build(config)
    assert any(setting in r.getMessage() and "placeholder" in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "site" / "index.html").exists()


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    catalog = load_catalog(REPO / "recipes")
    return build_site(catalog, build_api_tree(catalog))


def test_search_index_orders_newest_models_first(site) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(search_index(site.facts, [DocEntry("docs/api/", "JSON API", "Docs")]))
    names = [r["n"] for r in doc["recipes"]]
    glm = [n for n in names if n.startswith("GLM")]
    assert glm == ["GLM-5.2", "GLM-5.1", "GLM-5", "GLM-4.5-Air"]
    assert {r["k"] for r in doc["recipes"]} >= {"glm52", "qwen306b"}
    assert len(doc["latest"]) == 5 and doc["docs"][0]["u"] == "docs/api/"
    glm52 = next(r for r in doc["recipes"] if r["n"] == "GLM-5.2")
    assert "b200" in glm52["h"] and "moe" in glm52["h"]  # the same fields Browse filters on


def test_case_redirects_point_at_canonical_pages(site) -> None:  # type: ignore[no-untyped-def]
    assert redirects.case_aliases(["zai-org/", "zai-org/GLM-5.2/"]) == {
        "ZAI-ORG/": "zai-org/", "ZAI-ORG/GLM-5.2/": "zai-org/GLM-5.2/", "zai-org/glm-5.2/": "zai-org/GLM-5.2/"}
    page = site.case_files["zai-org/glm-5.2/index.html"].decode()
    assert 'content="0; url=../GLM-5.2/"' in page and "location.search" in page and "noindex" in page
    assert "ZAI-ORG/index.html" in site.case_files
    assert not set(site.case_files) & set(site.files)


def test_share_cards_are_deterministic_and_cached(site, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    glm = site.facts.get("zai-org/GLM-5.2")
    card = cards.recipe_card(glm, site.facts, "recipes.vllm.ai")
    assert card.title == "GLM-5.2" and "743B / 39B" in card.specs and "B200" in card.chips
    first = cards.render(card)
    assert first == cards.render(card)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = cards.all_cards(site.facts, "recipes.vllm.ai", tmp_path)
    monkeypatch.setattr(cards, "render", lambda c: pytest.fail("drew a cached card again"))
    assert cards.all_cards(site.facts, "recipes.vllm.ai", tmp_path) == drawn
    assert drawn[cards.card_path("zai-org/GLM-5.2")] == first
    assert len(drawn) == len(site.facts.recipes) + 1


def test_provider_marks_are_ours() -> None:
    assert [monogram(n) for n in ("DeepSeek", "Qwen", "NVIDIA", "Mistral AI", "")] == ["DS", "Q", "N", "MA", "?"]
    css = providers_css({"zai-org": "GLM (Z-AI)", "Qwen": "Qwen"})
    assert css.count("data:image/svg+xml") == 2 and "http" not in css.replace("http://www.w3.org/2000/svg", "")


def test_busy_port_says_which_and_how_to_pick_another(capsys: pytest.CaptureFixture[str]) -> None:
    from builder.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--dev-addr", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert f"--dev-addr 127.0.0.1:{port + 1}" in err and "Traceback" not in err


@pytest.mark.site
def test_mkdocs_build_strict_fails_on_the_example_host(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SITE_URL": "https://recipes.example.com/", "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(REPO / "mkdocs.yml"),
                          "-d", str(tmp_path / "out")], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "site_url 'https://recipes.example.com/' is a placeholder host (recipes.example.com)" in run.stderr
