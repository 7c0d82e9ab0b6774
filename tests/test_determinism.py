"""The same input always gives the same bytes: no dependence on hash seeds, file times or place."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from factory import STRATEGIES, recipe, write_recipes

REPO = Path(__file__).resolve().parents[1]


def tree(folder: Path) -> dict[str, bytes]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert files, f"{folder} is empty"
    return files


def build(recipes: Path, out: Path, hash_seed: str = "0") -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(recipes), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return tree(out)


def varied_folder(root: Path) -> Path:
    """Recipes that exercise sets and mappings: features, opt-ins, overrides, env, promotions."""
    features = {
        "tool_calling": {"args": ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"]},
        "reasoning": {"args": ["--reasoning-parser", "deepseek_r1"],
                      "hardware_overrides": {"blackwell": {"args": ["--reasoning-parser", "qwen3"]}}},
        "spec_decoding": {"args": ["--speculative-config", '{"method": "mtp", "num_speculative_tokens": 1}']},
    }
    recipes = {}
    for i, org in enumerate(["zeta", "Alpha", "beta", "gamma"]):
        recipes[f"{org}/model-{i}"] = recipe(
            meta={"title": f"Model {i} · ünïcode", "provider": org, "description": "d", "date_updated": "2026-03-04",
                  "tasks": ["text"], "hardware": {"mi300x": "verified", "station": None}},
            model={"model_id": f"{org}/model-{i}", "base_args": ["--trust-remote-code"],
                   "base_env": {"Z_VAR": "1", "A_VAR": "2", "M_VAR": 3}},
            features=features, opt_in_features=["spec_decoding"], hardware_opt_in_features={"gb200": ["reasoning"]},
            variants={"default": {"precision": "bf16", "vram_minimum_gb": 700 + 100 * i},
                      "fp8": {"model_id": f"{org}/model-{i}-FP8", "precision": "fp8", "vram_minimum_gb": 400,
                              "extra_env": {"B_VAR": "x"}},
                      "nvfp4": {"model_id": f"{org}/model-{i}-NVFP4", "precision": "nvfp4", "vram_minimum_gb": 200}},
            compatible_strategies=list(STRATEGIES),
            hardware_overrides={"hopper": {"extra_env": {"Q": "1", "P": "2"}}, "amd": {"extra_args": ["--block-size", "64"]}},
            strategy_overrides={"pd_cluster": {"env": {"UCX_TLS": "all"}}},
        )
    return write_recipes(root, recipes)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    folder = varied_folder(tmp_path / "recipes")
    first = build(folder, tmp_path / "one")
    assert len(first) > 100
    assert build(folder, tmp_path / "two") == first


def test_input_file_times_and_location_do_not_matter(tmp_path: Path) -> None:
    folder = varied_folder(tmp_path / "recipes")
    first = build(folder, tmp_path / "one")
    moved = tmp_path / "elsewhere" / "other-name"
    shutil.copytree(folder, moved)
    for i, path in enumerate(sorted(moved.rglob("*"), reverse=True)):
        os.utime(path, (1_000_000 + i * 7919, 2_000_000_000 - i * 104729))  # scrambled, far apart
    assert build(moved, tmp_path / "two") == first


@pytest.mark.parametrize("seeds", [("1", "2"), ("0", "random")])
def test_hash_seed_does_not_matter(tmp_path: Path, seeds: tuple[str, str]) -> None:
    folder = varied_folder(tmp_path / "recipes")
    assert build(folder, tmp_path / "one", seeds[0]) == build(folder, tmp_path / "two", seeds[1])


@pytest.mark.reference
def test_reference_build_is_deterministic(shared_reference_2026_08: Path, tmp_path: Path) -> None:
    """The full (2026-08) reference catalog, with a different hash seed and touched input times."""
    folder = tmp_path / "recipes"
    shutil.copytree(shared_reference_2026_08 / "recipes", folder)
    first = build(folder, tmp_path / "one", "11")
    for path in folder.rglob("*"):
        os.utime(path, (123_456_789, 123_456_789))
    assert build(folder, tmp_path / "two", "12345") == first
