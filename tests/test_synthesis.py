"""The synthesis rules, each pinned on a tiny hand-made recipe (spec §5–§6)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from factory import STRATEGIES, recipe, write_recipes

from builder.check import load_catalog
from builder.synth import JUNE, Selection, deploy, recommend


def catalog_of(tmp_path: Path, **recipes: dict):
    ids = {name.replace("__", "/"): doc for name, doc in recipes.items()}
    return load_catalog(write_recipes(tmp_path / "recipes", ids))


def serve(cat, hf_id: str, **sel) -> list[str]:
    """argv after `vllm serve <model>` for a single-node selection."""
    dep = deploy(cat, cat.entry(hf_id).recipe, Selection(**sel))
    return list(dep.launches[0].argv[3:])


def test_single_node_tp_uses_one_gpu_when_the_weights_fit_one_gpu(tmp_path):
    cat = catalog_of(tmp_path, ex__small=recipe(), ex__big=recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 600}}))
    assert serve(cat, "ex/small", variant="default", hardware="h200", strategy="single_node_tp") == ["--tensor-parallel-size", "1"]
    # 600 GB does not fit one 141 GB GPU: all eight, never an intermediate size.
    assert serve(cat, "ex/big", variant="default", hardware="h200", strategy="single_node_tp") == ["--tensor-parallel-size", "8"]


def test_variant_tp_is_capped_at_the_gpus_of_the_node(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 16, "tp": 8}}))
    assert serve(cat, "ex/m", variant="default", hardware="gb200", strategy="single_node_tp") == ["--tensor-parallel-size", "4"]


def test_generation_override_beats_brand_and_later_flags_win_in_place(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(
        model={"model_id": "example/m", "base_args": ["--kv-cache-dtype", "fp8_e4m3", "--trust-remote-code"]},
        hardware_overrides={"hopper": {"extra_args": ["--kv-cache-dtype", "fp8"]},
                            "nvidia": {"extra_args": ["--nvidia-only"]}},
    ))
    assert serve(cat, "ex/m", variant="default", hardware="h200", strategy="single_node_tp") == [
        "--trust-remote-code", "--tensor-parallel-size", "1", "--kv-cache-dtype", "fp8"]
    assert serve(cat, "ex/m", variant="default", hardware="b200", strategy="single_node_tp") == [
        "--kv-cache-dtype", "fp8_e4m3", "--trust-remote-code", "--tensor-parallel-size", "1", "--nvidia-only"]


def test_strategy_hardware_override_replaces_the_recipe_block_args_and_env(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(
        compatible_strategies=["single_node_tp", "single_node_tep"],
        hardware_overrides={"hopper": {"extra_args": ["--recipe-level"], "extra_env": {"RECIPE": "1"}}},
        strategy_overrides={"single_node_tep": {"hardware_overrides": {"hopper": {"extra_args": ["--strategy-level"]}}}},
    ))
    entry = cat.entry("ex/m")
    tep = deploy(cat, entry.recipe, Selection("default", "h200", "single_node_tep"))
    assert tep.launches[0].argv[-1] == "--strategy-level" and tep.env == {}
    tp = deploy(cat, entry.recipe, Selection("default", "h200", "single_node_tp"))
    assert tp.launches[0].argv[-1] == "--recipe-level" and tp.env == {"RECIPE": "1"}


def test_june_ignores_default_variant_extra_args_but_other_variants_apply_theirs(tmp_path):
    variants = {"default": {"precision": "bf16", "vram_minimum_gb": 16, "extra_args": ["--default-only"]},
                "fp8": {"model_id": "example/m-fp8", "precision": "fp8", "vram_minimum_gb": 8,
                        "extra_args": ["--quantization", "fp8"], "extra_env": {"FP8": "1"}}}
    cat = catalog_of(tmp_path, ex__m=recipe(variants=variants))
    june = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "single_node_tp"), JUNE)
    assert "--default-only" not in june.launches[0].argv
    # Since 2026-08 the default variant's own arguments apply like any other variant's (§6.2).
    assert "--default-only" in serve(cat, "ex/m", variant="default", hardware="h200", strategy="single_node_tp")
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("fp8", "h200", "single_node_tp"))
    assert dep.launches[0].argv[:5] == ("vllm", "serve", "example/m-fp8", "--quantization", "fp8")
    assert dep.env == {"FP8": "1"}


def test_opt_in_features_are_off_by_default_globally_and_per_hardware(tmp_path):
    features = {"tools": {"args": ["--enable-auto-tool-choice"]}, "mtp": {"args": ["--speculative-config.method", "mtp"]},
                "encoder": {"args": ["--mm-encoder-tp-mode", "data"]}}
    cat = catalog_of(tmp_path, ex__m=recipe(features=features, opt_in_features=["mtp"],
                                             hardware_opt_in_features={"gb200": ["encoder"]}))
    entry = cat.entry("ex/m")
    assert recommend(cat, entry, "default", "h200").features == ("tools", "encoder")
    assert recommend(cat, entry, "default", "gb200").features == ("tools",)


def test_multi_node_tp_gives_every_rank_its_own_command(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(compatible_strategies=["multi_node_tp"]))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "multi_node_tp", nodes=4))
    assert [l.role for l in dep.launches] == ["head", "worker", "worker", "worker"]
    head, last = dep.launches[0].argv[3:], dep.launches[3].argv[3:]
    assert head == ("--tensor-parallel-size", "32", "--nnodes", "4", "--node-rank", "0", "--master-addr", "$HEAD_IP")
    assert last == ("--tensor-parallel-size", "32", "--nnodes", "4", "--node-rank", "3", "--master-addr", "$HEAD_IP", "--headless")
    assert dep.env == {"GLOO_SOCKET_IFNAME": "$IFACE_NAME", "NCCL_SOCKET_IFNAME": "$IFACE_NAME"}


def test_multi_node_dep_start_ranks_step_by_the_gpus_per_node(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(compatible_strategies=["multi_node_dep"]))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "gb200", "multi_node_dep", nodes=3))
    ranks = [l.argv[l.argv.index("--data-parallel-start-rank") + 1] if "--data-parallel-start-rank" in l.argv else None
             for l in dep.launches]
    assert ranks == [None, "4", "8"]
    assert "--headless" not in dep.launches[2].argv
    assert dep.launches[0].argv[3:] == ("--enable-expert-parallel", "--data-parallel-size", "12",
                                        "--data-parallel-size-local", "4", "--data-parallel-address", "$HEAD_IP")


def test_tp_pp_keeps_tensor_parallel_inside_a_node(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(compatible_strategies=["multi_node_tp_pp"]))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "multi_node_tp_pp", nodes=2))
    assert dep.launches[1].argv[3:] == ("--tensor-parallel-size", "8", "--pipeline-parallel-size", "2", "--nnodes", "2",
                                        "--node-rank", "1", "--master-addr", "$HEAD_IP", "--headless")


def test_colocated_prefill_decode_split_the_gpus_of_one_node(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(compatible_strategies=["single_node_tp", "pd_cluster"]))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "pd_cluster", 1, (), 0, 0))
    prefill, decode, router = dep.first("prefill"), dep.first("decode"), dep.first("router")
    assert prefill.env["CUDA_VISIBLE_DEVICES"] == "0,1,2,3" and decode.env["CUDA_VISIBLE_DEVICES"] == "4,5,6,7"
    assert "UCX_NET_DEVICES" not in prefill.env  # NVL4-only variable, dropped off GB200/GB300
    assert prefill.argv[3:] == ("--port", "8001", "--tensor-parallel-size", "4")
    assert prefill.docker_argv is not None and "8001:8001" in prefill.docker_argv
    assert router.command.splitlines()[2] == "    --prefill http://$PREFILL_NODE_1:8001 \\"


def test_dep_pools_spanning_nodes_get_one_router_endpoint_per_node(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(
        compatible_strategies=["multi_node_dep", "pd_cluster"],  # offers the `dep` pool mode (2026-08 §6.12)
        strategy_overrides={"pd_cluster": {"prefill": {"parallelism": "dep"}, "decode": {"parallelism": "dep"}}}))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "gb200", "pd_cluster", 1, (), 2, 2))
    first, second = [l for l in dep.launches if l.role == "prefill"]
    assert first.argv[5:9] == ("--data-parallel-size", "8", "--data-parallel-size-local", "4")
    assert second.pool is not None and second.pool.start_rank == 4
    assert second.env["SIDE_HOST"] == "$PREFILL_NODE_2" and first.env["UCX_NET_DEVICES"] == "all"
    assert "--data-parallel-hybrid-lb" in first.argv
    assert dep.first("router").command.count("--decode http://") == 2


def test_json_values_are_single_quoted_and_placeholders_stay_bare(tmp_path):
    features = {"spec": {"args": ["--speculative-config", '{"method":"mtp", "n": 1}', "--chat-template", "it's.jinja"]}}
    cat = catalog_of(tmp_path, ex__m=recipe(features=features))
    dep = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "h200", "single_node_tp", 1, ("spec",)))
    assert dep.launches[0].command.splitlines()[2:] == [
        "  --speculative-config '{\"method\":\"mtp\", \"n\": 1}' \\", "  --chat-template 'it'\\''s.jinja'"]
    assert dep.launches[0].argv[-1] == "it's.jinja"


def test_docker_form_passes_env_as_e_flags_with_javascript_string_values(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(model={"model_id": "example/m", "base_env": {"NUM": 1, "FLAG": True}}))
    serve_launch = deploy(cat, cat.entry("ex/m").recipe, Selection("default", "mi300x", "single_node_tp")).launches[0]
    assert serve_launch.docker_argv[:8] == ("docker", "run", "--device=/dev/kfd", "--device=/dev/dri", "--security-opt",
                                            "seccomp=unconfined", "--group-add", "video")
    assert serve_launch.docker_argv[14:16] == ("-e", "NUM=1") and "FLAG=true" in serve_launch.docker_argv
    assert serve_launch.docker_command.splitlines()[4:6] == ["  -e NUM=1 \\", "  -e FLAG=true \\"]
    assert "vllm/vllm-openai-rocm:latest example/m" in serve_launch.docker_command


def test_too_large_for_one_node_recommends_two_nodes_of_multi_node_tp(tmp_path):
    cat = catalog_of(tmp_path, ex__m=recipe(variants={"default": {"precision": "fp8", "vram_minimum_gb": 900}},
                                             compatible_strategies=["single_node_tp", "multi_node_tp"]))
    entry = cat.entry("ex/m")
    assert recommend(cat, entry, "default", "h100") == Selection("default", "h100", "multi_node_tp", 2, ())
    assert recommend(cat, entry, "default", "h200").strategy == "single_node_tp"


def test_a_workstation_that_cannot_cluster_gets_the_largest_variant_that_fits(tmp_path):
    variants = {"default": {"precision": "bf16", "vram_minimum_gb": 300},
                "fp8": {"precision": "fp8", "vram_minimum_gb": 150}, "int4": {"precision": "int4", "vram_minimum_gb": 80}}
    cat = catalog_of(tmp_path, ex__m=recipe(variants=variants, meta={**recipe()["meta"], "hardware": {"station": "verified"}},
                                             compatible_strategies=["single_node_tp", "multi_node_tp"]))
    sel = recommend(cat, cat.entry("ex/m"), "default", "station")
    assert (sel.variant, sel.strategy, sel.nodes) == ("fp8", "single_node_tp", 1)


@pytest.mark.parametrize("precision,expected", [("nvfp4", "b200"), ("fp8", "h200")])
def test_fp4_checkpoints_default_to_blackwell(tmp_path, precision, expected):
    from builder.synth import default_hardware
    cat = catalog_of(tmp_path, ex__m=recipe(variants={"default": {"precision": precision, "vram_minimum_gb": 16}}))
    assert default_hardware(cat, cat.entry("ex/m").recipe, cat.entry("ex/m").recipe.variants["default"]) == expected


@pytest.mark.parametrize("edition", ["2026-06", "2026-08"])
def test_a_multi_node_strategy_without_the_name_prefix_renders_on_two_nodes(tmp_path, edition):
    # Regression: one place decided "multi-node" by the name, another by deploy_type, and the
    # build stopped with a traceback for a strategy file named otherwise.
    from builder.api import build_api
    from builder.synth import edition_named

    strategies = {**STRATEGIES, "cluster_tp": {**STRATEGIES["multi_node_tp"], "name": "cluster_tp"}}
    root = write_recipes(tmp_path / "r", {"ex/big": recipe(
        model={"model_id": "ex/big"}, compatible_strategies=["single_node_tp", "cluster_tp"])},
        strategies=strategies)
    files = build_api(load_catalog(root), edition=edition_named(edition))
    doc = json.loads(files["ex/big/strategies/cluster_tp.json"])
    assert doc["node_count"] == 2 and "--nnodes 2" in doc["head_command"]
