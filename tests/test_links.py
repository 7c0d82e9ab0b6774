"""Every link in what we publish from `recipes/` leads somewhere: the JSON API and the full site."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from builder.write.linkcheck import check_links

REPO = Path(__file__).resolve().parents[1]
RECIPES = REPO / "recipes"
MKDOCS = Path(sys.executable).parent / "mkdocs"


def build_api_or_skip(out: Path) -> None:
    """Build the API from our recipes; while `recipes/` does not build yet, skip and say why."""
    if not (RECIPES / "models").is_dir():
        pytest.skip("recipes/models does not exist yet")
    done = subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(RECIPES), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    if done.returncode != 0:
        pytest.skip("recipes/ does not build yet (`python -m builder validate` lists why):\n" + done.stderr[-2000:])


def report(dangling: list) -> str:
    return f"{len(dangling)} dangling link(s):\n" + "\n".join(str(d) for d in dangling[:40])


def test_api_built_from_our_recipes_has_no_dangling_links(tmp_path: Path) -> None:
    out = tmp_path / "api"
    build_api_or_skip(out)
    assert (out / "models.json").is_file()
    dangling = check_links(out)
    assert dangling == [], report(dangling)


@pytest.mark.site
def test_full_site_has_no_dangling_links(tmp_path: Path) -> None:
    missing = [p.name for p in (REPO / "mkdocs.yml", REPO / "builder" / "site" / "plugin.py", MKDOCS) if not p.exists()]
    if missing:
        pytest.skip(f"the site build is not ready ({', '.join(missing)} missing)")
    build_api_or_skip(tmp_path / "api")  # the site reads the same recipes: skip for the same reason
    site = tmp_path / "site"
    done = subprocess.run([str(MKDOCS), "build", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10 and (site / "index.html").is_file()
    dangling = check_links(site)
    assert dangling == [], report(dangling)
