"""`recipes build` is atomic: killed at any moment, the previous site stays byte for byte.

MkDocs empties its site folder before writing, so the build runs in a staging folder beside the
target and is swapped in only when MkDocs has finished.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factory import recipe, write_recipes

REPO = Path(__file__).resolve().parents[1]
KILLS = 8

pytestmark = pytest.mark.site


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def build_command(recipes: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "builder", "build", "--recipes", str(recipes), "--out", str(out),
            "--config-file", str(REPO / "mkdocs.yml")]


def run_build(recipes: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # sitemap dates: identical builds
    return subprocess.run(build_command(recipes, out), capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300)


@pytest.fixture(scope="module")
def recipes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = {f"acme/model-{i}": recipe(model={"model_id": f"acme/model-{i}"}) for i in range(3)}
    return write_recipes(tmp_path_factory.mktemp("recipes"), models)


def test_a_build_killed_at_random_moments_leaves_the_previous_site(recipes: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = run_build(recipes, out)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    assert "acme/model-0/index.html" in before and "models.json" in before

    # A changed recipe, so an unnoticed partial swap would show as changed files.
    changed = recipe(model={"model_id": "acme/model-0"}, meta={
        "title": "Changed", "provider": "Example", "description": "Another description",
        "date_updated": "2026-02-03", "tasks": ["text"]})
    write_recipes(recipes, {"acme/model-0": changed})
    started = time.monotonic()
    probe = run_build(recipes, tmp_path / "probe")  # how long a whole build takes here
    assert probe.returncode == 0, probe.stderr
    duration = time.monotonic() - started
    after = snapshot(tmp_path / "probe")
    assert after != before

    rng = random.Random(20261127)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    killed = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(build_command(recipes, out), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, cwd=REPO, start_new_session=True)
        time.sleep(rng.uniform(0.05, duration * 0.8))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        now = snapshot(out)
        if now == after:
            break  # it swapped the new site in before the kill: whole, as it must be
        assert now == before, "a killed build left a site that is neither the previous nor the new one"
        killed += 1
    assert killed >= 2, "builds must be killed midway for this test to mean anything"

    again = run_build(recipes, out)
    assert again.returncode == 0, again.stderr
    assert "Another description" in (out / "acme/model-0/index.html").read_text(encoding="utf-8")
    assert not sorted(tmp_path.glob(".site.tmp-*")), "the next build sweeps what killed builds left"


def test_a_failed_build_leaves_the_previous_site(recipes: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_build(recipes, out).returncode == 0
    before = snapshot(out)
    (recipes / "models" / "acme" / "model-1.yaml").write_text("meta: [broken\n", encoding="utf-8")
    try:
        failed = run_build(recipes, out)
    finally:
        write_recipes(recipes, {"acme/model-1": recipe(model={"model_id": "acme/model-1"})})
    assert failed.returncode == 1
    assert "model-1.yaml:" in failed.stderr and "Traceback" not in failed.stderr
    assert snapshot(out) == before
