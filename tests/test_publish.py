"""Publishing is atomic: a build killed midway leaves the previous output exactly as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factory import STRATEGIES, recipe, write_recipes

from builder.write.publish import UnsafePath, check_relative

REPO = Path(__file__).resolve().parents[1]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def large_folder(root: Path, count: int = 40) -> Path:
    """Recipes with every strategy and a promoted variant: thousands of files, a build of seconds."""
    recipes = {
        f"org{i % 5}/model-{i:03d}": recipe(
            model={"model_id": f"org{i % 5}/model-{i:03d}"},
            compatible_strategies=list(STRATEGIES),
            variants={"default": {"precision": "bf16", "vram_minimum_gb": 900},
                      "fp8": {"model_id": f"org{i % 5}/model-{i:03d}-FP8", "precision": "fp8",
                              "vram_minimum_gb": 450}})
        for i in range(count)}
    return write_recipes(root, recipes)


def api_command(recipes: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "builder", "api", "--recipes", str(recipes), "--out", str(out)]


def staging_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.tmp-*"))


def has_files(folder: Path) -> bool:
    return any(files for _, _, files in os.walk(folder))


def test_killed_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "public" / "api"
    small = write_recipes(tmp_path / "small", {"example/tiny": recipe()})
    first = subprocess.run(api_command(small, out), capture_output=True, text=True, cwd=REPO)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    assert "example/tiny.json" in before

    big = large_folder(tmp_path / "big")
    proc = subprocess.Popen(api_command(big, out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Kill only once the build is writing into its staging folder beside OUT.
    deadline = time.monotonic() + 60
    killed = False
    while time.monotonic() < deadline and proc.poll() is None:
        leftovers = staging_dirs(out)
        if leftovers and has_files(leftovers[0]):
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.002)
    proc.wait(timeout=30)
    assert killed, f"the build ended (exit {proc.returncode}) before it could be killed while writing"
    assert proc.returncode == -signal.SIGKILL

    assert snapshot(out) == before, "the previous output changed although the build was killed"
    assert staging_dirs(out), "expected the killed build's staging folder to be left behind"

    again = subprocess.run(api_command(big, out), capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 0, again.stderr
    assert staging_dirs(out) == [], "the next build did not clean up the leftover staging folder"
    after = snapshot(out)
    assert "org0/model-000.json" in after and "example/tiny.json" not in after
    assert len(after) > 1000


def test_failed_build_leaves_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "api"
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe(compatible_strategies=["nope"])})
    done = subprocess.run(api_command(folder, out), capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 1
    assert not out.exists() and staging_dirs(out) == []


@pytest.mark.parametrize("rel", [
    "models.json", "org/name.json", "org/name/hw/h200.json", "org/name.v2/strategies/single_node_tp.json",
    "a b/c.json", "..json", "x/...json",
])
def test_check_relative_accepts_paths_inside_the_output(rel: str) -> None:
    assert check_relative(rel).as_posix() == rel


@pytest.mark.parametrize("rel", [
    "", "/etc/passwd", "../x.json", "org/../../x.json", "org/..", "./x.json", "org/./x.json", "org//x.json",
    "org/x/", "org\\..\\x.json", "org/x\x00.json", "..", ".",
])
def test_check_relative_rejects_paths_that_escape_or_are_ambiguous(rel: str) -> None:
    with pytest.raises(UnsafePath, match="refusing to write outside the output folder"):
        check_relative(rel)
