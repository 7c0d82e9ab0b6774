"""`recipes command` for the 2026-08 selections: feature modes, KV offload, Mooncake deployments
with their instance count, `multi_node_tp_dp`, CPU profiles; every process in launch order."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from factory import HW, MOONCAKE, STRATEGIES, TP_DP, dump, recipe, write_recipes

CPU = {"brand": "Intel", "generation": "cpu", "display_name": "Xeon", "gpu_count": 4, "vram_gb": 1024}
MODES = {"spec": {"default_mode": "mtp", "modes": {"mtp": {"args": ["--speculative-config", '{"method":"mtp"}']},
                                                  "ngram": {"args": ["--speculative-config", '{"method":"ngram"}']}}},
         "lmc": {"args": ["--x"], "companion": {"label": "Helper", "command": "helper --serve\n"}}}
OFFLOAD = {"simple": {"display_name": "Simple", "args": ["--kv-transfer-config", '{"kv_connector":"Simple"}'],
                      "env": {"OFFLOAD": "1"}}}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder", "command", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    r = recipe(features=MODES, opt_in_features=["spec", "lmc"], meta={**recipe()["meta"], "hardware": {"xeon": "verified"}},
               compatible_strategies=["single_node_tp", "multi_node_tp", "multi_node_tp_dp"],
               strategy_overrides={"single_node_tp": {"tp": {"xeon": 8}}})
    root = write_recipes(tmp_path_factory.mktemp("cmd") / "recipes", {"ex/m": r}, {**HW, "xeon": CPU},
                         {**STRATEGIES, "multi_node_tp_dp": TP_DP}, kv_stores={"kv_mooncake": MOONCAKE})
    dump(root / "taxonomy.yaml", {"hardware_profiles": {**HW, "xeon": CPU}, "kv_offload": OFFLOAD})
    return root


def test_a_feature_mode_turns_the_feature_on_and_picks_its_arguments(folder):
    done = run("ex/m", "--mode", "spec=ngram", "--recipes", str(folder))
    assert done.returncode == 0, done.stderr
    assert "features: spec=ngram" in done.stdout and """'{"method":"ngram"}'""" in done.stdout
    bad = run("ex/m", "--mode", "spec=eagle", "--recipes", str(folder))
    assert bad.returncode == 1 and "choose one of: mtp, ngram" in bad.stderr


def test_a_mooncake_deployment_prints_every_process_in_launch_order(folder):
    done = run("ex/m", "--kv-store", "kv_mooncake", "--instances", "3", "--recipes", str(folder))
    assert done.returncode == 0, done.stderr
    labels = [line for line in done.stdout.splitlines() if line.startswith("# ") and not line.startswith("# set")]
    assert labels[1].startswith("# Mooncake master")
    assert [l for l in labels if "vLLM instance" in l] == [f"# vLLM instance {i} of 3 (at $VLLM_INSTANCE_{i})"
                                                          for i in (1, 2, 3)]
    assert labels[-1].startswith("# router") and done.stdout.count("--backend-url") == 3
    assert 'cat > "$MOONCAKE_CONFIG_PATH" <<EOF' in done.stdout


def test_mooncake_instances_spanning_nodes_and_json_output(folder):
    done = run("ex/m", "--kv-store", "kv_mooncake", "--strategy", "multi_node_tp", "--json", "--recipes", str(folder))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["kv_store"], doc["serving_strategy"], doc["node_count"], doc["instances"]) == \
        ("kv_mooncake", "multi_node_tp", 2, 2)
    assert [l["role"] for l in doc["launches"]] == ["head", "worker"]
    assert "$VLLM_INSTANCE_1" in doc["launches"][0]["argv"]


def test_multi_node_tp_dp_and_a_cpu_profile(folder):
    done = run("ex/m", "--strategy", "multi_node_tp_dp", "--nodes", "3", "--json", "--recipes", str(folder))
    launches = json.loads(done.stdout)["launches"]
    assert [l["argv"][l["argv"].index("--data-parallel-start-rank") + 1] for l in launches[1:]] == ["1", "2"]
    cpu = json.loads(run("ex/m", "--hardware", "xeon", "--json", "--recipes", str(folder)).stdout)
    assert cpu["launches"][0]["argv"][3:5] == ["--tensor-parallel-size", "8"]  # not capped at 4 "GPUs"
    assert cpu["docker_image"] == "vllm/vllm-openai-cpu:latest-x86_64"


def test_kv_offload_adds_its_arguments_and_env_and_companions_start_first(folder):
    done = run("ex/m", "--kv-offload", "simple", "--feature", "lmc", "--json", "--recipes", str(folder))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["kv_offload"] == "simple" and doc["env"] == {"OFFLOAD": "1"}
    assert doc["launches"][0]["argv"][-2:] == ["--kv-transfer-config", '{"kv_connector":"Simple"}']
    assert doc["companions"] == [{"feature": "lmc", "label": "Helper", "description": "", "command": "helper --serve"}]
    text = run("ex/m", "--feature", "lmc", "--recipes", str(folder)).stdout
    assert text.index("# Helper") < text.index("vllm serve")
    refused = run("ex/m", "--kv-offload", "simple", "--kv-store", "kv_mooncake", "--recipes", str(folder))
    assert refused.returncode == 1 and "does not combine" in refused.stderr
