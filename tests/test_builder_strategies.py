"""The Strategy, Nodes and prefill/decode data of the command builder, without a browser.

Strategies switched off per hardware (with the reason select.py gives), GPU floors, pool modes
narrowed by ``pool_modes``, prefill/decode pools of 1–16 nodes composed from stored pieces (every
layout checked against ``deploy`` here, one by one), hardware notes, and the line-by-line bash
reading that keeps the build fast.
"""
from __future__ import annotations

import gzip
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from factory import HW, STRATEGIES, TP_DP, recipe, write_recipes

from builder.check import load_catalog
from builder.site import command_builder
from builder.site.command_builder.data import env_lines
from builder.site.command_builder.decode import Decoder, Shown, State, pd_launches, unpack
from builder.site.command_builder.pools import POOL_MAX, pool_index
from builder.site.command_builder.recipe import recipe_document
from builder.site.command_builder.view import default_view
from builder.synth import Selection, deploy
from builder.synth.safety import command_findings, read_bash
from builder.synth.select import node_floor, pool_modes, strategy_offers

REPO = Path(__file__).resolve().parents[1]
GLM_BUDGET = 30_000  # issue 12: GLM-5.2's inlined data stays under 30 KB gzip, every row included
"""GLM-5.2's inline data (gzip) before this row's work, plus the growth it may take."""

