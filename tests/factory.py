"""Build small recipe folders from Python dicts, so each test shows its whole input."""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

HW = {
    "h100": {"brand": "NVIDIA", "generation": "hopper", "display_name": "H100", "gpu_count": 8, "vram_gb": 640},
    "h200": {"brand": "NVIDIA", "generation": "hopper", "display_name": "H200", "gpu_count": 8, "vram_gb": 1128},
    "b200": {"brand": "NVIDIA", "generation": "blackwell", "display_name": "B200", "gpu_count": 8, "vram_gb": 1440},
    "gb200": {"brand": "NVIDIA", "generation": "blackwell", "display_name": "GB200", "gpu_count": 4, "vram_gb": 768},
    "station": {"brand": "NVIDIA", "generation": "blackwell", "display_name": "Station", "gpu_count": 1,
                "vram_gb": 252, "scalable": False, "restricted": True},
    "mi300x": {"brand": "AMD", "generation": "amd", "display_name": "MI300X", "gpu_count": 8, "vram_gb": 1536},
    "tpu": {"brand": "Google", "generation": "tpu", "display_name": "TPU", "gpu_count": 8, "vram_gb": 256,
            "restricted": True},
}

IFACE = {"GLOO_SOCKET_IFNAME": "$IFACE_NAME", "NCCL_SOCKET_IFNAME": "$IFACE_NAME"}
STRATEGIES = {
    "single_node_tp": {"name": "single_node_tp", "deploy_type": "single_node"},
    "single_node_tep": {"name": "single_node_tep", "deploy_type": "single_node", "vllm_args": ["--enable-expert-parallel"]},
    "single_node_dep": {"name": "single_node_dep", "deploy_type": "single_node", "vllm_args": ["--enable-expert-parallel"],
                        "parallel_flag": "--data-parallel-size"},
    "multi_node_tp": {"name": "multi_node_tp", "deploy_type": "multi_node", "env": IFACE},
    "multi_node_tep": {"name": "multi_node_tep", "deploy_type": "multi_node", "vllm_args": ["--enable-expert-parallel"], "env": IFACE},
    "multi_node_dep": {"name": "multi_node_dep", "deploy_type": "multi_node", "vllm_args": ["--enable-expert-parallel"],
                       "parallel_flag": "--data-parallel-size", "env": IFACE},
    "multi_node_tp_pp": {"name": "multi_node_tp_pp", "deploy_type": "multi_node", "parallelism": "tp_pp", "env": IFACE},
    "pd_cluster": {
        "name": "pd_cluster", "deploy_type": "pd_cluster",
        "prefill": {"vllm_args": ["--port", "8001"], "env": {"UCX_NET_DEVICES": "all", "SIDE_HOST": "$PREFILL_NODE_1"}},
        "decode": {"vllm_args": ["--port", "8002"], "env": {"SIDE_HOST": "$DECODE_NODE_1"}},
        "router": {"policy": "round_robin"},
    },
}


TP_DP = {"name": "multi_node_tp_dp", "deploy_type": "multi_node", "parallelism": "tp_dp", "env": IFACE}
MOONCAKE = {
    "name": "kv_mooncake", "deploy_type": "kv_store_lb", "default_instances": 2, "min_vllm_version": "0.21.0",
    "router": {"policy": "cache_aware"},
    "vllm": {"vllm_args": ["--kv-transfer-config", '{"kv_connector":"MooncakeStoreConnector","kv_role":"kv_both"}'],
             "env": {"MOONCAKE_CONFIG_PATH": "$MOONCAKE_CONFIG_PATH"},
             "install": {"nvidia": "pip install mooncake", "amd": "pip install mooncake-non-cuda"}},
    "mooncake_master": {"command": "mooncake_master -rpc_port=50051"},
    "mooncake_vllm_config": {"template": {"mode": "embedded"}, "note": "same file on every node"},
}


def recipe(**overrides: Any) -> dict[str, Any]:
    """A minimal valid recipe; keyword arguments replace top-level keys."""
    base: dict[str, Any] = {
        "meta": {"title": "Tiny", "provider": "Example", "description": "A tiny test model",
                 "date_updated": "2026-01-02", "tasks": ["text"]},
        "model": {"model_id": "example/tiny", "base_args": [], "base_env": {}},
        "variants": {"default": {"precision": "bf16", "vram_minimum_gb": 16}},
        "compatible_strategies": ["single_node_tp"],
    }
    base.update(copy.deepcopy(overrides))
    return base


def write_recipes(root: Path, recipes: dict[str, dict], hardware: dict | None = None,
                  strategies: dict | None = None, kv_stores: dict | None = None) -> Path:
    """Write a recipe folder: `recipes` maps hf ids (org/repo) to recipe dicts. `kv_store/` is always
    written (the 2026-08 edition needs it), empty unless `kv_stores` names deployments."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kv_store").mkdir(exist_ok=True)
    for name, doc in (kv_stores or {}).items():
        dump(root / "kv_store" / f"{name}.yaml", doc)
    dump(root / "taxonomy.yaml", {"hardware_profiles": hardware or HW})
    for name, doc in (strategies or STRATEGIES).items():
        dump(root / "strategies" / f"{name}.yaml", doc)
    for hf_id, doc in recipes.items():
        dump(root / "models" / f"{hf_id}.yaml", doc)
    return root


# Plain scalars that YAML 1.2 (our loader, like js-yaml) reads as something other than a string,
# while PyYAML's YAML 1.1 writer leaves them unquoted (e.g. 0E0, 0o17): quote them.
_NOT_A_STRING_IN_YAML_12 = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NOT_A_STRING_IN_YAML_12.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
