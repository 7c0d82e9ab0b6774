"""Our own catalog in recipes/: it builds cleanly, serves the seed document, and every command parses."""
from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SHARED

from builder.api import build_api
from builder.check import load_catalog
from builder.check.lint import PLACEHOLDER, VllmOptions, lint_args
from builder.synth import JUNE

GOLDEN = Path(__file__).parent / "golden"


@lru_cache(maxsize=1)
def catalog_api() -> tuple[Any, dict[str, bytes], tuple[str, ...]]:
    catalog = load_catalog(REPO / "recipes")
    warnings: list[str] = []
    files = build_api(catalog, warnings)
    return catalog, files, tuple(warnings)


@lru_cache(maxsize=1)
def june_api() -> dict[str, bytes]:
    return build_api(load_catalog(REPO / "recipes"), edition=JUNE)


def test_glm_5_2_document_is_the_seed_byte_for_byte():
    """The seed is a 2026-06 document; the default edition keeps its recommended command."""
    files = june_api()
    assert files["zai-org/GLM-5.2.json"] == (GOLDEN / "zai-org" / "GLM-5.2.json").read_bytes()
    newest = json.loads(catalog_api()[1]["zai-org/GLM-5.2.json"])["recommended_command"]
    june = json.loads(files["zai-org/GLM-5.2.json"])["recommended_command"]
    assert (newest["hardware"], newest["argv"], newest["env"]) == (june["hardware"], june["argv"], june["env"])
    seed = SHARED / "seeds" / "004_1abaa90d6db4b664.txt"
    if seed.is_file():  # the golden copy must stay the seed itself
        assert (GOLDEN / "zai-org" / "GLM-5.2.json").read_bytes() == seed.read_bytes()


def test_nvfp4_checkpoint_document_runs_on_b200():
    _, files, _ = catalog_api()
    doc = json.loads(files["nvidia/GLM-5.2-NVFP4.json"])
    rec = doc["recommended_command"]
    assert rec["hardware"] == "b200" and rec["argv"][:3] == ["vllm", "serve", "nvidia/GLM-5.2-NVFP4"]
    assert set(rec["by_hardware"]) <= {"b200", "gb200", "b300", "gb300", "dgx_station_gb300", "dgx_spark_gb10"}
    assert doc["meta"]["derived_from"] == "zai-org/GLM-5.2"


def test_catalog_is_broad_and_builds_without_warnings():
    catalog, _files, warnings = catalog_api()
    assert warnings == ()
    assert len(catalog.recipes) >= 21
    tasks = {t for e in catalog.recipes for t in e.recipe.meta.tasks}
    assert {"text", "multimodal", "omni", "embedding"} <= tasks
    assert any(e.recipe.model.nightly_required for e in catalog.recipes)
    assert any("unsupported" in e.recipe.meta.hardware.values() for e in catalog.recipes)
    assert any(s.prefill or s.decode for e in catalog.recipes for s in e.recipe.strategy_overrides.values() if s)
    restricted = {hw for hw, p in catalog.taxonomy.hardware_profiles.items() if p.restricted}
    assert any(restricted & set(e.recipe.meta.hardware) for e in catalog.recipes)


def _argvs(value: Any, where: str) -> Iterator[tuple[str, list[str]]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("argv") and not key.endswith("docker_argv") and isinstance(item, list):
                yield f"{where}.{key}", item
            else:
                yield from _argvs(item, f"{where}.{key}")


def test_every_vllm_serve_argv_is_well_formed():
    _, files, _ = catalog_api()
    options = VllmOptions.load()
    checked = 0
    problems = []
    for path, data in sorted(files.items()):
        for where, argv in _argvs(json.loads(data), path):
            checked += 1
            assert argv[:2] == ["vllm", "serve"] and "/" in argv[2], (where, argv[:3])
            assert all(isinstance(t, str) and t and "\n" not in t for t in argv), where
            # `$PREFILL_DP_RPC_PORT` and friends are placeholders the user fills in.
            problems += [f"{where}: {i.message}" for i in lint_args(argv[3:], options) if i.rule != PLACEHOLDER]
    assert checked > 500
    assert problems == []


@pytest.mark.parametrize("hf_id", ["zai-org/GLM-5.2", "Qwen/Qwen3-0.6B"])
def test_recipe_documents_keep_reference_key_order(hf_id):
    _, files, _ = catalog_api()
    doc = json.loads(files[f"{hf_id}.json"])
    assert list(doc)[:3] == ["hf_id", "meta", "recommended_command"]
