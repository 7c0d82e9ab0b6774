"""The KV Offload row's Python side: which options exist and why one is off (synth/kvchoice.py),
the per-instance launches and config script (synth/kvstore.py), and the page data that composes
them (site/command_builder/kv.py) — checked against deploy, small, and used by the CLI too."""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from made_recipes import write_made_recipes

from builder.check import load_catalog
from builder.cli.command_cmd import Invalid, resolve
from builder.site.command_builder import builder_json
from builder.site.command_builder.data import CompositionError
from builder.site.command_builder.recipe import _Builder
from builder.synth import NEWEST, Selection, deploy
from builder.synth.kvchoice import kv_groups, kv_options, kv_refusal, store_selection
from builder.synth.kvstore import config_script, instance_launch

REPO = Path(__file__).resolve().parents[1]
GLM, LLAMA, SMALL = "zai-org/GLM-5.2", "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"
"""gzip bytes of GLM-5.2's builder data before the KV row (main at edef32e); the row may add 8 KB."""


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog(REPO / "recipes")


def refusal(catalog: Any, hf_id: str, key: str, hw: str, strategy: str) -> str | None:
    return kv_refusal(catalog, catalog.entry(hf_id).recipe, key, hw, strategy)


def test_options_come_in_the_rows_order(catalog: Any) -> None:
    assert [o.key for o in kv_options(catalog)] == [
        "simple", "offloading_cpu", "offloading_fs", "kv_store_distributed_mooncake",
        "kv_store_centralized_mooncake", "lmcache"]
    assert [(g.key, g.sub_row_label) for g in kv_groups(catalog)] == [
        ("offloading", "Offload Tiers"), ("mooncake", "Store Topology")]
    stores = {o.key: o for o in kv_options(catalog) if o.kind == "store"}
    assert stores["kv_store_distributed_mooncake"].default_instances == 1
    assert stores["kv_store_centralized_mooncake"].default_instances == 2
    assert "non-cuda" in stores["kv_store_centralized_mooncake"].install["AMD"]


def test_every_refusal_rule(catalog: Any) -> None:
    # Usable: simple anywhere; the Offloading tiers where the recipe verified them; Mooncake on clusters.
    assert refusal(catalog, GLM, "simple", "h200", "multi_node_tp") is None
    assert refusal(catalog, LLAMA, "offloading_fs", "mi300x", "single_node_tp") is None
    assert refusal(catalog, GLM, "kv_store_centralized_mooncake", "b200", "multi_node_tp") is None
    assert refusal(catalog, GLM, "lmcache", "h200", "single_node_tp") is None
    cases = {
        (SMALL, "simple", "arc_pro_b60", "single_node_tp"): "Intel XPU",
        (GLM, "simple", "h200", "pd_cluster"): "prefill/decode",
        (GLM, "kv_store_distributed_mooncake", "h200", "pd_cluster"): "prefill/decode",
        (GLM, "offloading_cpu", "h200", "single_node_tp"): "verified run",
        (SMALL, "offloading_cpu", "xeon6", "single_node_tp"): "NVIDIA and AMD hardware only",
        (SMALL, "kv_store_distributed_mooncake", "xeon6", "single_node_tp"): "NVIDIA and AMD hardware only",
        (GLM, "lmcache", "h200", "multi_node_tp"): "single_node_tp",
        (GLM, "kv_store_distributed_mooncake", "dgx_station_gb300", "single_node_tp"): "cannot be clustered",
    }
    for (hf_id, key, hw, strategy), words in cases.items():
        why = refusal(catalog, hf_id, key, hw, strategy)
        assert why is not None and words in why and why[0].isupper(), (key, hw, why)


def test_a_recipe_opt_out_turns_mooncake_off(catalog: Any) -> None:
    recipe = catalog.entry(GLM).recipe
    opted = recipe.model_copy(update={"kv_cache_strategy_hardware": {"kv_store_centralized_mooncake": {"h200": "unsupported"}}})
    assert "unsupported" in (kv_refusal(catalog, opted, "kv_store_centralized_mooncake", "h200", "single_node_tp") or "")
    assert kv_refusal(catalog, opted, "kv_store_distributed_mooncake", "h200", "single_node_tp") is None


def test_the_cli_refuses_with_the_same_reason(catalog: Any) -> None:
    ask = argparse.Namespace(hf_id=GLM, variant=None, hardware="h200", strategy=None, nodes=None, feature=[],
                             no_feature=[], mode=[], kv_store=None, instances=None, kv_offload="offloading_cpu")
    with pytest.raises(Invalid) as err:
        resolve(catalog, ask, NEWEST)
    why = refusal(catalog, GLM, "offloading_cpu", "h200", "single_node_tp")
    assert why is not None and why[1:] in str(err.value)
    ask.kv_offload, ask.kv_store, ask.instances = None, "kv_store_centralized_mooncake", 3
    _, sel, _ = resolve(catalog, ask, NEWEST)
    assert sel == store_selection(catalog, catalog.entry(GLM).recipe, "default", "h200", ask.kv_store, None, None,
                                  sel.features, 3)


