"""API documents for tiny recipes: layout, links, promoted variants and the index."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from factory import recipe, write_recipes

from builder.api import build_api
from builder.check import load_catalog


def build(tmp_path: Path, recipes: dict) -> dict[str, object]:
    files = build_api(load_catalog(write_recipes(tmp_path / "recipes", recipes)))
    return {path: json.loads(data) for path, data in files.items()}


VARIANTS = {
    "default": {"model_id": "example/m-FP8", "precision": "fp8", "vram_minimum_gb": 700},
    "nvfp4": {"model_id": "vendor/m-NVFP4", "precision": "nvfp4", "vram_minimum_gb": 400, "extra_env": {"FP4": "1"}},
    "bf16": {"precision": "bf16", "vram_minimum_gb": 1400},
}


def test_recipe_document_layout_and_promoted_variant(tmp_path):
    api = build(tmp_path, {"ex/m": recipe(variants=VARIANTS,
                                          compatible_strategies=["single_node_tp", "multi_node_tp", "pd_cluster"])})
    doc = api["ex/m.json"]
    assert list(doc)[:3] == ["hf_id", "meta", "recommended_command"]
    assert "compatible_strategies" not in doc and doc["model"]["install"]["docker"] == {"command": "docker pull vllm/vllm-openai:latest"}
    rec = doc["recommended_command"]
    assert (rec["hardware"], rec["strategy"], rec["node_count"]) == ("h200", "single_node_tp", 1)
    assert list(rec["by_hardware"]) == ["h200", "h100", "b200", "gb200", "mi300x"]
    # Alternatives of the default hardware live under {base}/strategies/, others under hw/<hw>/strategies/.
    assert rec["alternatives"]["pd_cluster"] == "/ex/m/strategies/pd_cluster.json"
    assert api["ex/m/hw/b200.json"]["alternatives"]["multi_node_tp"] == "/ex/m/hw/b200/strategies/multi_node_tp.json"
    assert "ex/m/hw/h200/strategies/pd_cluster.json" not in api
    assert {k: v for k, v in rec.items() if k != "by_hardware"} == api["ex/m/hw/h200.json"]
    # The NVFP4 checkpoint is promoted to its own document, Blackwell only, with its own env.
    assert doc["variants"]["nvfp4"]["json"] == "/vendor/m-NVFP4.json" and "json" not in doc["variants"]["bf16"]
    promoted = api["vendor/m-NVFP4.json"]
    assert promoted["meta"]["derived_from"] == "ex/m" and promoted["meta"]["variant"] == "nvfp4"
    assert list(promoted["recommended_command"]["by_hardware"]) == ["b200", "gb200"]
    assert promoted["recommended_command"]["env"] == {"FP4": "1"}
    assert list(promoted["variants"]) == ["default"] and "model_id" not in promoted["variants"]["default"]
    assert api["models.json"][-1] == {"hf_id": "vendor/m-NVFP4", "title": "Tiny", "provider": "Example",
                                      "url": "/ex/m", "json": "/vendor/m-NVFP4.json", "derived_from": "ex/m"}


def test_unsupported_and_undeclared_restricted_hardware_are_not_listed(tmp_path):
    meta = {**recipe()["meta"], "hardware": {"mi300x": "unsupported", "tpu": "verified"}}
    api = build(tmp_path, {"ex/m": recipe(meta=meta), "ex/other": recipe()})
    assert list(api["ex/m.json"]["recommended_command"]["by_hardware"]) == ["h200", "h100", "b200", "gb200", "tpu"]
    assert "tpu" not in api["ex/other.json"]["recommended_command"]["by_hardware"]
    assert api["ex/m/hw/tpu.json"]["docker_image"] == "vllm/vllm-tpu:latest"


def test_omni_recipes_get_a_document_but_no_commands(tmp_path):
    meta = {**recipe()["meta"], "tasks": ["omni"]}
    api = build(tmp_path, {"ex/omni": recipe(meta=meta, compatible_strategies=[], omni={"tasks": ["tts"]})})
    assert "recommended_command" not in api["ex/omni.json"] and api["ex/omni.json"]["omni"] == {"tasks": ["tts"]}
    assert not any(p.startswith("ex/omni/") for p in api)


def test_files_are_serialized_like_javascript(tmp_path):
    files = build_api(load_catalog(write_recipes(tmp_path / "recipes", {"ex/m": recipe()})))
    text = files["ex/m.json"].decode()
    assert not text.endswith("\n") and text.startswith('{\n  "hf_id": "ex/m",\n  "meta": {')


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_worker_processes_write_the_same_tree_as_one_process(tmp_path):
    from builder.api import write_api

    recipes = {f"ex/m{i}": recipe(variants=VARIANTS, model={"model_id": f"example/m{i}"},
                                  compatible_strategies=["single_node_tp", "multi_node_tp", "pd_cluster"]) for i in range(5)}
    for i in range(5):
        recipes[f"ex/m{i}"]["variants"]["nvfp4"]["model_id"] = f"vendor/m{i}-NVFP4"
    catalog = load_catalog(write_recipes(tmp_path / "recipes", recipes))
    assert write_api(catalog, tmp_path / "one", workers=1) == write_api(catalog, tmp_path / "two", workers=2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_recipes_whose_outputs_nest_are_built_in_order():
    from builder.api.parallel import independent

    class Entry:  # only what `output_bases` reads
        def __init__(self, hf_id, *model_ids):
            from builder.models import Variant
            self.hf_id = hf_id
            variants = {"default": Variant(precision="bf16", vram_minimum_gb=1)}
            variants.update({f"v{i}": Variant(model_id=m, precision="bf16", vram_minimum_gb=1) for i, m in enumerate(model_ids)})
            self.recipe = type("R", (), {"variants": variants})()

    class Cat:
        def __init__(self, *entries):
            self.recipes = entries

    assert independent(Cat(Entry("a/b", "c/d"), Entry("e/f")))
    assert not independent(Cat(Entry("a/b", "c/d"), Entry("e/f", "c/d")))  # same checkpoint id
    # A variant whose checkpoint is another recipe's id is never promoted, so it writes nothing there.
    assert independent(Cat(Entry("a/b", "c/d"), Entry("c/d")))
    assert not independent(Cat(Entry("a/b"), Entry("e/f", "a/b/c")))      # nested inside a/b/


def test_worker_count_keeps_an_explicit_request_without_sched_getaffinity(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: `a or b if c else d` once turned an explicit request into 1 on such systems.
    from builder.api import parallel

    monkeypatch.delattr(parallel.os, "sched_getaffinity", raising=False)
    assert parallel.worker_count(3) == 3
    assert parallel.worker_count(None) >= 1
