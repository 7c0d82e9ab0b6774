"""The rules of the 2026-08 edition (spec json-api-2026-08.md), each pinned on a tiny hand-made recipe.

Section numbers are those of the delta spec. Every test shows its whole input through the factory.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from factory import HW, IFACE, MOONCAKE, STRATEGIES, TP_DP, recipe, write_recipes

from builder.api import build_api
from builder.check import load_catalog
from builder.errors import RecipeError
from builder.synth import AUGUST, JUNE, NEWEST, Selection, deploy, edition_named, recommend
from builder.synth.layout import plan_hardware

CPU = {"brand": "Intel", "generation": "cpu", "display_name": "Xeon", "gpu_count": 4, "vram_gb": 1024}
XPU = {"brand": "Intel", "generation": "xpu", "display_name": "Arc", "gpu_count": 4, "vram_gb": 96, "restricted": True}
MORE_HW = {**HW, "xeon": CPU, "arc": XPU}


def catalog_of(tmp_path: Path, recipes: dict, hardware: dict | None = None, strategies: dict | None = None,
               kv: bool = False):
    ids = dict(recipes.items())
    root = write_recipes(tmp_path / "recipes", ids, hardware, strategies,
                         kv_stores={"kv_mooncake": MOONCAKE} if kv else None)
    return load_catalog(root)


def api_of(catalog, edition=NEWEST) -> dict[str, object]:
    return {path: json.loads(data) for path, data in build_api(catalog, edition=edition).items()}


def argv(cat, hf_id: str, sel: Selection, edition=NEWEST) -> list[str]:
    return list(deploy(cat, cat.entry(hf_id).recipe, sel, edition).launches[0].argv[3:])


# -- editions ----------------------------------------------------------------------------------

def test_editions_are_one_table_of_switches():
    assert NEWEST is AUGUST and edition_named(None) is AUGUST and edition_named("2026-06") is JUNE
    assert all(AUGUST.switches().values()) and not any(JUNE.switches().values())
    with pytest.raises(ValueError, match="unknown API version"):
        edition_named("2025-01")


# -- §1.2, §4.3a kv-store documents -------------------------------------------------------------

def test_kv_store_documents_are_echoed_and_kept_out_of_strategies(tmp_path):
    api = api_of(catalog_of(tmp_path, {"ex/m": recipe()}, kv=True))
    assert api["kv_store/kv_mooncake.json"]["default_instances"] == 2
    assert list(api["kv_store.json"]) == ["kv_mooncake"]
    assert "kv_mooncake" not in api["strategies.json"]


def test_the_2026_08_edition_needs_a_kv_store_folder_but_june_does_not(tmp_path):
    root = write_recipes(tmp_path / "recipes", {"ex/m": recipe()})
    (root / "kv_store").rmdir()
    cat = load_catalog(root)
    assert "kv_store.json" not in api_of(cat, JUNE)
    with pytest.raises(RecipeError, match="kv_store/"):
        build_api(cat)


# -- §4.7.3, §5.5.3, §6.15 kv renderings --------------------------------------------------------

def test_kv_rendering_wraps_the_serving_strategy_with_nulls_for_single_node_instances(tmp_path):
    api = api_of(catalog_of(tmp_path, {"ex/m": recipe()}, kv=True))
    assert api["ex/m/hw/h200.json"]["alternatives"] == {"kv_mooncake": "/ex/m/strategies/kv_mooncake.json"}
    kv = api["ex/m/strategies/kv_mooncake.json"]
    assert list(kv)[:10] == ["hardware", "strategy", "variant", "node_count", "deploy_type", "env", "docker_image",
                             "serving_strategy", "kv_min_vllm_version", "instances"]
    assert (kv["strategy"], kv["serving_strategy"], kv["node_count"], kv["instances"]) == \
        ("kv_mooncake", "single_node_tp", 1, 2)
    assert kv["vllm_argv"][-2] == "--kv-transfer-config" and kv["vllm_worker_commands"] is None
    assert kv["env"] == {"MOONCAKE_CONFIG_PATH": "$MOONCAKE_CONFIG_PATH"}
    assert "-v $MOONCAKE_CONFIG_PATH:$MOONCAKE_CONFIG_PATH:ro \\" in kv["vllm_docker_command"]
    assert kv["vllm_install"] == "pip install mooncake" and kv["store"] is None
    assert kv["router"]["command"].splitlines()[1:3] == ["    --backend-url http://$VLLM_INSTANCE_1:8000 \\",
                                                         "    --backend-url http://$VLLM_INSTANCE_2:8000 \\"]
    assert api["ex/m/hw/mi300x/strategies/kv_mooncake.json"]["vllm_install"] == "pip install mooncake-non-cuda"


def test_kv_instances_spanning_nodes_meet_at_the_first_instance(tmp_path):
    big = recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 1000}},
                 compatible_strategies=["single_node_tp", "multi_node_tp"])
    kv = api_of(catalog_of(tmp_path, {"ex/m": big}, kv=True))["ex/m/hw/h100/strategies/kv_mooncake.json"]
    assert (kv["serving_strategy"], kv["node_count"]) == ("multi_node_tp", 2)
    assert "--master-addr" in kv["vllm_argv"] and "$VLLM_INSTANCE_1" in kv["vllm_argv"]
    assert kv["vllm_worker_argv"] == kv["vllm_worker_argvs"][0] and "--headless" in kv["vllm_worker_argv"]


def test_no_kv_alternatives_on_tpu_or_hardware_that_cannot_cluster(tmp_path):
    cat = catalog_of(tmp_path, {"ex/m": recipe(meta={**recipe()["meta"], "hardware": {"station": "verified"}})}, kv=True)
    assert [s.kv_store for s in plan_hardware(cat, cat.entry("ex/m").recipe, "default", "station", NEWEST).alternatives] == []


# -- §4.7.1, §5.7.4, §6.3 per-rank workers and floors -------------------------------------------

def test_gpu_floor_raises_node_count_and_every_follower_rank_gets_a_command(tmp_path):
    r = recipe(compatible_strategies=["single_node_tp", "multi_node_tp"], strategy_min_gpus={"h100": 32})
    api = api_of(catalog_of(tmp_path, {"ex/m": r}))
    h100 = api["ex/m/hw/h100.json"]
    # single_node_tp cannot reach 32 GPUs on one 8-GPU node, so multi_node_tp runs on 4 nodes.
    assert (h100["strategy"], h100["node_count"], list(h100.get("alternatives", {}))) == ("multi_node_tp", 4, [])
    ranks = [a[a.index("--node-rank") + 1] for a in h100["worker_argvs"]]
    assert ranks == ["1", "2", "3"] and h100["worker_argv"] == h100["worker_argvs"][0]
    assert api["ex/m/hw/h200.json"]["strategy"] == "single_node_tp"


def test_tp_dp_keeps_tensor_parallel_in_a_node_and_one_replica_per_node(tmp_path):
    cat = catalog_of(tmp_path, {"ex/m": recipe(compatible_strategies=["multi_node_tp_dp"])},
                     strategies={**STRATEGIES, "multi_node_tp_dp": TP_DP})
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "gb200", "multi_node_tp_dp", 3))
    assert list(dep.launches[2].argv[3:]) == [
        "--tensor-parallel-size", "4", "--data-parallel-size", "3", "--data-parallel-size-local", "1",
        "--data-parallel-address", "$HEAD_IP", "--data-parallel-start-rank", "2"]
    assert dep.env == IFACE


def test_multi_node_default_strategy_on_a_small_model_runs_on_two_nodes(tmp_path):
    cat = catalog_of(tmp_path, {"ex/m": recipe(compatible_strategies=["single_node_tp", "multi_node_tp"],
                                               default_strategy="multi_node_tp")})
    sel = recommend(cat, cat.entry("ex/m"), "default", "h200")
    assert (sel.strategy, sel.nodes) == ("multi_node_tp", 2)


# -- §5.7.2, §5.7.3 per-hardware strategy switches and the fallback ------------------------------

def test_strategy_hardware_grants_and_removes_strategies_per_hardware(tmp_path):
    r = recipe(compatible_strategies=["single_node_tp", "multi_node_tp"],
               strategy_hardware={"multi_node_tp": {"hopper": "unsupported"}, "single_node_tep": {"b200": "supported"}})
    cat = catalog_of(tmp_path, {"ex/m": r})
    def names(hw):
        return [s.strategy for s in plan_hardware(cat, cat.entry("ex/m").recipe, "default", hw, NEWEST).alternatives]
    assert names("h200") == [] and names("b200") == ["multi_node_tp", "single_node_tep"]
    assert names("mi300x") == ["multi_node_tp"]


def test_recommendation_falls_back_when_the_pick_is_switched_off(tmp_path):
    big = recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 700}},
                 compatible_strategies=["single_node_tp", "multi_node_tp", "multi_node_tp_dp"],
                 strategy_hardware={"multi_node_tp": {"h100": "unsupported"}})
    cat = catalog_of(tmp_path, {"ex/m": big}, strategies={**STRATEGIES, "multi_node_tp_dp": TP_DP})
    sel = recommend(cat, cat.entry("ex/m"), "default", "h100")
    # Too big for one h100 node and multi_node_tp is off there: the first serving strategy that is
    # kept runs, still counted as the 2 nodes the weights need (§5.4 steps 6-7).
    assert (sel.strategy, sel.nodes) == ("single_node_tp", 2)
    assert recommend(cat, cat.entry("ex/m"), "default", "h200").strategy == "single_node_tp"


# -- §5.2, §5.3 precision rules and default hardware ---------------------------------------------

def test_precision_hardware_replaces_the_fp4_rule_and_meta_default_hardware_wins(tmp_path):
    r = recipe(meta={**recipe()["meta"], "default_hardware": "b200"},
               variants={"default": {"precision": "nvfp4", "vram_minimum_gb": 16, "precision_hardware": {"brand": "NVIDIA"}}})
    api = api_of(catalog_of(tmp_path, {"ex/m": r}))
    assert list(api["ex/m.json"]["recommended_command"]["by_hardware"]) == ["b200", "h100", "h200", "gb200"]
    june = api_of(catalog_of(tmp_path / "j", {"ex/m": r}), JUNE)
    assert list(june["ex/m.json"]["recommended_command"]["by_hardware"]) == ["b200", "gb200"]


# -- §5.6 promoted default variant ---------------------------------------------------------------

def test_default_variant_with_its_own_checkpoint_is_promoted(tmp_path):
    r = recipe(variants={"default": {"model_id": "vendor/m-FP8", "precision": "fp8", "vram_minimum_gb": 16}})
    api = api_of(catalog_of(tmp_path, {"ex/m": r}))
    assert api["ex/m.json"]["variants"]["default"]["json"] == "/vendor/m-FP8.json"
    promoted = api["vendor/m-FP8.json"]
    assert promoted["meta"]["variant"] == "default" and promoted["meta"]["derived_from"] == "ex/m"
    assert [e["hf_id"] for e in api["models.json"]] == ["ex/m", "vendor/m-FP8"]
    assert "vendor/m-FP8.json" not in api_of(catalog_of(tmp_path / "j", {"ex/m": r}), JUNE)


# -- §6.2, §6.6 default variant arguments and override layers ------------------------------------

def test_variant_generation_block_adds_to_the_recipe_block_and_strategy_exact_hardware_comes_last(tmp_path):
    r = recipe(hardware_overrides={"blackwell": {"extra_args": ["--recipe-bw"]}},
               variants={"default": {"precision": "bf16", "vram_minimum_gb": 16, "extra_args": ["--own"],
                                     "hardware_overrides": {"blackwell": {"extra_args": ["--variant-bw"]}}}},
               strategy_overrides={"single_node_tp": {"hardware_overrides": {"b200": {"extra_args": ["--b200-only"],
                                                                                       "extra_env": {"B": "1"}}}}})
    cat = catalog_of(tmp_path, {"ex/m": r})
    sel = Selection("default", "b200", "single_node_tp")
    assert argv(cat, "ex/m", sel) == ["--own", "--tensor-parallel-size", "1", "--recipe-bw", "--variant-bw", "--b200-only"]
    assert argv(cat, "ex/m", sel, JUNE) == ["--tensor-parallel-size", "1", "--recipe-bw"]
    assert argv(cat, "ex/m", Selection("default", "gb200", "single_node_tp")) == ["--own", "--tensor-parallel-size",
                                                                                  "1", "--recipe-bw", "--variant-bw"]


# -- §6.4 tp maps and CPUs -----------------------------------------------------------------------

def test_tp_maps_are_looked_up_per_hardware_and_cpus_are_not_capped(tmp_path):
    r = recipe(meta={**recipe()["meta"], "hardware": {"arc": "verified"}},
               strategy_overrides={"single_node_tp": {"tp": {"xeon": 8, "amd": 2}}})
    cat = catalog_of(tmp_path, {"ex/m": r}, MORE_HW)
    def tp(hw):
        return argv(cat, "ex/m", Selection("default", hw, "single_node_tp"))[1]
    assert (tp("xeon"), tp("mi300x"), tp("h200")) == ("8", "2", "1")


# -- §6.13 docker ---------------------------------------------------------------------------------

def test_xpu_gets_its_own_image_and_device_flags(tmp_path):
    r = recipe(meta={**recipe()["meta"], "hardware": {"arc": "verified"}}, model={"model_id": "example/tiny",
                                                                                 "nightly_required": True})
    cat = catalog_of(tmp_path, {"ex/m": r}, MORE_HW)
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "arc", "single_node_tp"))
    assert dep.docker_image == "vllm/vllm-openai-xpu:latest"
    assert dep.launches[0].docker_argv[2:8] == ("--device", "/dev/dri", "-v", "/dev/dri/by-path:/dev/dri/by-path",
                                                "--shm-size", "16g")


def test_a_cuda_map_gives_the_cuda_13_image(tmp_path):
    r = recipe(model={"model_id": "example/tiny", "docker_image": {"nvidia": {"cu129": "img:cu129", "cu130": "img:cu130"}}})
    cat = catalog_of(tmp_path, {"ex/m": r})
    sel = Selection("default", "h200", "single_node_tp")
    assert deploy(cat, cat.entry("ex/m").recipe, sel).docker_image == "img:cu130"
    assert deploy(cat, cat.entry("ex/m").recipe, sel, JUNE).docker_image == "vllm/vllm-openai:latest"


# -- §6.7 feature modes ---------------------------------------------------------------------------

SPEC = {"spec": {"default_mode": "mtp", "modes": {
    "mtp": {"args": ["--speculative-config", '{"method":"mtp"}'],
            "hardware_overrides": {"hopper": {"args": ["--speculative-config", '{"method":"mtp","n":1}']}}},
    "eagle": {"args": ["--speculative-config", '{"method":"eagle"}'], "variants": ["fp8"]}}}}


def test_modes_pick_one_method_and_default_modes_force_an_opt_in_feature_on(tmp_path):
    variants = {"default": {"precision": "bf16", "vram_minimum_gb": 16},
                "fp8": {"precision": "fp8", "vram_minimum_gb": 8, "default_modes": {"spec": "eagle"}}}
    cat = catalog_of(tmp_path, {"ex/m": recipe(features=SPEC, opt_in_features=["spec"], variants=variants)})
    entry = cat.entry("ex/m")
    assert recommend(cat, entry, "default", "b200").features == ()
    fp8 = recommend(cat, entry, "fp8", "b200")
    assert fp8.features == ("spec",) and argv(cat, "ex/m", fp8)[-1] == '{"method":"eagle"}'
    on = Selection("default", "h200", "single_node_tp", 1, ("spec",))
    assert argv(cat, "ex/m", on)[-1] == '{"method":"mtp","n":1}'  # the mode's Hopper override
    assert argv(cat, "ex/m", Selection("default", "b200", "single_node_tp", 1, ("spec",), modes=(("spec", "eagle"),)))[-1] \
        == '{"method":"mtp"}'  # eagle is only offered for fp8


def test_a_feature_limited_to_strategies_stays_off_elsewhere(tmp_path):
    features = {"lb": {"args": ["--lb"], "strategies": ["multi_node_tp"]}}
    cat = catalog_of(tmp_path, {"ex/m": recipe(features=features, compatible_strategies=["single_node_tp", "multi_node_tp"])})
    assert "--lb" not in argv(cat, "ex/m", Selection("default", "h200", "single_node_tp", 1, ("lb",)))
    assert "--lb" in argv(cat, "ex/m", Selection("default", "h200", "multi_node_tp", 2, ("lb",)))


def test_inconsistent_modes_stop_the_build_with_a_located_message(tmp_path):
    bad = {"spec": {"args": ["--x"], "default_mode": "nope", "modes": {"a": {"args": [], "variants": ["ghost"]}}}}
    with pytest.raises(RecipeError) as err:
        catalog_of(tmp_path, {"ex/m": recipe(features=bad)})
    text = str(err.value)
    for reason in ("remove args", '"nope" is not one of the modes', 'no variant "ghost"', 'no mode is available'):
        assert reason in text
    assert "features.spec.default_mode" in text and ".yaml:" in text


def test_modes_written_as_null_are_refused_too(tmp_path):
    with pytest.raises(RecipeError, match=r"features\.spec\.modes: modes must list at least one mode"):
        catalog_of(tmp_path, {"ex/m": recipe(features={"spec": {"modes": None}})})


# -- §6.12 prefill/decode ---------------------------------------------------------------------------

def test_pd_router_override_and_no_cc_flag_on_multi_node_tep_pools(tmp_path):
    r = recipe(compatible_strategies=["single_node_tep", "pd_cluster"],
               strategy_overrides={"pd_cluster": {"prefill": {"parallelism": "tep"}, "router": {"intra_node_data_parallel_size": 1},
                                                  "decode": {"parallelism": "dep"}}})
    cat = catalog_of(tmp_path, {"ex/m": r})
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "pd_cluster", 1, (), 2, 2))
    prefill = dep.first("prefill")
    assert "--enable-expert-parallel" in prefill.argv and "-cc.pass_config.fuse_allreduce_rms=False" not in prefill.argv
    # dep is not offered by the recipe's strategies, so the decode pool runs as tep (arguments only).
    assert "--data-parallel-size" not in dep.first("decode").argv and dep.first("decode").pool.parallelism == "dep"
    assert dep.first("router").command.endswith("--intra-node-data-parallel-size 1")


def test_a_hardware_keyed_map_with_an_unknown_key_is_a_located_warning(tmp_path):
    cat = catalog_of(tmp_path, {"ex/m": recipe(strategy_hardware={"single_node_tp": {"hoper": "unsupported"}})})
    (warning,) = [w for w in cat.warnings if "never used" in w.message]
    assert warning.key == "strategy_hardware.single_node_tp.hoper" and warning.line > 0
    assert 'did you mean "hopper"' in warning.message