HARDWARE = {k: HW[k] for k in ("h100", "h200", "b200", "gb200", "station")}
POOLED = recipe(
    meta={"title": "Pooled", "provider": "Acme", "description": "A model served in pools", "date_updated": "2026-01-02",
          "tasks": ["text"], "hardware": {"h200": "verified"}},
    model={"model_id": "acme/Pooled", "base_args": ["--max-model-len", "8192"], "base_env": {"HF_HUB_OFFLINE": "1"},
           "docker_image": "vllm/vllm-openai:v1"},
    features={"tools": {"description": "Tool calls", "args": ["--tool-call-parser", "acme", "--enable-auto-tool-choice"]},
              "spec": {"description": "MTP", "args": ["--speculative-config", '{"method":"mtp"}']}},
    variants={"default": {"precision": "fp8", "vram_minimum_gb": 400}},
    compatible_strategies=["single_node_tp", "multi_node_tp", "multi_node_tep", "multi_node_dep", "pd_cluster"],
    strategy_overrides={"pd_cluster": {"decode": {"tp": 2}}},
    strategy_hardware={"multi_node_tp_dp": {"h200": "supported"}, "multi_node_dep": {"hopper": "unsupported"}},
    strategy_min_gpus={"multi_node_tep": 32, "multi_node_tp_dp": 16, "gb200": 24},
    hardware_notes={"h100": {"title": "Check the fabric", "body": "Pools span InfiniBand.",
                             "link": {"label": "Guide", "href": "#launch"}},
                    "b200": {"title": "Unsafe link", "body": "", "link": {"label": "x", "href": "javascript:alert(1)"}}},
)
NARROW = recipe(
    meta={"title": "Narrow", "provider": "Acme", "description": "Only DEP pools", "date_updated": "2026-01-02",
          "tasks": ["text"]},
    model={"model_id": "acme/Narrow", "base_args": [], "base_env": {}},
    variants={"default": {"precision": "fp8", "vram_minimum_gb": 400}},
    compatible_strategies=["single_node_tp", "multi_node_tep", "multi_node_dep", "pd_cluster"],
    strategy_overrides={"pd_cluster": {"pool_modes": ["dep"]}},
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = write_recipes(tmp_path_factory.mktemp("recipes"), {"acme/Pooled": POOLED, "acme/Narrow": NARROW},
                         HARDWARE, {**STRATEGIES, "multi_node_tp_dp": TP_DP})
    catalog = load_catalog(root)
    docs = {e.hf_id: recipe_document(catalog, e, {}) for e in catalog.recipes}
    return {"catalog": catalog, "docs": docs, "data": {k: unpack(v) for k, v in docs.items() if v is not None}}


def _shown(dep: Any) -> list[Shown]:
    return [Shown(x.role, x.rank, tuple(env_lines(x.env)), x.command, x.docker_command) for x in dep.launches]


def test_strategies_switched_off_per_hardware_with_reasons(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    entry = catalog.entry("acme/Pooled")
    h200 = {o.name: o.reason for o in strategy_offers(catalog, entry, "h200")}
    assert h200["multi_node_dep"] == "Multi Node Dep isn't supported on H200 for this model."
    assert h200["multi_node_tp_dp"] is None, "granted on H200"
    b200 = {o.name: o.reason for o in strategy_offers(catalog, entry, "b200")}
    assert b200["multi_node_dep"] is None and "multi_node_tp_dp" not in b200
    station = {o.name for o in strategy_offers(catalog, entry, "station")}
    assert station == {"single_node_tp"}, "nothing multi-node on hardware that cannot be clustered"
    # In the data: the disabled pill and its reason; the view renders it disabled with the reason.
    d = made["data"]["acme/Pooled"]
    hw, st = [x[0] for x in d["hw"]], [x[0] for x in d["st"]]
    c = d["c"][f"0.{hw.index('h100')}"]
    assert c["xs"] == [[st.index("multi_node_dep"), "Multi Node Dep isn't supported on H100 for this model."]]
    assert st.index("multi_node_dep") not in c["st"]
    assert st.index("multi_node_tp_dp") in d["c"][f"0.{hw.index('h200')}"]["st"]


def test_gpu_floors_hide_smaller_node_counts(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    entry = catalog.entry("acme/Pooled")
    assert node_floor(catalog, entry, "multi_node_tep", "h200") == (
        4, "Multi Node Tep needs at least 32 GPUs for this model on H200: 4 nodes of 8 GPUs or more.")
    assert node_floor(catalog, entry, "multi_node_tp", "h200") == (2, None)
    assert node_floor(catalog, entry, "multi_node_tp", "gb200")[0] == 6, "24 GPUs of 4-GPU trays"
    d = made["data"]["acme/Pooled"]
    hw, st = [x[0] for x in d["hw"]], [x[0] for x in d["st"]]
    c = d["c"][f"0.{hw.index('h200')}"]
    tep = c["r"][c["st"].index(st.index("multi_node_tep"))]
    assert [n for n, r in zip(d["nodes"], tep, strict=True) if r >= 0] == list(range(4, 17))
    assert [x[0] for x in c["fl"]] == [st.index("multi_node_tep")]


def test_pool_modes_narrowing(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    assert pool_modes(catalog.entry("acme/Narrow")) == ("dep",)
    assert pool_modes(catalog.entry("acme/Pooled")) == ("tp", "tep", "dep")
    d = made["data"]["acme/Narrow"]
    c = d["c"]["0.0"]
    r = c["r"][[d["st"][s][0] for s in c["st"]].index("pd_cluster")]
    m, dep = len(d["modes"]), d["modes"].index("dep")
    assert all(x == -1 for k, x in enumerate(r["p"]) if k % m != dep), "no parts for modes it does not offer"
    assert all(r["p"][z * m + dep] != -1 for z in range(1, POOL_MAX + 1))


@pytest.mark.parametrize("hf_id", ["acme/Pooled", "acme/Narrow"])
def test_every_pool_layout_matches_deploy(made: dict[str, Any], hf_id: str) -> None:
    """All 257 size pairs × every mode pair, no feature and all features: composed == deploy."""
    catalog, d = made["catalog"], made["data"][hf_id]
    entry, dec, checked = catalog.entry(hf_id), Decoder(d), 0
    every = (1 << sum(1 for f in d["ft"] if len(f) < 4)) - 1
    for key, c in d["c"].items():
        if "rec" not in c or not any(d["st"][s][0] == "pd_cluster" for s in c["st"]) or checked:
            continue  # (the first hardware with pools: 2,313 layouts)
        v, h = (int(x) for x in key.split("."))
        r = c["r"][[d["st"][s][0] for s in c["st"]].index("pd_cluster")]
        for pn, dn in d["pools"]:
            for pm, pmode in enumerate(d["modes"]):
                for dm, dmode in enumerate(d["modes"]):
                    got = pd_launches(dec, r, d["modes"], pn, dn, pm, dm, 0)
                    if got is None:
                        continue
                    sel = Selection(d["var"][v][0], d["hw"][h][0], "pd_cluster", 1, (), pn, dn, pmode, dmode)
                    assert got == _shown(deploy(catalog, entry.recipe, sel)), sel
                    if pn in (0, 3, POOL_MAX) and every:
                        feats = tuple(f[0] for f in d["ft"] if len(f) < 4)
                        want = _shown(deploy(catalog, entry.recipe, replace(sel, features=feats)))
                        assert pd_launches(dec, r, d["modes"], pn, dn, pm, dm, every) == want, sel
                    checked += 1
    assert checked >= 256, checked
    assert d["pools"][pool_index(5, 9)] == [5, 9]


def test_ranks_of_a_large_pool_are_swaps_of_a_two_node_pool(made: dict[str, Any]) -> None:
    d = made["data"]["acme/Pooled"]
    c = d["c"]["0.1"]  # h200
    st = [d["st"][s][0] for s in c["st"]]
    state = State(0, 1, c["st"][st.index("pd_cluster")], 1, pool_index(16, 9), 0, 2)
    shown = state.launches(d)
    prefill = [x for x in shown if x.role == "prefill"]
    assert [x.rank for x in prefill] == list(range(16))
    assert "--node-rank 15" in prefill[-1].command and "--headless" in prefill[-1].command
    r = c["r"][st.index("pd_cluster")]
    assert isinstance(r["p"][16 * len(d["modes"])], list), "stored as swaps, not as 16 launches"


def test_hardware_notes(made: dict[str, Any]) -> None:
    d = made["data"]["acme/Pooled"]
    hw = [x[0] for x in d["hw"]]
    assert d["hn"][str(hw.index("h100"))] == ["Check the fabric", "Pools span InfiniBand.", "Guide", "#launch"]
    assert d["hn"][str(hw.index("b200"))] == ["Unsafe link", ""], "a javascript: link is left out"
    doc = dict(made["docs"]["acme/Pooled"])
    doc["def"] = [0, hw.index("h100")]
    view = default_view(doc)
    assert view["output"]["hwnote"] == {"title": "Check the fabric", "body": "Pools span InfiniBand.",
                                        "label": "Guide", "href": "#launch"}
    doc["def"] = [0, hw.index("h200")]
    assert default_view(doc)["output"]["hwnote"] is None


def test_glm_inline_data_stays_in_budget() -> None:
    catalog = load_catalog(REPO / "recipes")
    entry = catalog.entry("zai-org/GLM-5.2")
    text = command_builder.builder_json(catalog, entry, {})
    assert text is not None
    size = len(gzip.compress(text.encode(), 6))
    assert size < GLM_BUDGET, size
    d = unpack(json.loads(text))
    assert d["pmax"] == POOL_MAX == 16


def test_line_by_line_bash_reading_is_the_whole_reading() -> None:
    pieces = list("ab $;'\"\\#~`{}\n") + [" \\\n  ", "$HEAD_IP", "--flag", " "]
    rng = random.Random(7)
    for _ in range(50_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 18)))
        assert command_findings(text) == tuple(read_bash(text)), repr(text)
