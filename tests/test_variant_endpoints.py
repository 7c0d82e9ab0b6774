"""`/<org>/<repo>/variants.json` and `/variants/<v>/hw/<hw>.json`: every variant on every hardware."""
from __future__ import annotations

import json
from pathlib import Path

from factory import HW, recipe, write_recipes

from builder.api import build_api
from builder.api.build import build_documents
from builder.api.variants import is_variant_endpoint, variant_endpoints
from builder.check import load_catalog
from builder.jsonout import dumps
from builder.models import ModelInfo, Recipe

VARIANTS = {
    "default": {"model_id": "ex/m-FP8", "precision": "fp8", "vram_minimum_gb": 700},
    "nvfp4": {"model_id": "vendor/m-NVFP4", "precision": "nvfp4", "vram_minimum_gb": 400, "extra_env": {"FP4": "1"}},
    "bf16": {"precision": "bf16", "vram_minimum_gb": 1400, "description": "Full precision"},
}
STRATEGIES = ["single_node_tp", "multi_node_tp", "pd_cluster"]


def build(tmp_path: Path, recipes: dict, warnings: list[str] | None = None) -> dict[str, bytes]:
    return build_api(load_catalog(write_recipes(tmp_path / "recipes", recipes)), warnings)


def parsed(files: dict[str, bytes]) -> dict[str, object]:
    return {path: json.loads(data) for path, data in files.items()}


def test_index_lists_each_variant_with_links_and_reasons(tmp_path):
    api = parsed(build(tmp_path, {"ex/m": recipe(variants=VARIANTS, compatible_strategies=STRATEGIES)}))
    index = api["ex/m/variants.json"]
    assert index["hf_id"] == "ex/m" and list(index["variants"]) == ["default", "nvfp4", "bf16"]
    nvfp4 = index["variants"]["nvfp4"]
    assert {k: nvfp4[k] for k in ("precision", "vram_minimum_gb", "model_id", "description", "default_hardware")} == \
        {"precision": "nvfp4", "vram_minimum_gb": 400, "model_id": "vendor/m-NVFP4", "description": "", "default_hardware": "b200"}
    assert nvfp4["hardware"] == {"b200": "/ex/m/variants/nvfp4/hw/b200.json", "gb200": "/ex/m/variants/nvfp4/hw/gb200.json"}
    assert nvfp4["unavailable"]["h200"] == "NVFP4 checkpoints need NVIDIA Blackwell GPUs"
    assert nvfp4["unavailable"]["tpu"] == "restricted profile that this recipe does not list under meta.hardware"
    # The non-default variant without a checkpoint of its own serves the recipe's model.
    assert index["variants"]["bf16"]["model_id"] == "example/tiny"
    for variant in index["variants"].values():
        assert set(variant["hardware"]) | set(variant["unavailable"]) == set(HW)
        assert not set(variant["hardware"]) & set(variant["unavailable"])


def test_every_link_resolves_to_a_document(tmp_path):
    files = build(tmp_path, {"ex/m": recipe(variants=VARIANTS, compatible_strategies=STRATEGIES)})
    api = parsed(files)
    links = [link for v in api["ex/m/variants.json"]["variants"].values() for link in v["hardware"].values()]
    assert len(links) == 5 + 2 + 5
    for link in links:
        doc = api[link[1:]]
        assert all(alt[1:] in api for alt in doc.get("alternatives", {}).values())
        assert all(alt.startswith(link[:-5] + "/strategies/") for alt in doc.get("alternatives", {}).values())


def test_a_variant_document_has_the_reference_shape(tmp_path):
    api = parsed(build(tmp_path, {"ex/m": recipe(variants=VARIANTS, compatible_strategies=STRATEGIES)}))
    ours, theirs = api["ex/m/variants/default/hw/b200.json"], api["ex/m/hw/b200.json"]
    assert list(ours) == list(theirs)
    assert {k: v for k, v in ours.items() if k != "alternatives"} == {k: v for k, v in theirs.items() if k != "alternatives"}
    assert list(ours["alternatives"]) == list(theirs["alternatives"])
    # Promoted variants are rendered the same under both roots.
    assert api["ex/m/variants/nvfp4/hw/gb200.json"]["command"] == api["vendor/m-NVFP4/hw/gb200.json"]["command"]


def test_variants_the_reference_api_skips_get_documents(tmp_path):
    api = parsed(build(tmp_path, {"ex/m": recipe(variants=VARIANTS, compatible_strategies=STRATEGIES)}))
    doc = api["ex/m/variants/bf16/hw/h200.json"]
    assert (doc["variant"], doc["strategy"], doc["node_count"]) == ("bf16", "multi_node_tp", 2)
    assert doc["head_command"].startswith("vllm serve example/tiny")
    assert doc["alternatives"] == {"single_node_tp": "/ex/m/variants/bf16/hw/h200/strategies/single_node_tp.json",
                                   "pd_cluster": "/ex/m/variants/bf16/hw/h200/strategies/pd_cluster.json"}
    assert api["ex/m/variants/bf16/hw/b200.json"]["node_count"] == 1  # 1400 GB fits a 1440 GB node


