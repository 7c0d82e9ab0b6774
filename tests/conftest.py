from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference" / "upstream-2026-06-27"
REFERENCE_2026_08 = SHARED / "reference" / "upstream-2026-08-21"


@pytest.fixture
def shared_reference() -> Path:
    if not (REFERENCE / "recipes").is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (../shared is absent); conformance is checked in CI")
    return REFERENCE


@pytest.fixture
def shared_reference_2026_08() -> Path:
    if not (REFERENCE_2026_08 / "recipes").is_dir():
        pytest.skip(f"reference data not found at {REFERENCE_2026_08} (../shared is absent); conformance is checked in CI")
    return REFERENCE_2026_08


# ---- browser tests (tests/test_browser*.py): one Chromium and one build per recipe folder ----------


@pytest.fixture(scope="session")
def browser() -> Any:
    from browser_support import ARGS, CHROMIUM, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Any:
    """The site of the repository's recipes (or VLLM_RECIPES_DIR), served on 127.0.0.1."""
    from browser_support import site_fixture

    yield from site_fixture(tmp_path_factory.mktemp("site"), browser)


@pytest.fixture(scope="session")
def made_site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Any:
    """A site of test-made recipes: hostile text everywhere, 33 features, TPU, platforms (tests/made_recipes.py)."""
    from browser_support import site_fixture
    from made_recipes import write_made_recipes

    folder = write_made_recipes(tmp_path_factory.mktemp("made-recipes"))
    yield from site_fixture(tmp_path_factory.mktemp("made-site"), browser, folder)


def _page(site: dict[str, Any]) -> Any:
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["base"])
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture()
def page(site: dict[str, Any]) -> Any:
    """A 1280 px page on the repository site; fails the test on any script error."""
    yield from _page(site)


@pytest.fixture()
def made_page(made_site: dict[str, Any]) -> Any:
    yield from _page(made_site)
