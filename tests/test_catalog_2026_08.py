"""Our catalog shows every 2026-08 schema feature on a real recipe: feature modes, KV offload,
per-hardware strategy switches, GPU floors, TP + DP across nodes, Xeon and Arc profiles, and the
Mooncake KV-store deployments. Each test names the recipe that carries the feature, so removing it
from the catalog fails here rather than going unnoticed."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from conftest import REPO
from test_catalog import catalog_api

KIMI = "moonshotai/Kimi-K3"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def doc(path: str) -> dict[str, Any]:
    return json.loads(catalog_api()[1][path])


def command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder", "command", *args, "--recipes", str(REPO / "recipes")],
                          capture_output=True, text=True, cwd=REPO)


def command_json(*args: str) -> dict[str, Any]:
    done = command(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def serve_argv(deployment: dict[str, Any]) -> list[str]:
    return deployment["launches"][0]["argv"]


def test_a_recipe_has_a_feature_with_modes_and_its_command_follows_the_mode():
    catalog = catalog_api()[0]
    modal = {e.hf_id: name for e in catalog.recipes for name, f in e.recipe.features.items() if f and f.modes}
    assert modal.get("MiniMaxAI/MiniMax-M3") == "spec_decoding"
    echoed = doc("MiniMaxAI/MiniMax-M3.json")["features"]["spec_decoding"]
    assert echoed["default_mode"] == "eagle3" and list(echoed["modes"]) == ["eagle3", "eagle3_gqa"]
    # Opt-in: the recommended command has no draft model until a mode (or the feature) is asked for.
    assert "--speculative-config" not in doc("MiniMaxAI/MiniMax-M3.json")["recommended_command"]["argv"]
    mha = serve_argv(command_json("MiniMaxAI/MiniMax-M3", "--mode", "spec_decoding=eagle3"))
    gqa = serve_argv(command_json("MiniMaxAI/MiniMax-M3", "--mode", "spec_decoding=eagle3_gqa"))
    assert mha != gqa
    assert '"Inferact/MiniMax-M3-EAGLE3"' in mha[-1] and '"Inferact/MiniMax-M3-EAGLE3-GQA"' in gqa[-1]
    # The feature alone runs its default mode; on AMD the mode's own override picks Triton attention.
    assert serve_argv(command_json("MiniMaxAI/MiniMax-M3", "--feature", "spec_decoding"))[-1] == mha[-1]
    amd = serve_argv(command_json("MiniMaxAI/MiniMax-M3", "--hardware", "mi300x", "--mode", "spec_decoding=eagle3_gqa"))
    assert '"TRITON_ATTN"' in amd[-1] and "GQA" in amd[-1]
    bad = command("MiniMaxAI/MiniMax-M3", "--mode", "spec_decoding=mtp")
    assert bad.returncode == 1 and "eagle3, eagle3_gqa" in bad.stderr


def test_kv_offload_options_exist_and_recipes_record_verified_ones():
    catalog = catalog_api()[0]
    assert {"simple", "offloading_cpu", "offloading_fs", "lmcache"} <= set(catalog.taxonomy.kv_offload)
    verified = {e.hf_id for e in catalog.recipes if e.recipe.kv_offload_support.get("offloading_cpu") == "verified"}
    assert {"deepseek-ai/DeepSeek-V4-Flash", LLAMA, "meta-llama/Llama-3.3-70B-Instruct"} <= verified
    assert doc("deepseek-ai/DeepSeek-V4-Flash.json")["kv_offload_support"] == {
        "offloading_cpu": "verified", "offloading_fs": "verified"}
    assert "kv_offload" in doc("taxonomy.json")
    # The API never applies an offload option (spec §6.16); `recipes command --kv-offload` does.
    assert "--kv-transfer-config" not in doc("deepseek-ai/DeepSeek-V4-Flash.json")["recommended_command"]["argv"]
    fs = command_json("deepseek-ai/DeepSeek-V4-Flash", "--kv-offload", "offloading_fs")
    assert fs["kv_offload"] == "offloading_fs" and fs["env"]["PYTHONHASHSEED"] == "0"
    assert serve_argv(fs)[-2] == "--kv-transfer-config" and '"OffloadingConnector"' in serve_argv(fs)[-1]
    # Options that need a verified run are refused where the recipe records none.
    refused = command("Qwen/Qwen3-0.6B", "--kv-offload", "offloading_cpu")
    assert refused.returncode == 1 and "kv_offload_support" in refused.stderr


def test_a_strategy_switched_off_on_some_hardware_is_absent_there_only():
    assert "multi_node_dep" not in doc(f"{KIMI}/hw/h200.json")["alternatives"]
    assert "multi_node_dep" not in doc(f"{KIMI}/hw/h100.json")["alternatives"]
    assert "multi_node_dep" in doc(f"{KIMI}/hw/b200.json")["alternatives"]
    # multi_node_tp_dp is not in compatible_strategies: strategy_hardware grants it on three profiles.
    for hw in ("h200", "gb200", "gb300"):
        assert "multi_node_tp_dp" in doc(f"{KIMI}/hw/{hw}.json")["alternatives"], hw
    for hw in ("h100", "b200", "mi355x"):
        assert "multi_node_tp_dp" not in doc(f"{KIMI}/hw/{hw}.json")["alternatives"], hw


def test_a_gpu_floor_raises_node_counts():
    # H100: a 32-GPU floor, so four 8-GPU nodes for the recommendation and every alternative.
    h100 = doc(f"{KIMI}/hw/h100.json")
    assert (h100["strategy"], h100["node_count"], len(h100["worker_commands"])) == ("multi_node_tp", 4, 3)
    assert doc(f"{KIMI}/hw/h100/strategies/multi_node_tep.json")["node_count"] == 4
    assert "single_node_tp" not in h100["alternatives"]  # 8 GPUs cannot reach the 32-GPU floor
    # GB200 trays have 4 GPUs: the 16-GPU layouts take 4 trays, the 8-GPU ones 2.
    for strategy, nodes in (("multi_node_tep", 2), ("multi_node_tp_pp", 4), ("multi_node_dep", 4),
                            ("multi_node_tp_dp", 4)):
        assert doc(f"{KIMI}/hw/gb200/strategies/{strategy}.json")["node_count"] == nodes, strategy


def test_tp_dp_across_nodes_renders_one_data_parallel_rank_per_node():
    gb200 = doc(f"{KIMI}/hw/gb200/strategies/multi_node_tp_dp.json")
    head = gb200["head_argv"]
    i = head.index("--tensor-parallel-size")
    assert head[i:i + 8] == ["--tensor-parallel-size", "4", "--data-parallel-size", "4",
                             "--data-parallel-size-local", "1", "--data-parallel-address", "$HEAD_IP"]
    assert "--enable-expert-parallel" in head
    ranks = [argv[argv.index("--data-parallel-start-rank") + 1] for argv in gb200["worker_argvs"]]
    assert ranks == ["1", "2", "3"]
    h200 = doc(f"{KIMI}/hw/h200/strategies/multi_node_tp_dp.json")
    assert h200["node_count"] == 2 and h200["head_argv"][h200["head_argv"].index("--tensor-parallel-size") + 1] == "8"
    assert doc("strategies/multi_node_tp_dp.json")["parallelism"] == "tp_dp"


def test_the_recipe_default_hardware_is_recommended_first():
    rec = doc(f"{KIMI}.json")["recommended_command"]
    assert rec["hardware"] == "b300" and next(iter(rec["by_hardware"])) == "b300"
    assert (rec["strategy"], rec["node_count"]) == ("single_node_tp", 1)


def test_xeon_cpu_and_arc_xpu_profiles_render():
    profiles = catalog_api()[0].taxonomy.hardware_profiles
    assert profiles["xeon6"].generation == "cpu"
    assert {hw: (profiles[hw].generation, profiles[hw].vram_gb) for hw in ("arc_pro_b60", "arc_pro_b70")} == {
        "arc_pro_b60": ("xpu", 96), "arc_pro_b70": ("xpu", 128)}
    by_hardware = doc(f"{LLAMA}.json")["recommended_command"]["by_hardware"]
    assert {"xeon6", "arc_pro_b60", "arc_pro_b70"} <= set(by_hardware)
    xeon = doc(f"{LLAMA}/hw/xeon6.json")
    assert xeon["docker_image"] == "vllm/vllm-openai-cpu:latest-x86_64"
    assert xeon["argv"][3:5] == ["--tensor-parallel-size", "2"]  # the recipe's xeon6 TP map
    assert xeon["env"]["VLLM_CPU_KVCACHE_SPACE"] == "40"
    for hw in ("arc_pro_b60", "arc_pro_b70"):
        arc = doc(f"{LLAMA}/hw/{hw}.json")
        assert arc["docker_image"] == "vllm/vllm-openai-xpu:latest", hw
        assert arc["docker_argv"][2:6] == ["--device", "/dev/dri", "-v", "/dev/dri/by-path:/dev/dri/by-path"], hw
        assert arc["argv"][3:5] == ["--tensor-parallel-size", "1"], hw
        # Intel profiles get no Mooncake deployments.
        assert not any(k.startswith("kv_store_") for k in arc.get("alternatives", {})), hw
    # A second recipe on the Intel profiles: gpt-oss-20b, with its recipe-level `cpu` block on Xeon.
    oss = doc("openai/gpt-oss-20b.json")["recommended_command"]["by_hardware"]
    assert {"xeon6", "arc_pro_b60", "arc_pro_b70"} <= set(oss)
    assert doc("openai/gpt-oss-20b/hw/xeon6.json")["argv"][5:9] == [
        "--max-num-batched-tokens", "16384", "--gpu-memory-utilization", "0.8"]
    assert "--max-num-batched-tokens" not in doc("openai/gpt-oss-20b/hw/arc_pro_b60.json")["argv"]
    # Restricted profiles stay off recipes that do not list them.
    assert "arc_pro_b60" not in doc("zai-org/GLM-5.2.json")["recommended_command"]["by_hardware"]


def test_both_mooncake_deployments_render_for_catalog_recipes():
    kv = doc("kv_store.json")
    assert list(kv) == ["kv_store_centralized_mooncake", "kv_store_distributed_mooncake"]
    centralized = doc("zai-org/GLM-5.2/strategies/kv_store_centralized_mooncake.json")
    assert (centralized["deploy_type"], centralized["serving_strategy"], centralized["instances"]) == \
        ("kv_store_lb", "single_node_tp", 2)
    assert centralized["router"] is not None and centralized["store"] is not None
    assert '"MooncakeStoreConnector"' in centralized["vllm_argv"][-1]
    distributed = doc("zai-org/GLM-5.2/strategies/kv_store_distributed_mooncake.json")
    assert (distributed["instances"], distributed["router"], distributed["store"]) == (1, None, None)
    # A model that needs several nodes per instance gets follower-rank commands for each instance.
    multi = doc(f"{KIMI}/hw/h100/strategies/kv_store_centralized_mooncake.json")
    assert (multi["serving_strategy"], multi["node_count"], len(multi["vllm_worker_argvs"])) == ("multi_node_tp", 4, 3)
    files = catalog_api()[1]
    rendered = {"/".join(p.split("/")[:2]) for p in files if p.endswith("/kv_store_centralized_mooncake.json")}
    assert len(rendered) >= 10


def test_a_recipe_has_hardware_notes_and_the_builder_shows_them():
    from builder.site.command_builder.notes import hardware_notes

    catalog = catalog_api()[0]
    noted = {e.hf_id: sorted(e.recipe.hardware_notes) for e in catalog.recipes if e.recipe.hardware_notes}
    assert noted.get(KIMI) == ["gb200", "h100"], noted
    entry = catalog.entry(KIMI)
    notes = hardware_notes(entry, ["b300", "h100", "gb200"])
    assert sorted(notes) == ["1", "2"] and notes["1"][3] == "#choosing-a-layout"
