"""Recipes the browser tests make for themselves (tests/test_browser_builder.py).

* ``evil/Hostile`` — every piece of recipe text (and the taxonomy's and platforms' text) holds
  script payloads: an `<img onerror>`, a `</script><script>` break-out and `javascript:` URLs; its
  guide also has `<a id="CommandBuilder">` and `<a id="document$">`, which would shadow global names.
* ``acme/Many`` — 33 features, one flag each (a 32-bit mask in the page once showed wrong commands).
* ``acme/Tpu`` — a TPU recipe: docker only, and the pulled image is the image that runs.
* ``acme/Hosted`` — lists self-host platforms.
* ``acme/Modes`` — a feature with modes: one refused on AMD, one only for the FP8 variant, which
  turns it on through `default_modes`; tuning notes; a feature gated to one strategy.
* ``acme/Placed`` — the same variable set by a variant and by a Blackwell override (it keeps its
  place, before the Mooncake variables) or by the override alone (it goes after them): one env text,
  two places for the KV option's lines.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from factory import HW, MOONCAKE, STRATEGIES, dump, recipe, write_recipes

PAYLOAD = ('<img src=x onerror="window.__xss=1"></script><script>window.__xss=2</script>'
           '<a href="javascript:window.__xss=3">x</a> javascript:window.__xss=4')
"""Any of these running sets `window.__xss`."""

N_FEATURES = 33

HOSTILE = recipe(
    meta={"title": "Hostile " + PAYLOAD, "provider": "Evil " + PAYLOAD, "description": PAYLOAD,
          "date_updated": "2026-01-02", "tasks": ["text"], "performance_headline": PAYLOAD,
          "hardware": {"h200": "verified", "tpu": None}, "platforms": [{"id": "modal", "blurb": PAYLOAD},
                                                                       {"id": "skypilot", "blurb": PAYLOAD,
                                                                        "install": PAYLOAD, "script": PAYLOAD}]},
    model={"model_id": "evil/Hostile", "base_args": [], "base_env": {},
           "install": {"pip": {"note": PAYLOAD}, "docker": {"note": PAYLOAD}}},
    features={
        "tools": {"description": PAYLOAD, "args": ["--tool-call-parser", "hermes"]},
        "text_only": {"description": PAYLOAD, "args": ["--language-model-only"]},
        "encoder_dp": {"description": PAYLOAD, "args": ["--mm-encoder-tp-mode", "data"]},
    },
    variants={"default": {"precision": "bf16", "vram_minimum_gb": 900, "description": PAYLOAD, "label": "BF16 <b>x</b>"},
              "small": {"precision": "fp8", "vram_minimum_gb": 100, "description": PAYLOAD,
                        "model_id": "evil/Hostile-FP8"}},
    compatible_strategies=["single_node_tp", "multi_node_tp", "pd_cluster"],
    # Once went into innerHTML as a pool-mode pill.
    strategy_overrides={"pd_cluster": {"prefill": {"parallelism": PAYLOAD}}},
    dependencies=[{"command": "pip install x", "note": "Optional: " + PAYLOAD, "optional": True}],
    guide=f"# Guide\n\n<a id=\"CommandBuilder\"></a><a id=\"document$\"></a><a name=\"CommandBuilder\"></a>\n\n{PAYLOAD}\n\n"
          f"[click](javascript:window.__xss=5)\n",
)

MANY = recipe(
    meta={"title": "Many", "provider": "Acme", "description": "Thirty-three features", "date_updated": "2026-01-02",
          "tasks": ["text"]},
    model={"model_id": "acme/Many", "base_args": ["--max-model-len", "4096"], "base_env": {}},
    features={f"f{i:02d}": {"description": f"Feature {i}", "args": [f"--served-model-name-{i:02d}", str(i)]}
              for i in range(N_FEATURES)},
    opt_in_features=[f"f{i:02d}" for i in range(1, N_FEATURES)],
)

TPU = recipe(
    meta={"title": "Tpu", "provider": "Acme", "description": "Runs on TPU", "date_updated": "2026-01-02",
          "tasks": ["text"], "hardware": {"tpu": "verified"}},
    model={"model_id": "acme/Tpu", "base_args": [], "base_env": {},
           "docker_image": {"nvidia": "vllm/vllm-openai:v9", "amd": "vllm/vllm-openai-rocm:v9", "tpu": "vllm/vllm-tpu:v9"}},
)

HOSTED = recipe(
    meta={"title": "Hosted", "provider": "Acme", "description": "Self-hostable", "date_updated": "2026-01-02",
          "tasks": ["text"], "platforms": [{"id": "modal"}, {"id": "skypilot"}]},
    model={"model_id": "acme/Hosted", "base_args": [], "base_env": {}},
)

SPEC = '{"method":"%s","num_speculative_tokens":%d}'
MODES = recipe(
    meta={"title": "Modes", "provider": "Acme", "description": "Speculative decoding three ways",
          "date_updated": "2026-01-02", "tasks": ["text"], "hardware": {"h200": "verified"}},
    model={"model_id": "acme/Modes", "base_args": ["--max-num-seqs", "128"], "base_env": {}},
    features={
        "tools": {"description": "Tool calls", "args": ["--tool-call-parser", "acme"]},
        "spec_decoding": {"description": "Draft tokens, verified in one step", "default_mode": "mtp", "modes": {
            "mtp": {"label": "MTP", "description": "The checkpoint's own heads", "args": ["--speculative-config", SPEC % ("mtp", 2)],
                    "note": "Two draft tokens suit chat traffic",
                    "hardware_overrides": {"hopper": {"args": ["--speculative-config", SPEC % ("mtp", 1)]}}},
            "eagle": {"label": "EAGLE3", "description": "A separate draft head", "hardware": {"amd": "unsupported"},
                      "args": ["--speculative-config", SPEC % ("eagle3", 3)]},
            "dspark": {"label": "DSpark", "description": "The drafter fused into the FP8 checkpoint", "variants": ["fp8"],
                       "args": ["--speculative-config", SPEC % ("dspark", 7)],
                       "note": "Sample drafts greedily when requests use temperature 0"},
        }},
        "context_parallel": {"description": "Decode context parallel", "args": ["--decode-context-parallel-size", "2"],
                "strategies": ["single_node_tp"]},
    },
    opt_in_features=["spec_decoding", "context_parallel"],
    variants={"default": {"precision": "bf16", "vram_minimum_gb": 300},
              "fp8": {"model_id": "acme/Modes-FP8", "precision": "fp8", "vram_minimum_gb": 160,
                      "default_modes": {"spec_decoding": "dspark"}}},
    compatible_strategies=["single_node_tp", "single_node_tep", "multi_node_tp"],
)

PLACED = recipe(
    meta={"title": "Placed", "provider": "Acme", "description": "One variable, two places", "date_updated": "2026-01-02",
          "tasks": ["text"], "hardware": {"h200": "verified", "b200": "verified"}},
    model={"model_id": "acme/Placed", "base_args": [], "base_env": {}},
    variants={"default": {"precision": "bf16", "vram_minimum_gb": 100, "extra_env": {"ACME_KERNELS": "1"}},
              "fp8": {"model_id": "acme/Placed-FP8", "precision": "fp8", "vram_minimum_gb": 60}},
    hardware_overrides={"blackwell": {"extra_env": {"ACME_KERNELS": "1"}}},
    compatible_strategies=["single_node_tp", "multi_node_tp"],
)

PLATFORMS: dict[str, Any] = {"platforms": [
    {"id": "modal", "name": "Modal " + PAYLOAD, "url": "javascript:window.__xss=6", "blurb": PAYLOAD,
     "install": "pip install modal"},
    {"id": "skypilot", "name": "SkyPilot", "url": "https://docs.vllm.ai/skypilot", "blurb": "One YAML task",
     "install": "pip install skypilot"},
]}


def write_made_recipes(root: Path) -> Path:
    hardware = {k: dict(v) for k, v in HW.items()}
    hardware["h200"]["description"] = PAYLOAD
    write_recipes(root, {"evil/Hostile": HOSTILE, "acme/Many": MANY, "acme/Tpu": TPU, "acme/Hosted": HOSTED,
                                 "acme/Modes": MODES, "acme/Placed": PLACED},
                  hardware, STRATEGIES, {"kv_mooncake": MOONCAKE})
    dump(root / "platforms.yaml", PLATFORMS)
    return root
