"""Golden tree: a small catalog in, the whole API tree and a recipe page out, compared file by file.

Needs nothing outside the repository. When a change is meant to alter the output, regenerate
the expected files and review the diff like code:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_tree.py
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from factory import STRATEGIES, recipe, write_recipes

from builder.api import build_api_tree
from builder.check import load_catalog
from builder.site import command_builder
from builder.site.pages import SiteOptions, build_site

GOLDEN = Path(__file__).parent / "golden" / "mini"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

MODELS = {
    "acme/Dense-8B": recipe(
        meta={"title": "Dense 8B", "provider": "Acme", "description": "A small dense model",
              "date_updated": "2026-03-04", "tasks": ["text"]},
        model={"model_id": "acme/Dense-8B", "base_args": ["--max-model-len", "32768"], "base_env": {}},
        variants={"default": {"precision": "bf16", "vram_minimum_gb": 16},
                  "fp8": {"model_id": "acme/Dense-8B-FP8", "precision": "fp8", "vram_minimum_gb": 9}},
        features={"tools": {"description": "Tool calling", "args": ["--enable-auto-tool-choice",
                                                                    "--tool-call-parser", "hermes"]}},
    ),
    "acme/Huge-MoE": recipe(
        meta={"title": "Huge MoE", "provider": "Acme", "description": "A mixture of experts too big for one node",
              "date_updated": "2026-05-06", "tasks": ["text"]},
        model={"model_id": "acme/Huge-MoE", "base_args": ["--trust-remote-code"], "base_env": {}},
        variants={"default": {"precision": "fp8", "vram_minimum_gb": 1500}},
        compatible_strategies=list(STRATEGIES),
        default_strategy="single_node_tep",
    ),
}


def produced(tmp_path: Path) -> dict[str, bytes]:
    catalog = load_catalog(write_recipes(tmp_path / "recipes", MODELS))
    api = build_api_tree(catalog)
    site = build_site(catalog, api, SiteOptions(repo_url="https://git.example.org/recipes"))
    files = {f"api/{path}": data for path, data in api.files.items()}
    page = site.pages["acme/Huge-MoE/index.md"]
    files["pages/acme/Huge-MoE/index.md"] = page.markdown.encode("utf-8")
    context = command_builder.page_context(catalog, catalog.recipes[1], api.documents)
    assert context is not None
    files["pages/acme/Huge-MoE/command.txt"] = (context["command"] + "\n").encode("utf-8")
    return files


def on_disk(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_whole_tree_matches_the_golden_files(tmp_path: Path) -> None:
    got = produced(tmp_path)
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in got.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    if not GOLDEN.is_dir():
        pytest.fail(f"{GOLDEN} is missing; create it with UPDATE_GOLDEN=1")
    want = on_disk(GOLDEN)
    assert sorted(got) == sorted(want), "the set of files differs"
    changed = [rel for rel in want if got[rel] != want[rel]]
    assert not changed, f"{len(changed)} files differ, first: {changed[:5]} (UPDATE_GOLDEN=1 to accept)"