def test_instances_meet_at_their_own_head_and_config_is_one_script(catalog: Any) -> None:
    recipe = catalog.entry(GLM).recipe
    dep = deploy(catalog, recipe, Selection("default", "b200", "multi_node_tp", 2, kv_store="kv_store_centralized_mooncake",
                                            instances=3))
    head = dep.launches[0]
    assert "--master-addr $VLLM_INSTANCE_1" in head.command
    third = instance_launch(head, 3)
    assert "--master-addr $VLLM_INSTANCE_3" in third.command and "$VLLM_INSTANCE_1" not in third.command
    assert "$VLLM_INSTANCE_3" in third.argv and third.docker_command and "$VLLM_INSTANCE_3" in third.docker_command
    script = config_script(dep.kv)
    assert script.count("<<EOF") == 2 and 'export MOONCAKE_STORE_CONFIG_PATH="${MOONCAKE_STORE_CONFIG_PATH:-' in script
    single = deploy(catalog, recipe, Selection("default", "b200", "single_node_tp", 1, kv_store="kv_store_distributed_mooncake"))
    assert config_script(single.kv).count("<<EOF") == 1 and single.kv.router is None


def test_page_data_composes_and_catches_a_wrong_piece(catalog: Any) -> None:
    """The encoder checks each option against deploy; a corrupted piece raises CompositionError."""
    entry = catalog.entry("Qwen/Qwen3-0.6B")
    built = _Builder(catalog, entry, {}, NEWEST)
    doc = built.document()
    assert doc is not None and doc["ko"][0][0] == "simple"
    kv = built.kv
    simple, lmcache = (kv.options.index(next(o for o in kv.options if o.key == k)) for k in ("simple", "lmcache"))
    assert doc["ko"][lmcache][8] >= 0 and doc["kc"][doc["ko"][lmcache][8]][0] == "LMCache Server"
    pair = next(c for c in doc["c"].values() if "kv" in c)
    rid = pair["r"][0]
    first = built.strategies[pair["st"][0]]
    sel = Selection(built.variants[0], built.hardware[int(next(k for k, c in doc["c"].items() if c is pair).split(".")[1])], first)
    kv.check(simple, sel, rid)  # the stored composition equals deploy
    kv.pieces[simple][0] = kv.pieces[lmcache][0]
    kv.seen.clear()
    kv.pieces[simple][1].clear()
    with pytest.raises(CompositionError):
        kv.check(simple, sel, rid)


def test_glm_data_stays_within_budget(catalog: Any) -> None:
    text = builder_json(catalog, catalog.entry(GLM), {})
    assert text is not None
    size = len(gzip.compress(text.encode(), 6))
    assert size < 30_000, size  # issue 12's limit for GLM-5.2, every row included
    doc = json.loads(text)
    kv = {k: doc[k] for k in ("kg", "ko", "kw", "kp", "kr", "km", "kc", "ks")}
    assert len(gzip.compress(json.dumps(kv).encode(), 6)) < 6 * 1024
    # Mooncake is offered on GLM-5.2's clusterable pairs: the row has a usable store option there.
    stores = [i for i, o in enumerate(doc["ko"]) if o[2] == 1]
    usable = [c for c in doc["c"].values() if "kv" in c and any(doc["kw"][r][i] == 0 for r in c["kv"] for i in stores)]
    assert usable
    # Clients of several instances talk to the router: the page has synthesis's examples for it.
    assert all("kk" in c for c in usable) and all("$ROUTER_HOST:$ROUTER_PORT" in doc["ks"][c["kk"]][0] for c in usable)


def test_one_env_text_can_take_the_kv_variables_at_two_places(tmp_path: Path) -> None:
    """acme/Placed: on B200 the default variant sets ACME_KERNELS itself (the Mooncake variables
    come after it) and the FP8 variant gets it from the override (they come before it). Both
    launches show the env text [ACME_KERNELS]; the second gets a map of its own ("#<launch>")."""
    catalog = load_catalog(write_made_recipes(tmp_path / "made"))
    recipe = catalog.entry("acme/Placed").recipe
    envs = {}
    for variant in ("default", "fp8"):
        sel = Selection(variant, "b200", "single_node_tp", kv_store="kv_mooncake", instances=1)
        envs[variant] = list(deploy(catalog, recipe, sel).launches[0].env)
    assert envs["default"][0] == "ACME_KERNELS" and envs["fp8"][-1] == "ACME_KERNELS"
    doc = json.loads(builder_json(catalog, catalog.entry("acme/Placed"), {}) or "null")  # raises if it does not compose
    store = [o[0] for o in doc["ko"]].index("kv_mooncake")
    assert any(key.startswith("#") for key in doc["kp"][store][1])