def test_reference_documents_are_untouched(tmp_path):
    catalog = load_catalog(write_recipes(tmp_path / "recipes", {"ex/m": recipe(variants=VARIANTS,
                                                                              compatible_strategies=STRATEGIES)}))
    reference = {path: dumps(value).encode("utf-8") for path, value in build_documents(catalog).items()}
    files = build_api(catalog)
    assert {p: d for p, d in files.items() if not is_variant_endpoint(p)} == reference
    assert set(files) - set(reference) == {p for p in files if is_variant_endpoint(p)}


def test_taken_files_and_folders_become_reasons(tmp_path):
    # Cannot happen with valid model ids (always org/name); the guard keeps it true if that changes.
    catalog = load_catalog(write_recipes(tmp_path / "recipes", {"ex/m": recipe(variants=VARIANTS)}))
    taken = ["ex/m/variants/bf16/hw/h200.json", "ex/m/variants/nvfp4/hw/b200.json/x"]
    files = variant_endpoints(catalog, taken)
    index = json.loads(files["ex/m/variants.json"])["variants"]
    assert index["bf16"]["unavailable"]["h200"] == "/ex/m/variants/bf16/hw/h200.json is already an API document"
    assert index["nvfp4"]["unavailable"]["b200"] == "/ex/m/variants/nvfp4/hw/b200.json is already an API document"
    assert not set(taken) & set(files) and "ex/m/variants/bf16/hw/h100.json" in files


def test_non_clusterable_hardware_reports_why_instead_of_serving_another_variant(tmp_path):
    meta = {**recipe()["meta"], "hardware": {"station": "verified"}}
    variants = {"default": {"precision": "bf16", "vram_minimum_gb": 300}, "fp8": {"precision": "fp8", "vram_minimum_gb": 150}}
    api = parsed(build(tmp_path, {"ex/m": recipe(meta=meta, variants=variants)}))
    index = api["ex/m/variants.json"]["variants"]
    assert index["default"]["unavailable"]["station"] == ("the weights (300 GB) do not fit one Station (252 GB), which "
                                                          "cannot be clustered; variant fp8 is served there instead")
    assert "ex/m/variants/default/hw/station.json" not in api
    assert api["ex/m/variants/fp8/hw/station.json"]["variant"] == "fp8"


def test_omni_recipes_and_unusable_keys_get_no_endpoints(tmp_path):
    omni = recipe(meta={**recipe()["meta"], "tasks": ["omni"]}, compatible_strategies=[])
    odd = recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 16},
                           "../up": {"precision": "fp8", "vram_minimum_gb": 8}})
    warnings: list[str] = []
    api = build(tmp_path, {"ex/omni": omni, "ex/odd": odd}, warnings)
    assert not any(p.startswith("ex/omni/") for p in api)
    assert list(json.loads(api["ex/odd/variants.json"])["variants"]) == ["default"]
    assert not any(".." in p for p in api)
    assert any("variants.../up: the key cannot be part of a URL" in w for w in warnings)


def test_every_reference_recipe_has_resolvable_variant_endpoints(shared_reference_2026_08: Path):
    catalog = load_catalog(shared_reference_2026_08 / "recipes")
    files = build_api(catalog)
    api_paths = set(files)
    for entry in catalog.recipes:
        index_path = f"{entry.hf_id}/variants.json"
        if entry.recipe.is_omni:
            assert index_path not in api_paths
            continue
        index = json.loads(files[index_path])
        assert list(index["variants"]) == list(entry.recipe.variants)
        for variant in index["variants"].values():
            assert all(link[1:] in api_paths for link in variant["hardware"].values())


API_PAGE = Path(__file__).resolve().parents[1] / "site_src" / "docs" / "docs" / "api.md"
# Members whose own keys are data (ids, names, echoed YAML), not API fields.
DATA_MAPS = {"env", "strategy_spec", "hardware_profile", "alternatives", "by_hardware", "hardware", "unavailable",
             "variants", "router_config", "meta", "features", "hardware_overrides", "hardware_opt_in_features", "extras"}


def _fields(value: object, into: set[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            into.add(key)
            if key not in DATA_MAPS:
                _fields(inner, into)
    elif isinstance(value, list):
        for inner in value:
            _fields(inner, into)


def test_api_page_documents_every_generated_field(tmp_path):
    strategies = STRATEGIES + ["multi_node_dep"]
    api = parsed(build(tmp_path, {"ex/m": recipe(variants=VARIANTS, compatible_strategies=strategies,
                                                 dependencies=[{"command": "pip install x"}])}))
    fields: set[str] = set()
    for path, doc in api.items():
        if path in ("taxonomy.json", "strategies.json") or path.startswith("strategies/"):
            continue
        _fields(doc, fields)
    page = API_PAGE.read_text(encoding="utf-8")
    # Echoed YAML keys are documented on the authoring page.
    recipe_keys = set(Recipe.model_fields) | set(ModelInfo.model_fields)
    assert sorted(f for f in fields - recipe_keys if f"`{f}`" not in page) == []
    for template in ("/{org}/{repo}/variants.json", "/{org}/{repo}/variants/{variant}/hw/{hw}.json", "/models.json",
                     "/{org}/{repo}/hw/{hw}/strategies/{strategy}.json", "/schema/recipe.json", "/llms.txt"):
        assert f"`{template}`" in page
